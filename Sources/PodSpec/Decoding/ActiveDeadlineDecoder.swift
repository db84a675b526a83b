/// `spec.activeDeadlineSeconds`: a positive number of seconds (validation.go: "must be between 1
/// and 2147483647, inclusive", the kubelet's timers take an int32's worth at most).
enum ActiveDeadlineDecoder {
    static func decode(_ spec: ObjectReader) -> Int64? {
        guard let seconds = spec.int64("activeDeadlineSeconds") else { return nil }
        if !(1...Int64(Int32.max)).contains(seconds) {
            spec.diagnostics.invalid(spec.path.child("activeDeadlineSeconds"), .int(seconds),
                                     "must be between 1 and 2147483647, inclusive")
        }
        return seconds
    }
}
