/// What the loop driving a `ProbeWorker` should do next.
public enum ProbeAction: Hashable, Sendable {
    /// Run the probe against this instance now and hand the result to `record(_:at:)`.
    case probe(ContainerInstanceID)
    /// Nothing is due before this instant (an event such as a new instance may still wake the loop).
    case sleep(until: Instant)
    /// A probe is still running; probes never overlap, so nothing else happens until it reports.
    case awaitingResult(ContainerInstanceID)
    /// The worker is finished: the pod is going away or the container will not run again.
    case stopped
}
