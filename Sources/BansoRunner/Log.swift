import BansoCore
import Foundation
import Logging
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// UTC timestamps for log lines, the lock note and run folder names (never inside data files).
package enum Timestamps {
    /// ISO 8601 UTC, seconds.
    package static func iso8601(_ date: Date = Date()) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }

    /// `20261125T112233Z`, for run folder names.
    package static func compact(_ date: Date = Date()) -> String {
        iso8601(date).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
    }
}

/// Where a run's log lines go: stderr (a compact display on a terminal, timestamped plain lines
/// otherwise, for cron mail) and every line appended to `<output>/banso.log`.
///
/// Stages log through a swift-log `Logger` made here, with the stage in its metadata.
package final class RunConsole: @unchecked Sendable {
    private let lock = NSLock()
    private let terminal: Bool
    private var file: FileHandle?
    package let quiet: Bool

    package init(quiet: Bool = false) {
        terminal = isatty(STDERR_FILENO) == 1
        self.quiet = quiet
    }

    /// Starts appending to a log file (created 0640 when new).
    package func append(to path: FilePath) {
        let fm = FileManager.default
        if !fm.fileExists(atPath: path.string) {
            try? RunLayout.makeDirectory(path.removingLastComponent())
            _ = fm.createFile(atPath: path.string, contents: nil, attributes: [.posixPermissions: 0o640])
        }
        file = FileHandle(forWritingAtPath: path.string)
        _ = try? file?.seekToEnd()
    }

    /// A logger writing here; `stage` goes into its metadata and prefixes its lines.
    package func logger(stage: StageName? = nil) -> Logger {
        var logger = Logger(label: "banso") { _ in RunLogHandler(console: self) }
        if let stage { logger[metadataKey: RunLogHandler.stageKey] = .string(stage.rawValue) }
        return logger
    }

    /// What a line says about a stage's life, for the terminal's symbols.
    enum Event: String {
        case start, skip, done
    }

    fileprivate func emit(_ event: LogEvent, metadata: Logger.Metadata) {
        let stage = metadata[RunLogHandler.stageKey].map { "\($0)" }
        let kind = metadata[RunLogHandler.eventKey].flatMap { Event(rawValue: "\($0)") }
        let message = StandardStreams.logSafe(event.message.description)
        let plain = stage != nil && kind == nil ? "\(stage!): \(message)" : message
        let shown: String
        switch (kind, event.level) {
        case (.start?, _): shown = "▶ " + message
        case (.skip?, _): shown = "· " + message
        case (.done?, _): shown = "✓ " + message
        case (nil, .error), (nil, .critical): shown = "✗ " + plain
        default: shown = "  " + plain
        }
        let level = event.level == .critical ? "ERROR" : event.level.rawValue.uppercased()
        lock.lock()
        defer { lock.unlock() }
        let stamped =
            "\(Timestamps.iso8601()) \(level) \(kind.map { _ in plainLifecycle(message, metadata) } ?? plain)\n"
        if let data = stamped.data(using: .utf8) { file?.write(data) }
        guard !quiet else { return }
        // On a terminal, clear a progress line that may be showing.
        let out = terminal ? "\r\u{1B}[K" + shown + "\n" : stamped
        StandardStreams.error(out)
    }

    /// The plain-text (log file, cron) form of a stage-life line.
    private func plainLifecycle(_ message: String, _ metadata: Logger.Metadata) -> String {
        metadata[RunLogHandler.plainKey].map { StandardStreams.logSafe("\($0)") } ?? message
    }

    /// A line for the user only (dry runs, status): stdout, never timestamped.
    package func plain(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        print(line)
    }

    /// A live line for a running stage on a terminal (rows done, rate, elapsed); nothing otherwise.
    package func progressMeter(for stage: StageName) -> ProgressMeter {
        ProgressMeter(stage: stage.rawValue, enabled: terminal && !quiet)
    }
}

extension Logger {
    /// A stage starts running, and why.
    func stageStart(_ s: StageName, reason: String) {
        info(
            "\(s.rawValue) … (\(reason))",
            metadata: [
                RunLogHandler.eventKey: "start", RunLogHandler.plainKey: "stage \(s.rawValue): running (\(reason))",
            ])
    }

    /// A stage's outputs are carried over.
    func stageSkipped(_ s: StageName, reason: String) {
        info(
            "\(s.rawValue) skipped: \(reason)",
            metadata: [
                RunLogHandler.eventKey: "skip", RunLogHandler.plainKey: "stage \(s.rawValue): skipped (\(reason))",
            ])
    }

    /// A stage finished: time, rate and its counts.
    func stageDone(_ s: StageName, seconds: Double, counts: [String: Int]) {
        let rows =
            counts["rows"] ?? counts["accepted"] ?? counts["cells"] ?? counts["packets"] ?? counts["municipalities"]
        var detail = String(format: "%.2f s", seconds)
        if let rows, seconds > 0 { detail += ", \(rows) (\(Int(Double(rows) / seconds))/s)" }
        let summary = counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        info(
            "\(s.rawValue) \(detail)  \(summary)",
            metadata: [
                RunLogHandler.eventKey: "done",
                RunLogHandler.plainKey: "stage \(s.rawValue): done in \(detail); \(summary)",
            ])
    }
}

/// The swift-log handler of a run: renders through its `RunConsole`.
struct RunLogHandler: LogHandler {
    static let stageKey = "stage"
    static let eventKey = "event"
    static let plainKey = "plain"

    let console: RunConsole
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        console.emit(event, metadata: metadata.merging(event.metadata ?? [:]) { $1 })
    }
}

/// Counts rows from any thread and redraws one terminal line at most ten times a second.
package final class ProgressMeter: @unchecked Sendable {
    private let lock = NSLock()
    private let stage: String
    private let enabled: Bool
    private let start = Date()
    private var done = 0
    private var lastDraw = Date.distantPast

    init(stage: String, enabled: Bool) {
        self.stage = stage
        self.enabled = enabled
    }

    package func add(_ n: Int) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        done += n
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Int(Double(done) / elapsed) : 0
        StandardStreams.error("\r  \(stage): \(done) done, \(rate)/s, \(String(format: "%.1f", elapsed)) s   ")
    }

    func finish() {
        guard enabled, done > 0 else { return }
        StandardStreams.error("\r\u{1B}[K")
    }
}
