import PodSpec
import Supervisor

/// Every container's image must be there before anything starts: a missing image is reported
/// with the field it came from, and no supervisor is started for a file that cannot run.
enum ImageCheck {
    /// The first container whose image cannot be used, as a sentence; nil when all can.
    static func problem(in pods: [Pod], searched: [String]) -> String? {
        for pod in pods {
            for (i, c) in pod.spec.containers.enumerated() {
                do { try ImageDirectory.check(c.image.resolved) } catch {
                    let hint = searched.isEmpty ? "" : " (also looked under --images \(searched.joined(separator: ", ")))"
                    return "pod \"\(pod.name)\": spec.containers[\(i)].image: \(error)\(hint)"
                }
            }
        }
        return nil
    }
}
