/// The pod an event or a message is about, with the three names the kubelet prints.
public struct PodReference: Hashable, Sendable, CustomStringConvertible {
    public var name: String
    public var namespace: String
    public var uid: String

    public init(name: String, namespace: String = "default", uid: String) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
    }

    /// `name_namespace(uid)`, the kubelet's `format.Pod`, used in back-off messages.
    public var description: String { "\(name)_\(namespace)(\(uid))" }

    /// The pod itself as an event's involved object.
    public var object: ObjectReference {
        ObjectReference(kind: "Pod", namespace: namespace, name: name, uid: uid, fieldPath: nil)
    }

    /// One of its containers: the kubelet files container events under the pod with this field path.
    public func container(_ containerName: String) -> ObjectReference {
        ObjectReference(kind: "Pod", namespace: namespace, name: name, uid: uid,
                        fieldPath: "spec.containers{\(containerName)}")
    }
}

/// An event's `involvedObject`, as in Kubernetes' `v1.ObjectReference`.
public struct ObjectReference: Hashable, Sendable {
    public var kind: String
    public var apiVersion: String
    public var namespace: String
    public var name: String
    public var uid: String
    /// `spec.containers{kubia}` for a container of the pod; nil for the pod as a whole.
    public var fieldPath: String?

    public init(kind: String, apiVersion: String = "v1", namespace: String, name: String, uid: String, fieldPath: String?) {
        self.kind = kind
        self.apiVersion = apiVersion
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.fieldPath = fieldPath
    }
}
