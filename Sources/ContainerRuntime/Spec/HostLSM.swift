#if canImport(Glibc)
import Glibc
#endif

/// Which Linux security modules the host runs, as runc asks before honouring a label: AppArmor
/// when its module says enabled, SELinux when selinuxfs is mounted.
enum HostLSM {
    static let appArmor: Bool = {
        Files.readText("/sys/module/apparmor/parameters/enabled")?.hasPrefix("Y") == true
    }()
    static let seLinux: Bool = access("/sys/fs/selinux/enforce", F_OK) == 0
}
