#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the reader decided about a file's encoding, and why (for the ingest report and `inspect`).
package struct EncodingDecision: Sendable, Codable, Equatable {
    /// The encoding used; `utf8BOM` when a byte-order mark was found and stripped.
    package var encoding: TextEncoding
    /// One sentence a user can read: how the decision was made.
    package var reason: String
}

/// Turns raw file bytes into UTF-8 in a stream, detecting the encoding on the way.
///
/// Detection looks at the first non-ASCII bytes (at least 4 KiB of them, or up to the end of
/// the file), because an all-ASCII prefix says nothing: a CP932 file often starts with an
/// ASCII header only when the form's headers were in romaji.
struct StreamDecoder {
    enum State { case start, undecided, utf8, cp932 }

    enum Failure: Error {
        case nul(offset: Int)
        case notUTF8(offset: Int, detail: String)
        case notCP932(offset: Int, detail: String)
        case neither(utf8Offset: Int, cp932Offset: Int)
    }

    private(set) var state: State
    private(set) var decision: EncodingDecision?
    private var pending: [UInt8] = []
    /// Absolute offset (in the raw file) of `pending[0]`.
    private var pendingOffset = 0
    private var validator = UTF8Validator()
    private var converter: CP932Converter?
    private static let window = 4096

    init(choice: EncodingChoice) {
        switch choice {
        case .auto:
            state = .start
        case .utf8:
            state = .start  // a BOM is still stripped when the user says utf-8
            forcedUTF8 = true
        case .cp932:
            state = .cp932
            converter = CP932Converter(decoding: true)
            decision = EncodingDecision(encoding: .cp932, reason: "cp932 as set in the pipeline file")
        }
    }

    private var forcedUTF8 = false

    /// Feeds one raw block; returns UTF-8 bytes ready for the parser (possibly none yet).
    mutating func feed(_ block: [UInt8], eof: Bool) throws(Failure) -> [UInt8] {
        if let nul = block.withUnsafeBytes({ raw -> Int? in
            guard let base = raw.baseAddress, let hit = memchr(base, 0, raw.count) else { return nil }
            return base.distance(to: UnsafeRawPointer(hit))
        }) {
            throw .nul(offset: pendingOffset + pending.count + nul)
        }
        if pending.isEmpty && state == .utf8 {
            // Fast path: validate in place, no copy.
            if let bad = validator.feed(block[...]) {
                throw .notUTF8(offset: bad, detail: "invalid UTF-8 byte")
            }
            pendingOffset += block.count
            if eof { try finishUTF8() }
            return block
        }
        pending.append(contentsOf: block)
        return try drain(eof: eof)
    }

    private mutating func finishUTF8() throws(Failure) {
        if validator.isInsideSequence {
            throw .notUTF8(offset: validator.unfinishedSequenceStart, detail: "the file ends inside a UTF-8 character")
        }
    }

    private mutating func drain(eof: Bool) throws(Failure) -> [UInt8] {
        var out: [UInt8] = []
        while true {
            switch state {
            case .start:
                if pending.count < 3 && !eof { return out }
                if pending.starts(with: [0xEF, 0xBB, 0xBF]) {
                    pending.removeFirst(3)
                    pendingOffset += 3
                    validator = UTF8Validator()
                    skip(validator: 3)
                    state = .utf8
                    decision = EncodingDecision(
                        encoding: .utf8BOM, reason: "UTF-8 byte-order mark at the start of the file")
                } else if forcedUTF8 {
                    state = .utf8
                    decision = EncodingDecision(encoding: .utf8, reason: "utf-8 as set in the pipeline file")
                } else {
                    state = .undecided
                }
            case .undecided:
                guard let firstHigh = pending.firstIndex(where: { $0 >= 0x80 }) else {
                    out.append(contentsOf: pending)
                    skip(validator: pending.count)
                    pendingOffset += pending.count
                    pending.removeAll(keepingCapacity: true)
                    if eof {
                        decision = EncodingDecision(
                            encoding: .utf8, reason: "ASCII only (valid as UTF-8 and CP932 alike)")
                    }
                    return out
                }
                if pending.count - firstHigh < Self.window && !eof { return out }
                out.append(contentsOf: pending[..<firstHigh])
                skip(validator: firstHigh)
                pendingOffset += firstHigh
                pending.removeFirst(firstHigh)
                try decide(eof: eof)
            case .utf8:
                if let bad = validator.feed(pending[...]) {
                    throw .notUTF8(offset: bad, detail: "invalid UTF-8 byte")
                }
                out.append(contentsOf: pending)
                pendingOffset += pending.count
                pending.removeAll(keepingCapacity: true)
                if eof { try finishUTF8() }
                return out
            case .cp932:
                let used: Int
                do {
                    used = try converter!.convert(pending, appendingTo: &out)
                } catch CP932Converter.Failure.invalid(let at) {
                    throw .notCP932(offset: pendingOffset + at, detail: "invalid CP932 byte")
                } catch {
                    throw .notCP932(offset: pendingOffset, detail: "invalid CP932 byte")
                }
                pendingOffset += used
                pending.removeFirst(used)
                if eof && !pending.isEmpty {
                    throw .notCP932(
                        offset: pendingOffset,
                        detail: "the file ends inside a CP932 character (a lead byte without its second byte)")
                }
                return out
            }
        }
    }

    /// Advances the UTF-8 validator over bytes already known to be ASCII.
    private mutating func skip(validator count: Int) {
        if count > 0 { _ = validator.feed(ArraySlice(repeating: 0x20, count: count)) }
    }

    /// Chooses UTF-8 or CP932 from `pending`, which starts at the first non-ASCII byte.
    private mutating func decide(eof: Bool) throws(Failure) {
        var probe = validator
        let utf8Bad = probe.feed(pending[...])
        let utf8OK = utf8Bad == nil && (!eof || !probe.isInsideSequence)
        if utf8OK {
            state = .utf8
            decision = EncodingDecision(
                encoding: .utf8, reason: "valid UTF-8 (first non-ASCII byte at offset \(pendingOffset))")
            return
        }
        let cp = CP932Converter(decoding: true)
        var scratch: [UInt8] = []
        var cpBad: Int?
        do {
            // An incomplete last character is still CP932: the cp932 state reports it precisely.
            _ = try cp.convert(pending, appendingTo: &scratch)
        } catch CP932Converter.Failure.invalid(let at) {
            cpBad = pendingOffset + at
        } catch {
            cpBad = pendingOffset
        }
        let utf8Offset = utf8Bad ?? probe.unfinishedSequenceStart
        if cpBad == nil {
            state = .cp932
            converter = CP932Converter(decoding: true)
            decision = EncodingDecision(
                encoding: .cp932,
                reason: "not UTF-8 (byte offset \(utf8Offset)); valid CP932 (Shift_JIS as saved by Excel)")
            return
        }
        throw .neither(utf8Offset: utf8Offset, cp932Offset: cpBad!)
    }
}
