import BansoCore
import BansoTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("child processes", .serialized)
struct ChildProcessTests {
    @Test("a child that never ends is killed with its whole group at its time limit")
    func timeout() throws {
        let marker = NSTemporaryDirectory() + "banso-child-\(getpid())-\(UUID().uuidString.prefix(8))"
        let started = Date()
        // The shell starts a grandchild that would outlive it, as a browser's renderers do.
        let outcome = try ChildProcess.run(
            "/bin/sh", ["-c", "sleep 30 & echo $! > \(marker); wait"], timeout: 0.5)
        #expect(outcome == .timedOut)
        #expect(Date().timeIntervalSince(started) < 10)
        usleep(200_000)
        let grandchild = try #require(
            Int32(String(contentsOfFile: marker, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        // Gone, or a zombie waiting for init to reap it: not running either way.
        let state = (try? String(contentsOfFile: "/proc/\(grandchild)/stat", encoding: .utf8))?
            .split(separator: ")").last?.split(separator: " ").first
        #expect(
            kill(grandchild, 0) != 0 || state == "Z", "the grandchild \(grandchild) is still running (\(state ?? "?"))")
    }

    @Test("signals the runner ignores are at their defaults in the child, and its mask is empty")
    func signalsReset() throws {
        let previous = signal(SIGTERM, SIG_IGN)
        defer { signal(SIGTERM, previous) }
        let outcome = try ChildProcess.run("/bin/sh", ["-c", "kill -TERM $$; sleep 5"], timeout: 10)
        #expect(outcome == .signalled(SIGTERM))
    }

    @Test("exit statuses and standard output come back")
    func status() throws {
        let out = NSTemporaryDirectory() + "banso-child-out-\(getpid())"
        #expect(
            try ChildProcess.run("/bin/sh", ["-c", "echo Chromium 1; exit 3"], timeout: 10, output: out) == .exited(3))
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "Chromium 1\n")
    }

    @Test("a program that cannot be started is a configuration error, not a crash")
    func missing() {
        #expect(throws: StageFailure.self) { try ChildProcess.run("/nonexistent/chromium", [], timeout: 1) }
    }
}
