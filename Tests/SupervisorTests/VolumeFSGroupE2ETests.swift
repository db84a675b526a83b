import Foundation
import Testing

/// `securityContext.fsGroup` on the volumes of a real pod: ports configmap_volume.go "should be
/// consumable from pods in volume as non-root with FSGroup" and empty_dir.go "should support
/// (non-root,0777,default)" with fsGroup: the files belong to the group, directories are
/// setgid, and a non-root container can read the ConfigMap and write the emptyDir through the
/// group alone.
@Suite(.enabled(if: geteuid() == 0, "needs root: pods run real containers"), .serialized)
struct VolumeFSGroupE2ETests {
    @Test func volumesBelongToTheFSGroupAndANonRootContainerUsesThemThroughIt() {
        let s = E2ESession()
        let name = s.podPrefix("vol-fsgroup")
        let cm = "\(name)-cm"
        guard s.runDetached("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: \(cm)}
            data: {data-1: value-1}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: \(name)}
            spec:
              restartPolicy: Never
              securityContext: {runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000}
              containers:
              - name: c
                image: \(E2ESession.busybox)
                command: [sh, -c, 'id; stat -L -c "cm %g %a" /etc/cm/data-1; stat -c "dir %g %A" /data; echo hi > /data/f && stat -c "new %g" /data/f; cat /etc/cm/data-1']
                volumeMounts:
                - {name: cm, mountPath: /etc/cm}
                - {name: data, mountPath: /data}
              volumes:
              - {name: cm, configMap: {name: \(cm), defaultMode: 0440}}
              - {name: data, emptyDir: {}}
            """) else { return }
        #expect(s.eventually(30) { ["Succeeded", "Failed"].contains(s.phase(name) ?? "") }, "\(s.events(name))")
        let log = s.run(["logs", name]).out
        #expect(log.contains("uid=1000 gid=3000") && log.contains("2000"), "fsGroup is a supplementary group: \(log)")
        #expect(log.contains("cm 2000 440"), "ConfigMap files belong to the fsGroup: \(log)")
        #expect(log.contains("dir 2000 drwxrwsrwx"), "the emptyDir is the group's and setgid: \(log)")
        #expect(log.contains("new 2000"), "files made in it inherit the group: \(log)")
        #expect(log.contains("value-1"), "readable through the group alone: \(log)")
        #expect(s.phase(name) == "Succeeded", "\(log)")
        #expect(s.run(["delete", "pod", name]).status == 0)
        #expect(s.run(["delete", "configmap", cm]).status == 0)
    }
}
