import BansoCore
import Dispatch
import Foundation
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Ends a run cleanly on SIGTERM, SIGINT or SIGHUP: the staging folder is removed, `latest` and
/// the history store are left as they were (they only change at publish), and the process exits
/// with 128 + the signal's number, saying so.
final class SignalGuard: @unchecked Sendable {
    static let shared = SignalGuard()

    private let lock = NSLock()
    private var staging: FilePath?
    private var installed = false
    private var sources: [DispatchSourceSignal] = []

    /// Starts catching the signals (once per process).
    func install() {
        lock.lock()
        defer { lock.unlock() }
        guard !installed else { return }
        installed = true
        for signo in [SIGTERM, SIGINT, SIGHUP] {
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler { [weak self] in self?.stop(signo) }
            source.resume()
            sources.append(source)
        }
    }

    /// The staging folder of the run in progress (nil once it is published).
    func track(_ path: FilePath?) {
        lock.lock()
        staging = path
        lock.unlock()
    }

    private func stop(_ signo: Int32) {
        lock.lock()
        let path = staging
        // A browser printing a report goes with the run, not on as an orphan.
        ChildProcess.killAll()
        if let path { try? FileManager.default.removeItem(atPath: path.string) }
        let name = signo == SIGTERM ? "SIGTERM" : signo == SIGINT ? "SIGINT" : "SIGHUP"
        StandardStreams.error(
            "banso: stopped by \(name); the run was not published (latest and the history store are unchanged)\n")
        _exit(128 + signo)
    }
}
