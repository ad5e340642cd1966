#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The text encodings Bansō reads and writes.
package enum TextEncoding: String, Sendable, Codable, CaseIterable {
    /// UTF-8 without a byte-order mark.
    case utf8 = "utf-8"
    /// UTF-8 with a byte-order mark (what Excel needs to open UTF-8 CSV correctly).
    case utf8BOM = "utf-8-bom"
    /// Windows code page 932, Excel's "CSV" on Japanese Windows (Shift_JIS plus ①, ㈱, 髙…).
    case cp932 = "cp932"
}

/// How a reader chooses the encoding of one input file.
package enum EncodingChoice: String, Sendable, Codable {
    /// Detect: byte-order mark, else UTF-8 if valid, else CP932 if valid, else reject.
    case auto
    case utf8 = "utf-8"
    case cp932 = "cp932"
}

/// Converts between CP932 and UTF-8 with glibc's iconv (`CP932`, not the strict `SHIFT_JIS`
/// that rejects ①); the only iconv user in the project.
final class CP932Converter {
    enum Failure: Error {
        /// An invalid sequence starting this many bytes into the input.
        case invalid(at: Int)
        /// The input ended inside a multi-byte character starting at this offset.
        case incomplete(at: Int)
    }

    private let handle: iconv_t

    /// glibc's name of the encoding (`BANSO_TEST_CP932_NAME` replaces it, to test a system without it).
    static let name = getenv("BANSO_TEST_CP932_NAME").map { String(cString: $0) } ?? "CP932"

    /// Whether this system's iconv converts CP932 (its gconv modules may be missing in a slim image).
    static let available: Bool = {
        let h = iconv_open("UTF-8", name)
        guard Int(bitPattern: h) != -1 else { return false }
        iconv_close(h)
        return true
    }()

    /// What to tell a user whose system cannot convert CP932.
    static let missingMessage =
        "this system's iconv cannot convert CP932 (glibc's gconv modules are missing): install them "
        + "(Debian: apt-get install libc6 locales, or keep /usr/lib/x86_64-linux-gnu/gconv in slim images)"

    init(decoding: Bool) {
        let from = decoding ? Self.name : "UTF-8"
        let to = decoding ? "UTF-8" : Self.name
        handle = iconv_open(to, from)
        // Callers check `available` first (the runner does before any stage); reaching this is a bug.
        precondition(Int(bitPattern: handle) != -1, Self.missingMessage)
    }

    deinit { iconv_close(handle) }

    /// Converts `input[start...]` and appends to `output`.
    ///
    /// Returns how many bytes were consumed: fewer than all when the input ends inside a character (the caller keeps
    /// the rest). Throws `Failure.invalid` with the offset (relative to `input`) of the first bad byte.
    func convert(_ input: [UInt8], from start: Int = 0, appendingTo output: inout [UInt8]) throws(Failure) -> Int {
        var consumed = start
        var scratch = [UInt8](repeating: 0, count: max(64, (input.count - start) * 2 + 16))
        while consumed < input.count {
            var inLeft = input.count - consumed
            var outLeft = scratch.count
            var errorCode: Int32 = 0
            let result = input.withUnsafeBufferPointer { inBuf -> Int in
                scratch.withUnsafeMutableBufferPointer { outBuf -> Int in
                    var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(
                        mutating: inBuf.baseAddress! + consumed
                    )
                    .assumingMemoryBound(to: CChar.self)
                    var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuf.baseAddress!)
                        .assumingMemoryBound(to: CChar.self)
                    let r = iconv(handle, &inPtr, &inLeft, &outPtr, &outLeft)
                    if r == -1 { errorCode = errno }
                    return r
                }
            }
            let produced = scratch.count - outLeft
            output.append(contentsOf: scratch[0..<produced])
            let newConsumed = input.count - inLeft
            if result != -1 { return input.count }
            switch errorCode {
            case E2BIG:
                consumed = newConsumed
                continue
            case EINVAL:
                return newConsumed
            default:
                // Reset the conversion state so the converter can be reused.
                iconv(handle, nil, nil, nil, nil)
                throw .invalid(at: newConsumed)
            }
        }
        return consumed
    }

    /// Converts a whole buffer; an incomplete trailing character is an error.
    func convertAll(_ input: [UInt8]) throws(Failure) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count * 3 / 2)
        let used = try convert(input, appendingTo: &out)
        if used < input.count { throw .incomplete(at: used) }
        return out
    }
}

/// Streaming UTF-8 validation: tells the offset of the first byte that is not well-formed UTF-8.
struct UTF8Validator {
    private var need = 0
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF
    private var sequenceStart = 0
    /// Absolute offset of the next byte to be fed.
    private(set) var offset = 0

    /// Feeds bytes; returns the absolute offset of the first invalid byte, or nil.
    mutating func feed(_ bytes: ArraySlice<UInt8>) -> Int? {
        bytes.withUnsafeBufferPointer { feed($0) }
    }

    /// The same over raw memory: runs of ASCII are skipped eight bytes at a time.
    mutating func feed(_ buf: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = buf.baseAddress else { return nil }
        let n = buf.count
        var i = 0
        while i < n {
            if need == 0 {
                // Fast path: eight ASCII bytes at once.
                while i + 8 <= n {
                    let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                    if word & 0x8080_8080_8080_8080 != 0 { break }
                    i += 8
                }
                while i < n && base[i] < 0x80 { i += 1 }
                if i >= n { break }
                let b = base[i]
                // Japanese text is mostly 3-byte sequences: check a whole one at once.
                if b >= 0xE1 && b <= 0xEC && i + 2 < n && base[i + 1] & 0xC0 == 0x80 && base[i + 2] & 0xC0 == 0x80 {
                    i += 3
                    continue
                }
                sequenceStart = offset + i
                switch b {
                case 0xC2...0xDF:
                    need = 1
                    lower = 0x80
                    upper = 0xBF
                case 0xE0:
                    need = 2
                    lower = 0xA0
                    upper = 0xBF
                case 0xE1...0xEC, 0xEE...0xEF:
                    need = 2
                    lower = 0x80
                    upper = 0xBF
                case 0xED:
                    need = 2
                    lower = 0x80
                    upper = 0x9F
                case 0xF0:
                    need = 3
                    lower = 0x90
                    upper = 0xBF
                case 0xF1...0xF3:
                    need = 3
                    lower = 0x80
                    upper = 0xBF
                case 0xF4:
                    need = 3
                    lower = 0x80
                    upper = 0x8F
                default:
                    let bad = offset + i
                    offset += n
                    return bad
                }
                i += 1
            } else {
                let b = base[i]
                guard b >= lower && b <= upper else {
                    let bad = offset + i
                    offset += n
                    return bad
                }
                lower = 0x80
                upper = 0xBF
                need -= 1
                i += 1
            }
        }
        offset += n
        return nil
    }

    /// True when the input so far ends inside a multi-byte sequence.
    var isInsideSequence: Bool { need > 0 }
    /// Where the unfinished sequence started.
    var unfinishedSequenceStart: Int { sequenceStart }
}

/// Encodes text for output files, including CP932 for Excel on Japanese Windows.
package enum TextEncoder {
    /// Whether this system can read and write CP932; when not, `cp932Missing` says what to install.
    package static var cp932Available: Bool { CP932Converter.available }
    package static var cp932Missing: String { CP932Converter.missingMessage }

    /// A character the target encoding cannot hold.
    package struct UnencodableError: Error, CustomStringConvertible {
        package let value: String
        package let encoding: TextEncoding
        package var description: String {
            "the value \"\(value)\" has a character that \(encoding.rawValue) cannot hold; replace it or choose utf-8-bom"
        }
    }

    /// Encodes `text`; with `replace`, unencodable characters become `?` instead of an error.
    package static func encode(_ text: String, as encoding: TextEncoding, replace: Bool = false)
        throws(UnencodableError)
        -> [UInt8]
    {
        switch encoding {
        case .utf8, .utf8BOM:
            return Array(text.utf8)
        case .cp932:
            let utf8 = Array(text.utf8)
            if utf8.allSatisfy({ $0 < 0x80 }) { return utf8 }
            let converter = CP932Converter(decoding: false)
            if let out = try? converter.convertAll(utf8) { return out }
            guard replace else { throw UnencodableError(value: text, encoding: encoding) }
            var out: [UInt8] = []
            for ch in text.unicodeScalars {
                if let bytes = try? converter.convertAll(Array(String(ch).utf8)) {
                    out.append(contentsOf: bytes)
                } else {
                    out.append(UInt8(ascii: "?"))
                }
            }
            return out
        }
    }

    /// Decodes CP932 bytes to a String (nil when they are not valid CP932).
    package static func decodeCP932(_ bytes: [UInt8]) -> String? {
        guard let utf8 = try? CP932Converter(decoding: true).convertAll(bytes) else { return nil }
        return String(decoding: utf8, as: UTF8.self)
    }
}
