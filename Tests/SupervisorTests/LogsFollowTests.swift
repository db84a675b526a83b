import Foundation
import Testing

/// `logs -f` shows what the container writes while it writes it: the keeper appends to the log
/// file, and the follower wakes on inotify.
@Suite(.serialized) struct LogsFollowTests {
    @Test func followShowsLinesAsTheyAreWritten() throws {
        guard geteuid() == 0 else {
            print("skipped: end-to-end tests need root")
            return
        }
        let s = E2ESession()
        let script = NetworkPods.onTerm("i=0; while true; do i=$((i+1)); echo line-$i; sleep 0.2; done")
        #expect(s.run(["run", "-d", "-f", s.write(NetworkPods.pod("ticker", script: script)), "--network", "none"]).status == 0)
        let follower = try #require(s.spawn(["logs", "ticker", "-f"]))
        usleep(2_500_000)
        kill(follower.pid, SIGTERM)
        let r = s.wait(follower, timeout: 10)
        let numbers = r.out.split(separator: "\n").compactMap { $0.hasPrefix("line-") ? Int($0.dropFirst(5)) : nil }
        // About 12 lines in 2.5 s; every one once, in order, with none missing in between.
        #expect(numbers.count >= 6, "\(r)")
        #expect(numbers == Array((numbers.first ?? 1)...(numbers.last ?? 0)), "\(numbers)")
    }
}
