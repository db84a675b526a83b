import PodSpec
import Supervisor

/// Every container's image must be there before anything starts: a missing image is reported
/// with the field it came from, and no supervisor is started for a file that cannot run.
enum ImageCheck {
    /// The first container whose image cannot be used, as a sentence; nil when all can.
    static func problem(in pods: [Pod], searched: [String]) -> String? {
        for pod in pods {
            for (path, c) in pod.spec.everyContainer {
                do { try ImageDirectory.check(c.image.resolved) } catch {
                    let hint = searched.isEmpty ? "" : " (also looked under --images \(searched.joined(separator: ", ")))"
                    return "pod \"\(pod.name)\": \(path).image: \(error)\(hint)"
                }
            }
        }
        return nil
    }
}
