import CLibCSV
import Dispatch
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One CSV record: its fields as UTF-8 bytes and the physical line it starts on.
///
/// A record is only valid inside the reader's callback; copy what you keep
/// (`string(_:)`, `strings`), because the reader reuses its buffers.
public struct CSVRecord: Sendable {
    /// Physical line (1-based) of the record's first byte in the file.
    package let line: Int
    /// The fields' bytes, then each field's end offset as a 4-byte little-endian integer: one
    /// allocation a record (a million kept records cost a million fewer mallocs and frees).
    @usableFromInline let storage: [UInt8]
    /// Where the fields' bytes end and the offsets begin.
    @usableFromInline let byteCount: Int
    /// Number of fields.
    public let count: Int

    init(line: Int, storage: [UInt8], byteCount: Int, count: Int) {
        self.line = line
        self.storage = storage
        self.byteCount = byteCount
        self.count = count
    }

    /// Builds a record from strings (tests and the writer's round trips).
    package init(line: Int, fields: [String]) {
        var b: [UInt8] = []
        var ends: [Int] = []
        for f in fields {
            b.append(contentsOf: f.utf8)
            ends.append(b.count)
        }
        let byteCount = b.count
        for e in ends { Self.appendOffset(e, to: &b) }
        self.init(line: line, storage: b, byteCount: byteCount, count: fields.count)
    }

    /// Appends a field's end offset in the storage's format.
    @inline(__always)
    static func appendOffset(_ offset: Int, to storage: inout [UInt8]) {
        let v = UInt32(truncatingIfNeeded: offset)
        storage.append(UInt8(truncatingIfNeeded: v))
        storage.append(UInt8(truncatingIfNeeded: v >> 8))
        storage.append(UInt8(truncatingIfNeeded: v >> 16))
        storage.append(UInt8(truncatingIfNeeded: v >> 24))
    }

    /// Where field `i`'s bytes end.
    @inlinable func end(_ i: Int) -> Int {
        storage.withUnsafeBytes { Self.end(i, in: $0, byteCount: byteCount) }
    }

    /// Where field `i`'s bytes end, read from a record's storage (the one reading of the offsets'
    /// format, for the record and its `CSVFields` alike).
    @inlinable static func end(_ i: Int, in storage: UnsafeRawBufferPointer, byteCount: Int) -> Int {
        Int(UInt32(littleEndian: storage.loadUnaligned(fromByteOffset: byteCount + 4 * i, as: UInt32.self)))
    }

    /// Where field `i`'s bytes start.
    @inlinable func start(_ i: Int) -> Int { i == 0 ? 0 : end(i - 1) }

    /// The bytes of field `i`.
    @inlinable public subscript(i: Int) -> ArraySlice<UInt8> {
        precondition(i >= 0 && i < count, "field \(i) of a record with \(count)")
        return storage[start(i)..<end(i)]
    }

    /// Field `i` as a String (empty when the record is shorter).
    @inlinable package func string(_ i: Int) -> String {
        guard i < count else { return "" }
        return String(decoding: self[i], as: UTF8.self)
    }

    /// Every field as a String.
    package var strings: [String] { (0..<count).map(string) }
}

/// The fields of one record as byte views that cost no reference counting per field.
///
/// Each `ArraySlice` of a record retains its storage; these views are for loops that read every
/// field of a million rows. Valid only inside `CSVRecord.withFields`.
public struct CSVFields {
    @usableFromInline let base: UnsafeBufferPointer<UInt8>
    @usableFromInline let byteCount: Int
    /// Number of fields.
    public let count: Int

    @inlinable init(base: UnsafeBufferPointer<UInt8>, byteCount: Int, count: Int) {
        self.base = base
        self.byteCount = byteCount
        self.count = count
    }

    @inlinable func end(_ i: Int) -> Int { CSVRecord.end(i, in: UnsafeRawBufferPointer(base), byteCount: byteCount) }

    /// The bytes of field `i`; empty when the record has fewer fields.
    @inlinable public subscript(i: Int) -> UnsafeBufferPointer<UInt8> {
        guard i >= 0 && i < count else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(rebasing: base[(i == 0 ? 0 : end(i - 1))..<end(i)])
    }
}

extension CSVRecord {
    /// Calls `body` with the record's fields as byte views (see `CSVFields`).
    @inlinable public func withFields<R>(_ body: (CSVFields) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer { try body(CSVFields(base: $0, byteCount: byteCount, count: count)) }
    }
}

/// Options for reading one CSV file.
package struct CSVReadOptions: Sendable {
    /// Field delimiter: `,` by default, tab for TSV.
    package var delimiter: UInt8 = UInt8(ascii: ",")
    /// Encoding: detect, or force.
    package var encoding: EncodingChoice = .auto
    /// Bytes read and parsed per step; the file is never held whole in memory.
    package var chunkSize: Int = 1 << 20
    /// Reads and decodes the next chunks on another thread while this one parses.
    ///
    /// Only when there is more than one chunk; records, lines and errors are the same either way.
    package var decodeAhead = true

    package init(
        delimiter: UInt8 = UInt8(ascii: ","), encoding: EncodingChoice = .auto, chunkSize: Int = 1 << 20,
        decodeAhead: Bool = true
    ) {
        self.delimiter = delimiter
        self.encoding = encoding
        self.chunkSize = max(1, chunkSize)
        self.decodeAhead = decodeAhead
    }
}

/// Line ends seen in a file (the first one decides).
package enum LineEnding: String, Sendable, Codable {
    case crlf = "CRLF", lf = "LF", cr = "CR", none = "none"
}

/// What reading a file found, besides its records.
package struct CSVReadSummary: Sendable, Codable, Equatable {
    package var encoding: EncodingDecision
    package var lineEnding: LineEnding
    /// Non-blank records delivered (the header included).
    package var records: Int
    /// Blank rows and rows made only of delimiters, skipped.
    package var blankRowsSkipped: Int
    /// Raw bytes read.
    package var bytes: Int
}

/// A file the reader cannot read: names the file, the line and byte offset, and what is wrong.
package struct CSVReadError: Error, CustomStringConvertible, Equatable {
    /// Stable identifiers for the kinds of failure.
    package enum Kind: String, Sendable {
        case unreadable, encoding, nulByte = "nul_byte", unterminatedQuote = "unterminated_quote"
        case malformedQuote = "malformed_quote", outOfMemory = "out_of_memory"
    }
    package var file: String
    package var kind: Kind
    package var line: Int?
    package var byteOffset: Int?
    package var message: String

    package init(file: String, kind: Kind, line: Int? = nil, byteOffset: Int? = nil, message: String) {
        self.file = file
        self.kind = kind
        self.line = line
        self.byteOffset = byteOffset
        self.message = message
    }

    /// "line 12, byte offset 345" (what is known of the place), without the file name.
    package var location: String {
        var parts: [String] = []
        if let line { parts.append("line \(line)") }
        if let byteOffset { parts.append("byte offset \(byteOffset)") }
        return parts.joined(separator: ", ")
    }

    package var description: String {
        location.isEmpty ? "\(file): \(message)" : "\(file): \(location): \(message)"
    }
}

/// Mutable state the C callbacks write into; lives behind an owned pointer so that the hot
/// path pays neither class-property exclusivity checks nor retain traffic.
private struct ParserState {
    /// The current record's field bytes, in a buffer this state owns (appending to an Array per
    /// field cost a sixth of the reader's time).
    var buffer: UnsafeMutablePointer<UInt8>
    var capacity = 4096
    var count = 0
    /// Where each field of the current record ends, in a buffer this state owns (an Array's
    /// append checks uniqueness per field).
    var ends: UnsafeMutablePointer<UInt32>
    var endsCapacity = 64
    var fields = 0
    var embeddedNewlines = 0
    /// Physical line where the next record starts.
    var line = 1
    /// The previous event was a CR row end with nothing after it (a following LF is CRLF).
    var afterCR = false
    var lineEnding: LineEnding = .none
    var records = 0
    var blank = 0
    var handler: (CSVRecord) throws -> Void
    var failure: (any Error)?

    init(handler: @escaping (CSVRecord) throws -> Void) {
        self.handler = handler
        buffer = .allocate(capacity: capacity)
        ends = .allocate(capacity: endsCapacity)
    }

    func release() {
        buffer.deallocate()
        ends.deallocate()
    }

    /// Records that a field ends where the bytes end now.
    @inline(__always)
    mutating func endField() {
        if fields == endsCapacity {
            let bigger = UnsafeMutablePointer<UInt32>.allocate(capacity: endsCapacity * 2)
            bigger.update(from: ends, count: fields)
            ends.deallocate()
            ends = bigger
            endsCapacity *= 2
        }
        ends[fields] = UInt32(truncatingIfNeeded: count)
        fields += 1
    }

    mutating func field(_ base: UnsafeRawPointer?, _ length: Int) {
        afterCR = false
        guard length > 0, let base else {
            endField()
            return
        }
        let buf = UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: length)
        if count + length > capacity {
            var grown = capacity * 2
            while grown < count + length { grown *= 2 }
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            bigger.update(from: buffer, count: count)
            buffer.deallocate()
            buffer = bigger
            capacity = grown
        }
        (buffer + count).update(from: buf.baseAddress!, count: length)
        count += length
        endField()
        if buf[0] != 0x20 && buf[0] != 0x09 { nonBlank = true }
        // Quoted fields may hold line breaks; they move the physical line counter.
        if Self.hasLineBreak(buf) {
            var prevCR = false
            for b in buf {
                if b == 0x0A {
                    if !prevCR { embeddedNewlines += 1 }
                    prevCR = false
                } else if b == 0x0D {
                    embeddedNewlines += 1
                    prevCR = true
                } else {
                    prevCR = false
                }
            }
        }
    }

    /// True when the bytes hold CR or LF; eight bytes at a time (SWAR), since most fields have none.
    @inline(__always)
    static func hasLineBreak(_ buf: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = buf.count
        let base = UnsafeRawPointer(buf.baseAddress!)
        var i = 0
        while i + 8 <= n {
            let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let lf = w ^ 0x0A0A_0A0A_0A0A_0A0A, cr = w ^ 0x0D0D_0D0D_0D0D_0D0D
            let zeroLF = (lf &- 0x0101_0101_0101_0101) & ~lf & 0x8080_8080_8080_8080
            let zeroCR = (cr &- 0x0101_0101_0101_0101) & ~cr & 0x8080_8080_8080_8080
            if zeroLF | zeroCR != 0 { return true }
            i += 8
        }
        while i < n {
            let b = buf[i]
            if b == 0x0A || b == 0x0D { return true }
            i += 1
        }
        return false
    }

    /// Set when a field starts with something other than a space or tab (then the row is not blank).
    var nonBlank = false

    mutating func rowEnd(_ terminator: Int32) {
        if failure != nil {
            reset()
            return
        }
        if fields == 0 {
            // An empty physical line, or the LF of a CRLF.
            if terminator == 0x0A && afterCR {
                afterCR = false
                if lineEnding == .cr { lineEnding = .crlf }
                return
            }
            afterCR = terminator == 0x0D
            if terminator >= 0 {
                if lineEnding == .none { lineEnding = terminator == 0x0D ? .cr : .lf }
                blank += 1
                line += 1
            }
            return
        }
        if lineEnding == .none && terminator >= 0 { lineEnding = terminator == 0x0D ? .cr : .lf }
        let startLine = line
        line += embeddedNewlines + (terminator >= 0 ? 1 : 0)
        afterCR = terminator == 0x0D
        if !nonBlank && isBlankRow() {
            blank += 1
        } else {
            records += 1
            // One allocation, filled in place: the bytes, then each field's end as 4 bytes
            // little-endian (the handlers keep their records, so a reused buffer was copied anyway).
            let byteCount = count, fieldCount = fields
            let storage = [UInt8](unsafeUninitializedCapacity: byteCount + 4 * fieldCount) { out, initialized in
                let base = out.baseAddress!
                base.update(from: buffer, count: byteCount)
                let offsets = UnsafeMutableRawPointer(base + byteCount)
                for i in 0..<fieldCount {
                    offsets.storeBytes(
                        of: ends[i].littleEndian, toByteOffset: 4 * i, as: UInt32.self)
                }
                initialized = byteCount + 4 * fieldCount
            }
            let record = CSVRecord(line: startLine, storage: storage, byteCount: byteCount, count: fieldCount)
            do { try handler(record) } catch { failure = error }
        }
        reset()
    }

    private func isBlankRow() -> Bool {
        for i in 0..<count where buffer[i] != 0x20 && buffer[i] != 0x09 { return false }
        return true
    }

    mutating func reset() {
        count = 0
        fields = 0
        embeddedNewlines = 0
        nonBlank = false
    }
}

private func fieldCallback(_ data: UnsafeMutableRawPointer?, _ len: Int, _ ctx: UnsafeMutableRawPointer?) {
    ctx!.assumingMemoryBound(to: ParserState.self).pointee.field(UnsafeRawPointer(data), len)
}

private func rowCallback(_ c: Int32, _ ctx: UnsafeMutableRawPointer?) {
    ctx!.assumingMemoryBound(to: ParserState.self).pointee.rowEnd(c)
}

/// Streaming CSV reader on libcsv: strict RFC 4180 quoting, any line end, CP932 or UTF-8.
package enum CSVReader {
    /// Reads the file at `path`, calling `body` with every non-blank record in order.
    ///
    /// Throws `CSVReadError` for an unreadable file, an encoding problem, a NUL byte or a
    /// quoting error; rethrows what `body` throws.
    @discardableResult
    package static func read(
        path: FilePath, options: CSVReadOptions = CSVReadOptions(),
        _ body: @escaping (CSVRecord) throws -> Void
    ) throws -> CSVReadSummary {
        let file: FileDescriptor
        do {
            file = try FileDescriptor.open(path, .readOnly, options: .closeOnExec)
        } catch let errno as Errno {
            throw CSVReadError(file: path.string, kind: .unreadable, message: "cannot open: \(errno.words)")
        }
        defer { try? file.close() }
        let fd = file.rawValue
        let path = path.string
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            throw CSVReadError(file: path, kind: .unreadable, message: "is a directory, not a CSV file")
        }
        var buffer = [UInt8](repeating: 0, count: options.chunkSize)
        var readError: String?
        let ahead = options.decodeAhead && Int(st.st_size) > options.chunkSize
        let source: () -> [UInt8]? = {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                readError = Errno.last.words
                return nil
            }
            if n == 0 { return nil }
            return n == buffer.count ? buffer : Array(buffer[0..<n])
        }
        let summary: CSVReadSummary
        do {
            summary = try parse(name: path, options: options, ahead: ahead, next: source, body)
        } catch var e as CSVReadError where e.line == nil && e.byteOffset != nil {
            // Decoding runs ahead of parsing: find the physical line of the bad byte in the file.
            e.line = physicalLine(of: e.byteOffset!, fd: fd)
            throw e
        }
        if let readError {
            throw CSVReadError(file: path, kind: .unreadable, message: "read failed: \(readError)")
        }
        return summary
    }

    /// The 1-based physical line holding byte `offset` (CRLF, LF and CR all end a line).
    static func physicalLine(of offset: Int, fd: Int32) -> Int? {
        var line = 1
        var previousCR = false
        var position = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while position < offset {
            let want = min(chunk.count, offset - position)
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(position)) }
            if n <= 0 { return nil }
            for b in chunk[0..<n] {
                if b == 0x0A {
                    if !previousCR { line += 1 }
                    previousCR = false
                } else if b == 0x0D {
                    line += 1
                    previousCR = true
                } else {
                    previousCR = false
                }
            }
            position += n
        }
        return line
    }

    /// Reads CSV from memory, in `options.chunkSize` pieces (as a file would be).
    @discardableResult
    package static func read(
        bytes: [UInt8], name: String = "<memory>", options: CSVReadOptions = CSVReadOptions(),
        _ body: @escaping (CSVRecord) throws -> Void
    ) throws -> CSVReadSummary {
        var position = 0
        let step = options.chunkSize
        return try parse(
            name: name, options: options, ahead: options.decodeAhead && bytes.count > step,
            next: {
                guard position < bytes.count else { return nil }
                let end = min(bytes.count, position + step)
                defer { position = end }
                return Array(bytes[position..<end])
            }, body)
    }

    /// Reads every record into memory (small files and tests only).
    package static func readAll(bytes: [UInt8], options: CSVReadOptions = CSVReadOptions()) throws -> (
        records: [[String]], lines: [Int], summary: CSVReadSummary
    ) {
        var records: [[String]] = []
        var lines: [Int] = []
        let summary = try read(bytes: bytes, options: options) { r in
            records.append(r.strings)
            lines.append(r.line)
        }
        return (records, lines, summary)
    }

    private static func parse(
        name: String, options: CSVReadOptions, ahead: Bool, next: @escaping () -> [UInt8]?,
        _ body: @escaping (CSVRecord) throws -> Void
    ) throws -> CSVReadSummary {
        // Heap-allocated so libcsv always sees the same parser address across calls.
        let parser = UnsafeMutablePointer<csv_parser>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard csv_init(parser, UInt8(CSV_STRICT | CSV_REPALL_NL | CSV_STRICT_FINI)) == 0 else {
            throw CSVReadError(file: name, kind: .outOfMemory, message: "libcsv could not initialise")
        }
        defer { csv_free(parser) }
        csv_set_delim(parser, options.delimiter)

        let state = UnsafeMutablePointer<ParserState>.allocate(capacity: 1)
        state.initialize(to: ParserState(handler: body))
        defer {
            state.pointee.release()
            state.deinitialize(count: 1)
            state.deallocate()
        }

        let blocks = DecodedBlocks(choice: options.encoding, next: next, ahead: ahead)
        defer { blocks.stop() }
        var rawBytes = 0
        var decision: EncodingDecision?
        var utf8Offset = 0  // offset in the decoded stream, for quoting errors
        while true {
            let decoded: DecodedBlocks.Block
            switch blocks.next() {
            case .success(let block): decoded = block
            case .failure(let error): throw encodingError(error, name: name, options: options, state: state)
            }
            rawBytes = decoded.rawBytes
            decision = decoded.decision
            if !decoded.bytes.isEmpty {
                let parsed = decoded.bytes.withUnsafeBytes { buf in
                    csv_parse(parser, buf.baseAddress, buf.count, fieldCallback, rowCallback, state)
                }
                if let failure = state.pointee.failure { throw failure }
                if parsed < decoded.bytes.count {
                    let offset = utf8Offset + parsed
                    throw quoteError(parser: parser, name: name, offset: offset, state: state, decision: decision)
                }
                utf8Offset += decoded.bytes.count
            }
            if decoded.eof { break }
        }
        if csv_fini(parser, fieldCallback, rowCallback, state) != 0 {
            throw CSVReadError(
                file: name, kind: .unterminatedQuote, line: state.pointee.line, byteOffset: rawBytes,
                message:
                    "unterminated quoted field: the quote opened in the record starting on line \(state.pointee.line) is never closed before the end of the file"
            )
        }
        if let failure = state.pointee.failure { throw failure }
        let finalDecision =
            rawBytes == 0
            ? EncodingDecision(encoding: .utf8, reason: "empty file")
            : decision
                ?? EncodingDecision(encoding: .utf8, reason: "ASCII only (valid as UTF-8 and CP932 alike)")
        return CSVReadSummary(
            encoding: finalDecision, lineEnding: state.pointee.lineEnding,
            records: state.pointee.records, blankRowsSkipped: state.pointee.blank, bytes: rawBytes)
    }

    private static func quoteError(
        parser: UnsafeMutablePointer<csv_parser>, name: String, offset: Int,
        state: UnsafeMutablePointer<ParserState>, decision: EncodingDecision?
    ) -> CSVReadError {
        let reason = String(cString: csv_strerror(csv_error(parser)))
        let offsetNote = decision?.encoding == .cp932 ? " (offset in the UTF-8 text)" : ""
        return CSVReadError(
            file: name, kind: .malformedQuote, line: state.pointee.line + state.pointee.embeddedNewlines,
            byteOffset: offset,
            message:
                "\(reason)\(offsetNote): a quote inside an unquoted field, or text after a closing quote; quote the whole field and double any quote inside it"
        )
    }

    private static func encodingError(
        _ error: StreamDecoder.Failure, name: String, options: CSVReadOptions,
        state: UnsafeMutablePointer<ParserState>
    ) -> CSVReadError {
        switch error {
        case .nul(let offset):
            return CSVReadError(
                file: name, kind: .nulByte, line: nil, byteOffset: offset,
                message: "NUL byte in the file (is it UTF-16 or a binary file such as .xlsx? save it as CSV)")
        case .notUTF8(let offset, let detail):
            return CSVReadError(
                file: name, kind: .encoding, line: nil, byteOffset: offset,
                message:
                    "\(detail): the file was read as UTF-8; is it a mix of encodings? set encoding in the pipeline file if detection was wrong"
            )
        case .notCP932(let offset, let detail):
            return CSVReadError(
                file: name, kind: .encoding, line: nil, byteOffset: offset,
                message: "\(detail): the file was read as CP932; is it a mix of encodings?")
        case .neither(let u, let c) where u >= c:
            return CSVReadError(
                file: name, kind: .encoding, line: nil, byteOffset: u,
                message:
                    "invalid UTF-8 byte: the file reads as UTF-8 up to here and is not CP932 either; is it a mix of encodings (rows pasted from a Shift_JIS file)? save it again as one encoding"
            )
        case .neither(let u, let c):
            return CSVReadError(
                file: name, kind: .encoding, line: nil, byteOffset: c,
                message:
                    "invalid CP932 byte: the file reads as CP932 (Shift_JIS) up to here and is not UTF-8 either (first invalid UTF-8 byte at offset \(u)); is it a mix of encodings? save it again as one encoding"
            )
        }
    }
}

/// The file's bytes as UTF-8, block by block: read and decoded on this thread when asked for, or
/// ahead on another thread (at most `depth` blocks waiting) while this one parses.
///
/// Either way the blocks, and the first decoding failure in its place, come in file order; a
/// failure ends the stream. `stop()` waits until the other thread no longer reads the source, so
/// the caller may close it afterwards.
private final class DecodedBlocks: @unchecked Sendable {
    struct Block {
        var bytes: [UInt8]
        var eof: Bool
        /// Raw bytes read so far, this block's included.
        var rawBytes: Int
        /// The encoding as decided once this block was decoded.
        var decision: EncodingDecision?
    }
    typealias Item = Result<Block, StreamDecoder.Failure>

    private var decoder: StreamDecoder
    private let source: () -> [UInt8]?
    private var lookahead: [UInt8]?
    private var started = false
    private var rawBytes = 0

    // Decoding ahead: a queue of at most `depth` items, filled by the other thread.
    private static let depth = 3
    private let ahead: Bool
    private let lock = DispatchSemaphore(value: 1)
    private let filled = DispatchSemaphore(value: 0)
    /// Starts at 0 and is signalled `depth` times: libdispatch refuses to free a semaphore whose
    /// count is below its initial value, which a stopped producer may leave.
    private let free = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private var queue: [Item] = []
    private var cancelled = false
    private var running = false

    init(choice: EncodingChoice, next: @escaping () -> [UInt8]?, ahead: Bool) {
        decoder = StreamDecoder(choice: choice)
        source = next
        self.ahead = ahead
        for _ in 0..<Self.depth { free.signal() }
    }

    /// Reads and decodes the next block (on whichever thread produces).
    private func produce() -> Item {
        if !started {
            lookahead = source()
            started = true
        }
        let raw = lookahead ?? []
        if lookahead != nil { lookahead = source() }
        let eof = lookahead == nil
        rawBytes += raw.count
        do {
            let bytes = try decoder.feed(raw, eof: eof)
            return .success(Block(bytes: bytes, eof: eof, rawBytes: rawBytes, decision: decoder.decision))
        } catch {
            return .failure(error)
        }
    }

    /// The next block, or the decoding failure that ends the stream.
    func next() -> Item {
        guard ahead else { return produce() }
        if !running {
            running = true
            DispatchQueue(label: "banso.csv.decode").async { self.run() }
        }
        filled.wait()
        lock.wait()
        let item = queue.removeFirst()
        lock.signal()
        free.signal()
        return item
    }

    private func run() {
        defer { done.signal() }
        while true {
            free.wait()
            lock.wait()
            let stop = cancelled
            lock.signal()
            if stop { return }
            let item = produce()
            lock.wait()
            queue.append(item)
            lock.signal()
            filled.signal()
            switch item {
            case .success(let block) where !block.eof: continue
            default: return
            }
        }
    }

    /// Ends decoding ahead and waits until the other thread has left the source.
    func stop() {
        guard running else { return }
        lock.wait()
        cancelled = true
        lock.signal()
        free.signal()  // wakes the producer if it waits for room
        done.wait()
        running = false
    }
}
