import Foundation
import Testing

/// The env examples of the Kubernetes documentation, image names pointing at the busybox rootfs
/// loops run once (restartPolicy Never) and `printenv` (not in busybox here) written as `echo`s,
/// their output read from the container log:
/// "Configure a Pod to Use a ConfigMap", "Distribute Credentials Securely Using Secrets",
/// "Expose Pod Information to Containers Through Environment Variables".
@Suite(.enabled(if: geteuid() == 0, "needs root: pods run real containers"), .serialized)
struct ConfigEnvDocsExamplesTests {
    static let busybox = E2ESession.busybox

    static func output(_ s: E2ESession, _ name: String) -> String {
        _ = s.eventually(30) { s.phase(name) == "Succeeded" || s.phase(name) == "Failed" }
        return s.run(["logs", name]).out
    }

    /// configmap/configmaps.yaml with pods/pod-single-configmap-env-variable.yaml,
    /// pod-multiple-configmap-env-variable.yaml, pod-configmap-envFrom.yaml and
    /// pod-configmap-env-var-valueFrom.yaml, in one file.
    @Test func configureAPodToUseAConfigMap() {
        let s = E2ESession()
        let file = s.write("""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: special-config
              namespace: default
            data:
              special.how: very
              SPECIAL_LEVEL: very
              SPECIAL_TYPE: charm
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: env-config
              namespace: default
            data:
              log_level: INFO
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: dapi-test-pod-multiple
            spec:
              containers:
                - name: test-container
                  image: \(Self.busybox)
                  command: [ "/bin/sh", "-c", "env" ]
                  env:
                    - name: SPECIAL_LEVEL_KEY
                      valueFrom:
                        configMapKeyRef:
                          name: special-config
                          key: special.how
                    - name: LOG_LEVEL
                      valueFrom:
                        configMapKeyRef:
                          name: env-config
                          key: log_level
              restartPolicy: Never
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: dapi-test-pod-envfrom
            spec:
              containers:
                - name: test-container
                  image: \(Self.busybox)
                  command: [ "/bin/sh", "-c", "env" ]
                  envFrom:
                  - configMapRef:
                      name: special-config
              restartPolicy: Never
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: dapi-test-pod-valuefrom
            spec:
              containers:
                - name: test-container
                  image: \(Self.busybox)
                  command: [ "/bin/echo", "$(SPECIAL_LEVEL_KEY) $(SPECIAL_TYPE_KEY)" ]
                  env:
                    - name: SPECIAL_LEVEL_KEY
                      valueFrom:
                        configMapKeyRef:
                          name: special-config
                          key: SPECIAL_LEVEL
                    - name: SPECIAL_TYPE_KEY
                      valueFrom:
                        configMapKeyRef:
                          name: special-config
                          key: SPECIAL_TYPE
              restartPolicy: Never
            """)
        let started = s.run(["run", "-d", "-f", file])
        #expect(started.status == 0, "\(started.err)")
        let multiple = Self.output(s, "dapi-test-pod-multiple")
        #expect(multiple.contains("SPECIAL_LEVEL_KEY=very\n") && multiple.contains("LOG_LEVEL=INFO\n"), "\(multiple)")
        let envFrom = Self.output(s, "dapi-test-pod-envfrom")
        #expect(envFrom.contains("SPECIAL_LEVEL=very\n") && envFrom.contains("SPECIAL_TYPE=charm\n"), "\(envFrom)")
        #expect(Self.output(s, "dapi-test-pod-valuefrom") == "very charm\n")
    }

    /// The Secret examples' env parts: env-single-secret (secretKeyRef) and envfrom-secret.
    @Test func distributeCredentialsSecurelyUsingSecrets() {
        let s = E2ESession()
        let file = s.write("""
            apiVersion: v1
            kind: Secret
            metadata:
              name: backend-user
            data:
              backend-username: YmFja2VuZC1hZG1pbg==
            ---
            apiVersion: v1
            kind: Secret
            metadata:
              name: test-secret
            data:
              username: bXktYXBw
              password: Mzk1MjgkdmRnN0pi
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: env-single-secret
            spec:
              restartPolicy: Never
              containers:
              - name: envars-test-container
                image: \(Self.busybox)
                command: ["/bin/sh", "-c", "echo $SECRET_USERNAME"]
                env:
                - name: SECRET_USERNAME
                  valueFrom:
                    secretKeyRef:
                      name: backend-user
                      key: backend-username
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: envfrom-secret
            spec:
              restartPolicy: Never
              containers:
              - name: envars-test-container
                image: \(Self.busybox)
                command: ["/bin/sh", "-c", "echo \\"username: $username\\"; echo \\"password: $password\\""]
                envFrom:
                - secretRef:
                    name: test-secret
            """)
        let started = s.run(["run", "-d", "-f", file])
        #expect(started.status == 0, "\(started.err)")
        #expect(Self.output(s, "env-single-secret") == "backend-admin\n")
        #expect(Self.output(s, "envfrom-secret") == "username: my-app\npassword: 39528$vdg7Jb\n")
    }

    /// dapi-envars-pod.yaml and dapi-envars-resourcefieldref.yaml.
    @Test func exposePodInformationThroughEnvironmentVariables() throws {
        let s = E2ESession()
        let file = s.write("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: dapi-envars-fieldref
            spec:
              containers:
                - name: test-container
                  image: \(Self.busybox)
                  command: [ "sh", "-c"]
                  args:
                  - echo "$MY_NODE_NAME"; echo "$MY_POD_NAME"; echo "$MY_POD_NAMESPACE";
                    echo "$MY_POD_IP"; echo "$MY_POD_SERVICE_ACCOUNT";
                  env:
                    - name: MY_NODE_NAME
                      valueFrom:
                        fieldRef:
                          fieldPath: spec.nodeName
                    - name: MY_POD_NAME
                      valueFrom:
                        fieldRef:
                          fieldPath: metadata.name
                    - name: MY_POD_NAMESPACE
                      valueFrom:
                        fieldRef:
                          fieldPath: metadata.namespace
                    - name: MY_POD_IP
                      valueFrom:
                        fieldRef:
                          fieldPath: status.podIP
                    - name: MY_POD_SERVICE_ACCOUNT
                      valueFrom:
                        fieldRef:
                          fieldPath: spec.serviceAccountName
              restartPolicy: Never
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: dapi-envars-resourcefieldref
            spec:
              containers:
                - name: test-container
                  image: \(Self.busybox)
                  command: [ "sh", "-c"]
                  args:
                  - echo "$MY_CPU_REQUEST"; echo "$MY_CPU_LIMIT";
                    echo "$MY_MEM_REQUEST"; echo "$MY_MEM_LIMIT";
                  resources:
                    requests:
                      memory: "32Mi"
                      cpu: "125m"
                    limits:
                      memory: "64Mi"
                      cpu: "250m"
                  env:
                    - name: MY_CPU_REQUEST
                      valueFrom:
                        resourceFieldRef:
                          containerName: test-container
                          resource: requests.cpu
                    - name: MY_CPU_LIMIT
                      valueFrom:
                        resourceFieldRef:
                          containerName: test-container
                          resource: limits.cpu
                    - name: MY_MEM_REQUEST
                      valueFrom:
                        resourceFieldRef:
                          containerName: test-container
                          resource: requests.memory
                    - name: MY_MEM_LIMIT
                      valueFrom:
                        resourceFieldRef:
                          containerName: test-container
                          resource: limits.memory
              restartPolicy: Never
            """)
        let started = s.run(["run", "-d", "-f", file])
        #expect(started.status == 0, "\(started.err)")
        let fieldRef = Self.output(s, "dapi-envars-fieldref")
        let pod = try #require(s.pod("dapi-envars-fieldref"))
        let node = try #require((pod["spec"] as? [String: Any])?["nodeName"] as? String)
        let ip = try #require((pod["status"] as? [String: Any])?["podIP"] as? String)
        #expect(fieldRef == "\(node)\ndapi-envars-fieldref\ndefault\n\(ip)\ndefault\n")
        #expect(Self.output(s, "dapi-envars-resourcefieldref") == "1\n1\n33554432\n67108864\n")
    }
}
