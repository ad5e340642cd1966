import BansoCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Run output: a compact progress display on a terminal, timestamped plain lines otherwise
/// (cron mail), and every line appended to `<output>/banso.log`.
public final class Log: @unchecked Sendable {
    private let lock = NSLock()
    private let terminal: Bool
    private var file: FileHandle?
    public let quiet: Bool

    public init(quiet: Bool = false) {
        terminal = isatty(STDERR_FILENO) == 1
        self.quiet = quiet
    }

    /// Starts appending to a log file (created 0640 when new).
    public func append(to path: String) {
        let fm = FileManager.default
        if !fm.fileExists(atPath: path) {
            try? RunLayout.makeDirectory((path as NSString).deletingLastPathComponent)
            fm.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o640])
        }
        file = FileHandle(forWritingAtPath: path)
        _ = try? file?.seekToEnd()
    }

    /// ISO 8601 UTC, seconds.
    public static func timestamp(_ date: Date = Date()) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }

    /// `20261125T112233Z`, for run folder names.
    public static func compactTimestamp(_ date: Date = Date()) -> String {
        timestamp(date).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
    }

    private func emit(_ line: String, level: String, toTerminal: String?) {
        lock.lock()
        defer { lock.unlock() }
        let stamped = "\(Self.timestamp()) \(level) \(line)\n"
        if let data = stamped.data(using: .utf8) { file?.write(data) }
        guard !quiet else { return }
        // On a terminal, clear a progress line that may be showing.
        let shown = terminal ? "\r\u{1B}[K" + (toTerminal ?? line) + "\n" : stamped
        FileHandle.standardError.write(shown.data(using: .utf8)!)
    }

    public func info(_ line: String) { emit(line, level: "INFO", toTerminal: "  " + line) }
    public func error(_ line: String) { emit(line, level: "ERROR", toTerminal: "✗ " + line) }

    /// A line for the user only (dry runs, status): stdout, never timestamped.
    public func plain(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        print(line)
    }

    public func stageStart(_ s: StageName, reason: String) {
        emit("stage \(s.rawValue): running (\(reason))", level: "INFO", toTerminal: "▶ \(s.rawValue) … (\(reason))")
    }

    public func stageSkipped(_ s: StageName, reason: String) {
        emit("stage \(s.rawValue): skipped (\(reason))", level: "INFO", toTerminal: "· \(s.rawValue) skipped: \(reason)")
    }

    public func stageDone(_ s: StageName, seconds: Double, counts: [String: Int]) {
        let rows = counts["rows"] ?? counts["accepted"] ?? counts["cells"] ?? counts["packets"] ?? counts["municipalities"]
        var detail = String(format: "%.2f s", seconds)
        if let rows, seconds > 0 { detail += ", \(rows) (\(Int(Double(rows) / seconds))/s)" }
        let summary = counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        emit("stage \(s.rawValue): done in \(detail); \(summary)", level: "INFO", toTerminal: "✓ \(s.rawValue) \(detail)  \(summary)")
    }

    /// A live line for a running stage on a terminal (rows done, rate, elapsed); nothing otherwise.
    public func progressMeter(for stage: StageName) -> ProgressMeter {
        ProgressMeter(stage: stage.rawValue, enabled: terminal && !quiet)
    }
}

/// Counts rows from any thread and redraws one terminal line at most ten times a second.
public final class ProgressMeter: @unchecked Sendable {
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

    public func add(_ n: Int) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        done += n
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Int(Double(done) / elapsed) : 0
        FileHandle.standardError.write("\r  \(stage): \(done) done, \(rate)/s, \(String(format: "%.1f", elapsed)) s   ".data(using: .utf8)!)
    }

    func finish() {
        guard enabled, done > 0 else { return }
        FileHandle.standardError.write("\r\u{1B}[K".data(using: .utf8)!)
    }
}
