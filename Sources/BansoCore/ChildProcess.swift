import Foundation
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Runs another program (headless Chromium) so that it can never outlive or hang a run.
///
/// It starts in its own process group with the default signal dispositions and an empty signal
/// mask (the runner ignores SIGTERM, SIGINT and SIGHUP to catch them, and ignored signals are
/// inherited across exec), is killed with its whole group when it exceeds its time, and is
/// registered so that a run stopped by a signal kills it too (`ChildProcess.killAll`).
package enum ChildProcess {
    /// Why a child did not finish as it should.
    package enum Outcome: Equatable, Sendable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var groups: Set<pid_t> = []

    /// Kills every running child's process group (a signal handler calls it before exiting).
    package static func killAll() {
        lock.lock()
        let all = groups
        lock.unlock()
        for g in all { kill(-g, SIGKILL) }
    }

    /// Runs `executable` with `arguments`; kills it after `timeout` seconds.
    ///
    /// Its standard output goes to the file `output` (created 0600) or is discarded, as is its
    /// standard error.
    package static func run(_ executable: String, _ arguments: [String], timeout: Double, output: String? = nil) throws
        -> Outcome
    {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGQUIT] { sigaddset(&defaults, s) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        lock.lock()
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        if status == 0 { groups.insert(pid) }
        lock.unlock()
        guard status == 0 else {
            throw StageFailure(.configuration, "cannot start \(executable): \(Errno(rawValue: status).words)")
        }
        defer {
            lock.lock()
            groups.remove(pid)
            lock.unlock()
        }
        let deadline = Date().addingTimeInterval(timeout)
        var wstatus: Int32 = 0
        while true {
            let r = waitpid(pid, &wstatus, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { return .exited(-1) }
            if Date() > deadline {
                kill(-pid, SIGKILL)
                kill(pid, SIGKILL)
                _ = waitpid(pid, &wstatus, 0)
                return .timedOut
            }
            usleep(20_000)
        }
        // The group's other processes (a browser's renderers) go with it.
        kill(-pid, SIGKILL)
        let signalled = wstatus & 0x7F
        return signalled == 0 ? .exited((wstatus >> 8) & 0xFF) : .signalled(signalled)
    }
}
