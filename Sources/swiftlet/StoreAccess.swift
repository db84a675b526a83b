import Foundation
import Supervisor

enum StoreAccess {
    /// The root is root-only (0700): say so instead of reporting no pods.
    static func check(_ store: PodStore) throws(CLIError) {
        if access(store.root, F_OK) == 0 && access(store.podsDir, R_OK | X_OK) != 0 && errno == EACCES {
            throw CLIError.error("cannot read \(store.root): permission denied (swiftlet must run as root)")
        }
    }
}
