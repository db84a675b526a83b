// The struct `PodSpec` (Kubernetes' name for a pod's spec) shadows the module `PodSpec`, so a
// client that must qualify a name, because another module it imports has a `Container` too
// (ContainerRuntime does), would write `PodSpec.Container` and reach into the struct. These
// aliases make that spelling mean the module's types.
#if compiler(>=6.3)
extension PodSpec {
    public typealias Pod = PodSpec::Pod
    public typealias ObjectMeta = PodSpec::ObjectMeta
    public typealias RestartPolicy = PodSpec::RestartPolicy
    public typealias Container = PodSpec::Container
    public typealias Image = PodSpec::Image
    public typealias EnvVar = PodSpec::EnvVar
    public typealias ContainerPort = PodSpec::ContainerPort
    public typealias PortProtocol = PodSpec::PortProtocol
    public typealias ResourceRequirements = PodSpec::ResourceRequirements
    public typealias ResourceList = PodSpec::ResourceList
    public typealias VolumeMount = PodSpec::VolumeMount
    public typealias Probe = PodSpec::Probe
    public typealias ProbeKind = PodSpec::ProbeKind
    public typealias PortReference = PodSpec::PortReference
    public typealias HTTPGetAction = PodSpec::HTTPGetAction
    public typealias URIScheme = PodSpec::URIScheme
    public typealias HTTPHeader = PodSpec::HTTPHeader
    public typealias TCPSocketAction = PodSpec::TCPSocketAction
    public typealias GRPCAction = PodSpec::GRPCAction
    public typealias SecurityContext = PodSpec::SecurityContext
    public typealias Capabilities = PodSpec::Capabilities
    public typealias Capability = PodSpec::Capability
    public typealias SeccompProfile = PodSpec::SeccompProfile
    public typealias Volume = PodSpec::Volume
    public typealias VolumeSource = PodSpec::VolumeSource
    public typealias EmptyDirVolumeSource = PodSpec::EmptyDirVolumeSource
    public typealias StorageMedium = PodSpec::StorageMedium
    public typealias HostPathVolumeSource = PodSpec::HostPathVolumeSource
    public typealias HostPathType = PodSpec::HostPathType
    public typealias Quantity = PodSpec::Quantity
    public typealias QuantityError = PodSpec::QuantityError
    public typealias PodFile = PodSpec::PodFile
    public typealias PodSpecError = PodSpec::PodSpecError
    public typealias DocumentError = PodSpec::DocumentError
    public typealias FieldError = PodSpec::FieldError
}
#endif
