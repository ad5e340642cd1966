import Crypto
import Dispatch
import Synchronization
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Options for writing one CSV file.
package struct CSVWriteOptions: Sendable {
    package enum Newline: String, Sendable { case lf, crlf }
    package var encoding: TextEncoding = .utf8
    package var newline: Newline = .lf
    /// Prefix text cells that Excel would run as a formula with `'` (files meant for Excel).
    package var formulaGuard = false
    /// Replace characters the encoding cannot hold with `?` instead of failing.
    package var replaceUnencodable = false
    /// File permissions of the written file.
    package var permissions: mode_t = 0o644
    /// The staging folder's writes the file belongs to (nil outside a run's staging folder).
    package var staging: StagingWrites?

    package init(
        encoding: TextEncoding = .utf8, newline: Newline = .lf, formulaGuard: Bool = false,
        replaceUnencodable: Bool = false, permissions: mode_t = 0o644, staging: StagingWrites? = nil
    ) {
        self.encoding = encoding
        self.newline = newline
        self.formulaGuard = formulaGuard
        self.replaceUnencodable = replaceUnencodable
        self.permissions = permissions
        self.staging = staging
    }

    /// What packets use: Excel on Windows, CRLF, formula guard on.
    package static func excel(_ encoding: TextEncoding) -> CSVWriteOptions {
        CSVWriteOptions(encoding: encoding, newline: .crlf, formulaGuard: true)
    }
}

/// A file that could not be read or written: names the file, what failed and the cause in
/// words (`the disk is full`, `permission denied`).
package struct FileError: Error, CustomStringConvertible {
    package enum Operation: String, Sendable { case read, write }
    package var operation: Operation
    package var path: FilePath
    package var reason: String
    package init(_ operation: Operation, _ path: FilePath, reason: String) {
        self.operation = operation
        self.path = path
        self.reason = reason
    }
    package var description: String { "\(path): cannot \(operation.rawValue): \(reason)" }
}

/// The files one run writes into its staging folder, which the runner publishes whole or
/// discards: each is synced with the folder rather than one by one, and hashed on its way out.
///
/// The runner makes one for a run and hands it to the stages through their run layout; a file
/// written with it is not synced by `AtomicFile.commit` (thousands of packet files, each synced,
/// cost a third of the stage) and, when new, is written in place.
package final class StagingWrites: Sendable {
    /// A file committed in the staging folder: its SHA-256 (lower-case hex), taken as it was
    /// written, and what identifies the file it was written to.
    struct Written: Sendable {
        let sha256: String
        let device: UInt64, inode: UInt64, size: Int64
    }

    /// Each file committed, by path.
    ///
    /// The runner hashes every file a stage writes; taking the digest from the bytes on their way
    /// out spares reading them all again after the stage (a tenth of a second, on one core, for
    /// a Hokkaido-size run).
    private let written = Mutex<[FilePath: Written]>([:])

    package init() {}

    func record(_ path: FilePath, _ w: Written) { written.withLock { $0[path] = w } }

    /// The digest of the file now at `path`, if it was written here and it is still that file
    /// (same device, inode and size); nil otherwise, and the caller hashes it.
    package func recordedDigest(of path: FilePath) -> String? {
        guard let w = written.withLock({ $0[path] }) else { return nil }
        var st = stat()
        guard path.withPlatformString({ stat($0, &st) }) == 0, UInt64(st.st_dev) == w.device,
            UInt64(st.st_ino) == w.inode,
            Int64(st.st_size) == w.size
        else { return nil }
        return w.sha256
    }
}

/// Writes bytes to `path` atomically: a temporary file in the same folder, fsync, rename.
///
/// A crash leaves either the old file or the new one, never half of one. In a staging folder
/// (`staging` given) a file that is new is written in place: the folder itself is published
/// whole or discarded, so nobody sees half of it either.
package final class AtomicFile {
    package let path: FilePath
    /// The staging folder's writes this file belongs to: `commit` leaves the fsync to the runner.
    private let staging: StagingWrites?
    private let temporary: FilePath
    /// Open until `commit` closes it.
    private var fd: FileDescriptor?
    private var buffer: [UInt8] = []
    private var committed = false
    private static let flushSize = 1 << 20
    /// Files at least this big are handed to the disk as soon as they are committed in a staging folder.
    private static let earlyWritebackSize = 4 << 20
    /// The SHA-256 of what was written so far, taken in a staging folder.
    private var hasher: SHA256?

    package init(path: FilePath, permissions: mode_t = 0o644, staging: StagingWrites? = nil) throws {
        self.path = path
        self.staging = staging
        buffer.reserveCapacity(Self.flushSize + 4096)
        let mode = FilePermissions(rawValue: CModeT(permissions))
        // While the runner fills a staging folder (which it publishes whole, or discards), a file
        // that does not exist yet is written in place: a temporary name and a rename per file
        // cost a tenth of the packets stage. O_EXCL keeps this to new files, so that an existing
        // one (a hard link into a published run, say) is still replaced, never written through.
        if staging != nil {
            hasher = SHA256()
            if let direct = try? FileDescriptor.open(
                path, .writeOnly, options: [.create, .exclusiveCreate, .closeOnExec], permissions: mode)
            {
                temporary = path
                fd = direct
                _ = fchmod(direct.rawValue, permissions)
                return
            }
        }
        temporary = FilePath(path.string + ".tmp-\(getpid())")
        do {
            fd = try FileDescriptor.open(
                temporary, .writeOnly, options: [.create, .truncate, .closeOnExec], permissions: mode)
        } catch let errno as Errno {
            throw FileError(.write, path, reason: errno.words)
        }
        _ = fchmod(fd!.rawValue, permissions)  // umask must not widen or narrow what we chose
    }

    deinit {
        if !committed {
            try? fd?.close()
            _ = temporary.withPlatformString { unlink($0) }
        }
    }

    /// Appends bytes (buffered).
    package func write<S: Sequence>(_ bytes: S) throws where S.Element == UInt8 {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.flushSize { try flush() }
    }

    /// Appends by writing straight into the buffer (no intermediate array).
    package func append(_ body: (inout [UInt8]) -> Void) throws {
        body(&buffer)
        if buffer.count >= Self.flushSize { try flush() }
    }

    /// Appends a string's UTF-8.
    package func write(_ text: String) throws { try write(text.utf8) }

    private func flush() throws {
        if hasher != nil { buffer.withUnsafeBytes { hasher!.update(bufferPointer: $0) } }
        do {
            _ = try fd?.writeAll(buffer)
        } catch let errno as Errno {
            throw FileError(.write, path, reason: errno.words)
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, syncs and renames into place.
    package func commit() throws {
        try flush()
        guard let fd else { return }
        if staging == nil, fsync(fd.rawValue) != 0 {
            throw FileError(.write, path, reason: Errno.last.words)
        }
        var st = stat()
        let identified = fstat(fd.rawValue, &st) == 0
        if staging != nil, identified, st.st_size >= Self.earlyWritebackSize {
            // The run syncs everything before it publishes; a big file's blocks start for the disk
            // now, on another thread, so that the disk writes while the later stages compute
            // (that final sync waited a tenth of a second or more for a Hokkaido-size run).
            let early = dup(fd.rawValue)
            if early >= 0 {
                DispatchQueue.global(qos: .utility).async {
                    _ = fdatasync(early)
                    close(early)
                }
            }
        }
        self.fd = nil
        do { try fd.close() } catch let errno as Errno { throw FileError(.write, path, reason: errno.words) }
        if temporary != path,
            temporary.withPlatformString({ from in path.withPlatformString { rename(from, $0) } }) != 0
        {
            throw FileError(.write, path, reason: Errno.last.words)
        }
        committed = true
        if let staging, let hasher, identified {
            staging.record(
                path,
                StagingWrites.Written(
                    sha256: Self.hex(hasher.finalize()), device: UInt64(st.st_dev), inode: UInt64(st.st_ino),
                    size: Int64(st.st_size)))
        }
    }

    /// Lower-case hex of a digest's bytes: how every SHA-256 in a run's files is written.
    package static func hex<S: Sequence>(_ digest: S) -> String where S.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in digest {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Writes a whole file at once.
    package static func write(
        _ bytes: [UInt8], to path: FilePath, permissions: mode_t = 0o644, staging: StagingWrites? = nil
    ) throws {
        let file = try AtomicFile(path: path, permissions: permissions, staging: staging)
        try file.write(bytes)
        try file.commit()
    }
}

/// RFC 4180 CSV writer: quotes only when needed, UTF-8 / UTF-8 BOM / CP932, LF or CRLF.
public final class CSVWriter {
    private let file: AtomicFile
    private let options: CSVWriteOptions

    /// Opens `path` for writing; nothing appears there until `finish()`.
    package init(path: FilePath, options: CSVWriteOptions = CSVWriteOptions()) throws {
        self.options = options
        file = try AtomicFile(path: path, permissions: options.permissions, staging: options.staging)
        if options.encoding == .utf8BOM { try file.write([0xEF, 0xBB, 0xBF]) }
    }

    /// Writes one row of text cells.
    package func write(_ fields: [String]) throws {
        try file.write(Self.encodeRow(fields, options: options))
    }

    /// Flushes and publishes the file.
    package func finish() throws { try file.commit() }

    /// Encodes a row (without a BOM), for callers that build files in memory.
    package static func encodeRow(_ fields: [String], options: CSVWriteOptions) throws -> [UInt8] {
        var out: [UInt8] = []
        for (i, field) in fields.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            var text = field
            if options.formulaGuard && needsFormulaGuard(text) { text = "'" + text }
            guard options.encoding == .cp932 else {
                // UTF-8: quoted where needed straight from the bytes, as `appendField` does.
                appendField(text.utf8, to: &out)
                continue
            }
            let needsQuotes =
                text.utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
                || text.utf8.first == 0x20 || text.utf8.last == 0x20
            if needsQuotes { text = "\"" + text.replacingAll("\"", with: "\"\"") + "\"" }
            out.append(contentsOf: try TextEncoder.encode(text, as: .cp932, replace: options.replaceUnencodable))
        }
        if options.newline == .crlf { out.append(0x0D) }
        out.append(0x0A)
        return out
    }

    /// Builds a whole CSV file in memory (BOM included when asked).
    package static func encode(_ rows: [[String]], options: CSVWriteOptions) throws -> [UInt8] {
        var out: [UInt8] = options.encoding == .utf8BOM ? [0xEF, 0xBB, 0xBF] : []
        for row in rows { out.append(contentsOf: try encodeRow(row, options: options)) }
        return out
    }

    /// True when Excel would treat the cell as a formula: it starts with `=`, `+`, `-`, `@`,
    /// tab or CR and is not a plain number (`-12.5` stays a number).
    package static func needsFormulaGuard(_ text: String) -> Bool {
        guard let first = text.utf8.first else { return false }
        switch first {
        case UInt8(ascii: "="), UInt8(ascii: "@"), 0x09, 0x0D: return true
        case UInt8(ascii: "+"), UInt8(ascii: "-"): return !isPlainNumber(text)
        default: return false
        }
    }

    private static func isPlainNumber(_ text: String) -> Bool {
        var digits = 0
        var dots = 0
        for (i, b) in text.utf8.enumerated() {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: "."): dots += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"): if i != 0 { return false }
            default: return false
            }
        }
        return digits > 0 && dots <= 1
    }
}

extension String {
    /// Replaces every occurrence of `target` (no Foundation needed in this module).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard contains(target) else { return self }
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

extension CSVWriter {
    /// Writes one row from byte fields without making Strings (the ingest/clean hot path).
    ///
    /// UTF-8 output only; the formula guard does not apply (internal files).
    package func writeBytes(_ fields: [ArraySlice<UInt8>]) throws {
        let crlf = options.newline == .crlf
        try file.append { Self.appendRow(fields, to: &$0, crlf: crlf) }
    }

    /// Appends already encoded rows (built with `appendRow`), for example by workers on other threads.
    package func writeRaw(_ bytes: [UInt8]) throws { try file.write(bytes) }

    /// Appends one row of byte fields (UTF-8, LF or CRLF) to a buffer.
    package static func appendRow(_ fields: [ArraySlice<UInt8>], to out: inout [UInt8], crlf: Bool = false) {
        for (i, field) in fields.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendField(field, to: &out)
        }
        if crlf { out.append(0x0D) }
        out.append(0x0A)
    }

    /// Appends an ingest copy's row: two leading fields, a line number, a third field, then the record's columns.
    ///
    /// The columns go in `columns` order (-1 or a column the record lacks: empty), straight from
    /// the record's bytes, without a slice per field (each slice retains the record). Rows are
    /// gathered a batch at a time and handed to `writeRaw`, since the writer is a class, checked
    /// for exclusive access at every use.
    @inlinable
    package static func appendMapped<First: BidirectionalCollection, Third: BidirectionalCollection>(
        _ first: First, line: Int, _ third: Third, record: CSVRecord, columns: UnsafeBufferPointer<Int>,
        crlf: Bool = false, to out: inout [UInt8]
    ) where First.Element == UInt8, Third.Element == UInt8 {
        appendField(first, to: &out)
        out.append(UInt8(ascii: ","))
        appendInteger(line, to: &out)
        out.append(UInt8(ascii: ","))
        appendField(third, to: &out)
        record.withFields { fields in
            for column in columns {
                out.append(UInt8(ascii: ","))
                appendField(fields[column], to: &out)
            }
        }
        if crlf { out.append(0x0D) }
        out.append(0x0A)
    }

    /// Appends a whole number's decimal digits (no String made).
    ///
    /// Most significant digit first: reversing a slice of `out` afterwards cost a retain, a
    /// release and a uniqueness check per number.
    @inlinable
    public static func appendInteger(_ value: Int, to out: inout [UInt8]) {
        let v = value.magnitude
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var power: UInt = 1
        while power <= v / 10 { power *= 10 }
        while power > 0 {
            out.append(0x30 + UInt8(v / power % 10))
            power /= 10
        }
    }

    /// Appends a field, quoted only when it holds a comma, quote, line break or edge space.
    @inline(__always)
    @inlinable
    package static func appendField<Field: BidirectionalCollection>(_ field: Field, to out: inout [UInt8])
    where Field.Element == UInt8 {
        var needs = false
        for b in field where b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D {
            needs = true
            break
        }
        if !needs, let f = field.first, let l = field.last, f == 0x20 || l == 0x20 { needs = true }
        if !needs {
            // Through the contiguous bytes: appending an ArraySlice as such takes it owned, a
            // retain and a release of the record it slices, per field.
            if field.withContiguousStorageIfAvailable({ out.append(contentsOf: $0) }) == nil {
                out.append(contentsOf: field)
            }
            return
        }
        out.append(0x22)
        for b in field {
            if b == 0x22 { out.append(0x22) }
            out.append(b)
        }
        out.append(0x22)
    }
}
