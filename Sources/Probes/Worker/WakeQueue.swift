/// When each sleeping worker wants to run next: a binary min-heap of (time, key). A worker that
/// is rescheduled leaves its old entry behind; `scheduled` tells live entries from stale ones,
/// so nothing has to be searched or removed from the middle of the heap.
struct WakeQueue: Sendable {
    private struct Entry: Sendable {
        var at: Instant
        var key: ProbeKey
    }

    private var heap: [Entry] = []
    /// The live wake time of each key in the heap.
    private var scheduled: [ProbeKey: Instant] = [:]

    /// Schedules `key` for `at`, replacing any earlier schedule of it.
    mutating func schedule(_ key: ProbeKey, at: Instant) {
        if scheduled[key] == at { return }
        scheduled[key] = at
        heap.append(Entry(at: at, key: key))
        siftUp(heap.count - 1)
    }

    /// Forgets `key`'s schedule (its entry goes stale).
    mutating func cancel(_ key: ProbeKey) {
        scheduled[key] = nil
    }

    /// The keys due at `now`, each once; their schedules are used up.
    mutating func popDue(at now: Instant) -> [ProbeKey] {
        var due: [ProbeKey] = []
        while let top = heap.first, top.at <= now {
            removeTop()
            if scheduled[top.key] == top.at {
                scheduled[top.key] = nil
                due.append(top.key)
            }
        }
        return due
    }

    /// The earliest live wake time (stale entries on top are dropped on the way).
    mutating func earliest() -> Instant? {
        while let top = heap.first {
            if scheduled[top.key] == top.at { return top.at }
            removeTop()
        }
        return nil
    }

    private mutating func removeTop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        siftDown(0)
    }

    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].at < heap[parent].at else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count && heap[left].at < heap[smallest].at { smallest = left }
            if right < heap.count && heap[right].at < heap[smallest].at { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
