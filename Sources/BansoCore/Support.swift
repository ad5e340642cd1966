import BansoCSV
import Crypto
import Foundation

/// SHA-256 helpers; files are hashed in 1 MiB steps, never read whole.
package enum Hashing {
    /// Lower-case hex SHA-256 of a file's bytes.
    package static func sha256(file path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw FileWriteError(path: path, reason: "cannot open for reading")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { break }
            hasher.update(data: chunk)
        }
        return AtomicFile.hex(hasher.finalize())
    }

    /// Lower-case hex SHA-256 of bytes.
    package static func sha256<D: DataProtocol>(_ data: D) -> String { AtomicFile.hex(SHA256.hash(data: data)) }

    /// Lower-case hex SHA-256 of a string's UTF-8.
    package static func sha256(_ text: String) -> String { sha256(Array(text.utf8)) }
}

/// Deterministic JSON: sorted keys, pretty-printed, newline-terminated.
package enum JSONFile {
    package static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return Array(try encoder.encode(value)) + [0x0A]
    }

    package static func write<T: Encodable>(_ value: T, to path: String, permissions: mode_t = 0o644) throws {
        try AtomicFile.write(try encode(value), to: path, permissions: permissions)
    }

    package static func read<T: Decodable>(_ type: T.Type, from path: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StageFailure(.data, "cannot read \(path); run the stage that writes it first")
        }
        return try JSONDecoder().decode(type, from: data)
    }
}

/// Why a stage or command failed, with the exit status the documented table gives it.
package struct StageFailure: Error, CustomStringConvertible {
    /// Exit statuses (README, "Exit status").
    package enum Kind: Int32, Sendable {
        /// Input data cannot be used (a file rejected whole, conservation broken, a missing upstream output).
        case data = 1
        /// The pipeline file or the command line is wrong.
        case configuration = 2
        /// Another run holds the pipeline's lock.
        case lockHeld = 3
        /// A bug or an environment failure (disk full, permissions on the output folder).
        case `internal` = 4
    }
    package var kind: Kind
    package var message: String
    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
    package var description: String { message }
}

/// A small CSV table of any columns read fully into memory (analyst tools and tests; stages use
/// the typed descriptors of `RunFiles`).
package struct CSVTable: Sendable {
    package var header: [String]
    package var rows: [[String]]
    private var index: [String: Int]

    package init(header: [String], rows: [[String]]) {
        self.header = header
        self.rows = rows
        index = Dictionary(header.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// A cell by column name ("" when absent).
    package func value(_ row: [String], _ name: String) -> String {
        guard let i = index[name], i < row.count else { return "" }
        return row[i]
    }

    /// Reads a UTF-8 CSV written by Bansō (header first).
    package static func read(_ path: String) throws -> CSVTable {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StageFailure(.data, "\(path) does not exist; run the stage that writes it first")
        }
        var header: [String]?
        var rows: [[String]] = []
        try CSVReader.read(path: path, options: CSVReadOptions(encoding: .utf8)) { r in
            if header == nil { header = r.strings } else { rows.append(r.strings) }
        }
        return CSVTable(header: header ?? [], rows: rows)
    }

    /// Writes rows (header first) as UTF-8 CSV, atomically.
    package static func write(_ path: String, header: [String], rows: [[String]], permissions: mode_t = 0o644) throws {
        let w = try CSVWriter(path: path, options: CSVWriteOptions(permissions: permissions))
        try w.write(header)
        for r in rows { try w.write(r) }
        try w.finish()
    }
}

/// Where each stage's outputs live inside one run folder.
package struct RunLayout: Sendable {
    /// The run folder (a staging folder while the run is in progress).
    package let root: String
    package init(root: String) { self.root = root }

    package func path(_ relative: String) -> String { root + "/" + relative }
    package var ingest: String { path("ingest") }
    package var clean: String { path("clean") }
    package var `internal`: String { path("internal") }
    package var aggregate: String { path("aggregate") }
    package var peers: String { path("peers") }
    package var roadmap: String { path("roadmap") }
    package var feedback: String { path("feedback") }
    package var packets: String { path("packets") }

    /// Creates a folder (and parents) with the given permissions.
    package static func makeDirectory(_ path: String, permissions: Int = 0o755) throws {
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true,
            attributes: [.posixPermissions: permissions])
    }
}

/// The program version written into manifests; a change re-runs every stage.
package let bansoVersion = "0.10.0"

/// Results gathered from concurrent work; each slot written once, read after all finished.
private final class Slots<T>: @unchecked Sendable {
    var values: [T?]
    let lock = NSLock()
    init(_ n: Int) { values = Array(repeating: nil, count: n) }
    func set(_ i: Int, _ v: T) {
        lock.lock()
        values[i] = v
        lock.unlock()
    }
}

/// Work handed to other cores while this thread goes on reading, taken back in the order it was
/// given: a big file is read on one thread and its chunks checked on the others.
///
/// At most `inFlight` pieces are pending (bounded memory); `submit` waits for a free place.
package final class OrderedBackgroundWork<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var done: [Int: T] = [:]
    private var submitted = 0
    private var taken = 0
    private let places: DispatchSemaphore
    private let group = DispatchGroup()

    package init(inFlight: Int) { places = DispatchSemaphore(value: max(1, inFlight)) }

    /// Starts `work` on another thread (waits while `inFlight` pieces are pending).
    package func submit(_ work: @escaping @Sendable () -> T) {
        places.wait()
        let k = submitted
        submitted += 1
        group.enter()
        DispatchQueue.global().async {
            let result = work()
            self.lock.lock()
            self.done[k] = result
            self.lock.unlock()
            self.places.signal()
            self.group.leave()
        }
    }

    /// The finished results that follow those already taken, in submission order.
    package func takeReady() -> [T] {
        lock.lock()
        defer { lock.unlock() }
        var out: [T] = []
        while let r = done.removeValue(forKey: taken) {
            out.append(r)
            taken += 1
        }
        return out
    }

    /// Waits for everything submitted and returns the results not yet taken, in order.
    package func finish() -> [T] {
        group.wait()
        return takeReady()
    }
}

/// A value only the thread a `SerialHandOff` hands its batches to touches, until it finishes.
///
/// State added up row by row lives in it as a struct reached once per batch, because a class's
/// stored properties are checked for exclusive access at every use.
package final class Box<Value>: @unchecked Sendable {
    package var value: Value
    package init(_ value: Value) { self.value = value }
}

/// Items handed, in batches and in order, to one other thread that consumes them: this thread
/// goes on reading while that one adds up, and the consumer sees every item in the order given,
/// so its sums are those of a serial pass (floating-point sums depend on the order).
///
/// At most `inFlight` batches wait (bounded memory). The first error the consumer throws is
/// thrown by the next `add` or by `finish`, and the batches after it are dropped.
package final class SerialHandOff<Item: Sendable>: @unchecked Sendable {
    private let queue = DispatchQueue(label: "banso.serial-hand-off")
    private let places: DispatchSemaphore
    private let lock = NSLock()
    private var failure: (any Error)?
    private var batch: [Item] = []
    private let batchSize: Int
    private let consume: ([Item]) throws -> Void

    /// `consume` runs on one other thread, one batch at a time, in the order the items were added.
    package init(batchSize: Int = 4_096, inFlight: Int = 4, consume: @escaping ([Item]) throws -> Void) {
        self.batchSize = max(1, batchSize)
        // Signalled up from 0: libdispatch refuses to free a semaphore below its initial count.
        places = DispatchSemaphore(value: 0)
        for _ in 0..<max(1, inFlight) { places.signal() }
        self.consume = consume
        batch.reserveCapacity(self.batchSize)
    }

    private var firstFailure: (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        return failure
    }

    /// Adds one item; hands the batch over when it is full (waits while `inFlight` batches wait).
    package func add(_ item: Item) throws {
        batch.append(item)
        if batch.count == batchSize { try handOver() }
    }

    private func handOver() throws {
        if let failure = firstFailure { throw failure }
        let items = batch
        batch.removeAll(keepingCapacity: true)
        places.wait()
        queue.async {
            defer { self.places.signal() }
            guard self.firstFailure == nil else { return }
            do { try self.consume(items) } catch {
                self.lock.lock()
                self.failure = error
                self.lock.unlock()
            }
        }
    }

    /// Hands over what is left and waits until everything was consumed.
    package func finish() throws {
        if !batch.isEmpty { try handOver() }
        queue.sync {}
        if let failure = firstFailure { throw failure }
    }
}

/// Maps on all cores, keeping input order (outputs stay byte-identical to a serial run).
package func parallelMap<C: RandomAccessCollection, T>(_ items: C, _ transform: @Sendable (C.Element) -> T) -> [T]
where C.Index == Int, C.Element: Sendable, C: Sendable {
    let slots = Slots<T>(items.count)
    let base = items.startIndex
    DispatchQueue.concurrentPerform(iterations: items.count) { k in
        slots.set(k, transform(items[base + k]))
    }
    return slots.values.map { $0! }
}

/// Writing to stdout and stderr without dying: when the reader has gone (`banso run | head`),
/// writes fail with EPIPE and are dropped (SIGPIPE is ignored by `ignoreBrokenPipes()`), so the
/// run still finishes, cleans up and exits with its status.
package enum StandardStreams {
    /// Ignore SIGPIPE for the whole process; call once at start.
    package static func ignoreBrokenPipes() { signal(SIGPIPE, SIG_IGN) }

    /// Writes text to stderr; errors are dropped.
    package static func error(_ text: String) { write(STDERR_FILENO, text) }

    /// Writes bytes to stdout; errors are dropped.
    package static func output(_ bytes: [UInt8]) { write(STDOUT_FILENO, bytes) }

    static func write(_ fd: Int32, _ text: String) { write(fd, Array(text.utf8)) }

    static func write(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += n
        }
    }

    /// Text safe to put in a log: control characters are shown as escapes, and every line after
    /// the first is indented, so that nothing in the text (a newline in a file name) can forge a
    /// line that starts like a log line.
    package static func logSafe(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        var out = ""
        for u in text.unicodeScalars {
            switch u.value {
            case 0x0A: out += "\n    "
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0..<0x20, 0x7F: out += String(format: "\\u{%02X}", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }
}

/// Mail addresses of the master (担当者メール) and of `[packets] sender`.
package enum MailAddress {
    /// A conservative check: one `@`, a dot in the domain, no spaces, angle brackets, separators
    /// of address lists or line breaks, ASCII only.
    package static func isPlausible(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix(".")
        else { return false }
        return !s.contains { $0.isWhitespace || "<>()[],;:\\\"".contains($0) || !$0.isASCII }
    }
}

/// Quantiles by linear interpolation between order statistics (R type 7, Excel's QUARTILE.INC).
package func quantile(_ sorted: [Double], _ p: Double) -> Double? {
    guard !sorted.isEmpty else { return nil }
    let h = Double(sorted.count - 1) * p
    let lo = Int(h.rounded(.down))
    let hi = min(lo + 1, sorted.count - 1)
    return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
}

/// The quartiles of a set of values, and where a value falls among them.
///
/// One definition for every comparison that shows "the middle half" or a position: the feedback's
/// peers and prefecture, and the カルテ's context figures.
package struct Quartiles: Sendable, Equatable {
    package let q1: Double
    package let median: Double
    package let q3: Double

    /// Nil with fewer than `minimum` values (too few to show a distribution).
    package init?(sorted values: [Double], minimum: Int) {
        guard values.count >= minimum, let q1 = quantile(values, 0.25), let median = quantile(values, 0.5),
            let q3 = quantile(values, 0.75)
        else { return nil }
        self.q1 = q1
        self.median = median
        self.q3 = q3
    }

    /// Quartiles already computed (read back from a file).
    package init(q1: Double, median: Double, q3: Double) {
        self.q1 = q1
        self.median = median
        self.q3 = q3
    }

    /// 1–4: the quarter `value` falls in (a position, not a rank).
    package func position(of value: Double) -> Int {
        value <= q1 ? 1 : value <= median ? 2 : value <= q3 ? 3 : 4
    }
}

/// For each key, the position of the element kept when several share it: the greatest `date`,
/// and on a tie the one that comes last (the latest answer wins; a file read later corrects an
/// earlier one).
package func latestIndex<Element, Key: Hashable, Date: Comparable>(
    in elements: [Element], key: (Element) -> Key, date: (Element) -> Date
) -> [Key: Int] {
    var winner: [Key: Int] = [:]
    for (n, e) in elements.enumerated() {
        let k = key(e)
        if let w = winner[k], date(elements[w]) > date(e) { continue }
        winner[k] = n
    }
    return winner
}
