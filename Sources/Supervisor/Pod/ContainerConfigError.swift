/// A container whose config cannot be made (the kubelet's CreateContainerConfigError): a
/// runAsNonRoot refusal, a subPath leading out of its volume. It is not created; the container
/// waits with that reason and is tried again later.
struct ContainerConfigError: Error, CustomStringConvertible, Sendable {
    let description: String
    init(_ description: String) { self.description = description }
}
