/// The fields of each `v1` object swiftlet decodes. Fields Kubernetes has and swiftlet does not
/// implement are listed as unsupported, so that they are refused by name rather than ignored.
extension Schema {
    static let pod = Schema(
        fields: ["apiVersion", "kind", "metadata", "spec"],
        ignored: ["status"])

    static let objectMeta = Schema(
        fields: ["name", "namespace", "labels", "annotations"],
        // Set by the API server on create; `kubectl run --dry-run -o yaml` writes creationTimestamp: null.
        ignored: ["creationTimestamp", "uid", "resourceVersion", "generation", "selfLink", "managedFields"],
        unsupported: ["generateName", "ownerReferences", "finalizers", "deletionTimestamp",
                      "deletionGracePeriodSeconds"])

    static let podSpec = Schema(
        fields: ["containers", "initContainers", "volumes", "restartPolicy", "terminationGracePeriodSeconds", "hostNetwork",
                 "hostname", "subdomain", "hostAliases", "dnsPolicy", "dnsConfig", "enableServiceLinks", "securityContext",
                 "shareProcessNamespace"],
        unsupported: ["activeDeadlineSeconds", "affinity", "automountServiceAccountToken",
                      "ephemeralContainers", "hostIPC",
                      "hostPID", "hostUsers", "hostnameOverride", "imagePullSecrets",
                      "nodeName", "nodeSelector", "os", "overhead", "preemptionPolicy",
                      "priority", "priorityClassName", "readinessGates", "resourceClaims", "resources",
                      "runtimeClassName", "schedulerName", "schedulingGates",
                      "serviceAccount", "serviceAccountName", "setHostnameAsFQDN",
                      "tolerations", "topologySpreadConstraints"])

    static let hostAlias = Schema(fields: ["ip", "hostnames"])

    static let podDNSConfig = Schema(fields: ["nameservers", "searches", "options"])

    static let podDNSConfigOption = Schema(fields: ["name", "value"])

    static let container = Schema(
        fields: ["name", "image", "command", "args", "env", "envFrom", "workingDir", "ports", "resources",
                 "securityContext", "volumeMounts", "livenessProbe", "readinessProbe", "startupProbe",
                 "imagePullPolicy", "terminationMessagePath", "terminationMessagePolicy", "restartPolicy"],
        unsupported: ["lifecycle", "resizePolicy", "restartPolicyRules", "stdin",
                      "stdinOnce", "tty", "volumeDevices"])

    static let envVar = Schema(fields: ["name", "value", "valueFrom"])

    static let containerPort = Schema(fields: ["containerPort", "name", "protocol", "hostPort", "hostIP"])

    static let resources = Schema(fields: ["limits", "requests"], unsupported: ["claims"])

    static let securityContext = Schema(
        fields: ["runAsUser", "runAsGroup", "readOnlyRootFilesystem", "allowPrivilegeEscalation",
                 "capabilities", "privileged", "seccompProfile", "runAsNonRoot"],
        unsupported: ["seLinuxOptions", "windowsOptions", "procMount", "appArmorProfile"])

    static let podSecurityContext = Schema(
        fields: ["runAsUser", "runAsGroup", "runAsNonRoot", "supplementalGroups", "fsGroup", "sysctls",
                 "seccompProfile"],
        unsupported: ["seLinuxOptions", "windowsOptions", "fsGroupChangePolicy", "appArmorProfile",
                      "supplementalGroupsPolicy", "seLinuxChangePolicy"])

    static let sysctl = Schema(fields: ["name", "value"])

    static let capabilities = Schema(fields: ["add", "drop"])

    static let seccompProfile = Schema(fields: ["type", "localhostProfile"])

    static let volume = Schema(
        fields: ["name", "emptyDir", "hostPath", "configMap", "secret", "downwardAPI", "projected"],
        unsupported: ["awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "csi",
                      "ephemeral", "fc", "flexVolume", "flocker", "gcePersistentDisk", "gitRepo",
                      "glusterfs", "image", "iscsi", "nfs", "persistentVolumeClaim", "photonPersistentDisk",
                      "portworxVolume", "quobyte", "rbd", "scaleIO", "storageos",
                      "vsphereVolume"])

    static let emptyDir = Schema(fields: ["medium", "sizeLimit"])

    static let hostPath = Schema(fields: ["path", "type"])

    static let volumeMount = Schema(fields: ["name", "mountPath", "readOnly", "subPath", "subPathExpr"],
                                    unsupported: ["mountPropagation", "recursiveReadOnly"])

    static let probe = Schema(fields: ["exec", "httpGet", "tcpSocket", "grpc", "initialDelaySeconds",
                                       "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold",
                                       "terminationGracePeriodSeconds"])

    static let execAction = Schema(fields: ["command"])

    static let httpGetAction = Schema(fields: ["path", "port", "host", "scheme", "httpHeaders"])

    static let httpHeader = Schema(fields: ["name", "value"])

    static let tcpSocketAction = Schema(fields: ["port", "host"])

    static let grpcAction = Schema(fields: ["port", "service"])
}
