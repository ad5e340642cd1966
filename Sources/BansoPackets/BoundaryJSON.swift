import BansoCore
import Foundation
import SystemPackage

/// A JSON value as the boundaries reader keeps it: arrays of number arrays (coordinates, arc
/// indices) packed, so that a boundaries file takes about its own size in memory, not 25 times it
/// as `JSONSerialization`'s boxed numbers did.
indirect enum BoundaryJSON {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    /// An array of numbers: a point, a ring of arc indices, a transform pair.
    case numbers([Double])
    /// An array whose elements are all arrays of numbers: a ring's points, an arc, a polygon's
    /// arc lists.
    case rows(NumberRows)
    case array([BoundaryJSON])
    case object([String: BoundaryJSON])

    subscript(key: String) -> BoundaryJSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The value as a property's text (a code may be written as a number).
    var propertyText: String? {
        switch self {
        case .string(let s): return s
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : "\(n)"
        case .bool(let b): return "\(b)"
        default: return nil
        }
    }

    /// The elements of an array, whatever its packing (rows come back as `.numbers`).
    var elements: [BoundaryJSON]? {
        switch self {
        case .array(let a): return a
        case .numbers(let n): return n.map { .number($0) }
        case .rows(let r): return (0..<r.count).map { .numbers(r.row($0)) }
        default: return nil
        }
    }
}

/// Rows of numbers in one buffer: 4 bytes a number while every number is an integer a `Float`
/// holds exactly (quantised TopoJSON), 8 bytes otherwise; row ends kept only when rows differ in
/// length.
struct NumberRows: Sendable {
    private var small: ContiguousArray<Float> = []
    private var large: ContiguousArray<Double>? = nil
    /// The common row length, or nil once rows differ (then `ends` holds where each row ends).
    private var width: Int? = nil
    private var ends: ContiguousArray<UInt32>? = nil
    private(set) var count = 0

    private var valueCount: Int { large?.count ?? small.count }

    mutating func append(_ row: [Double]) {
        if count == 0 {
            width = row.count
        } else if let w = width, w != row.count {
            ends = ContiguousArray((1...count).map { UInt32($0 * w) })
            width = nil
        }
        for v in row {
            if large == nil, let f = Float(exactly: v), f == f.rounded(), abs(f) < 16_777_216 {
                small.append(f)
            } else {
                if large == nil {
                    large = ContiguousArray(small.map(Double.init))
                    small = []
                }
                large!.append(v)
            }
        }
        count += 1
        let end = UInt32(valueCount)
        if width == nil { ends?.append(end) }
    }

    /// Where row `i` starts and ends in the buffer.
    private func span(_ i: Int) -> Range<Int> {
        if let width { return i * width..<(i + 1) * width }
        let end = Int(ends![i])
        return (i == 0 ? 0 : Int(ends![i - 1]))..<end
    }

    /// The length of row `i`.
    func length(_ i: Int) -> Int { span(i).count }

    /// Value `j` of row `i` (`j` < `length(i)`).
    func value(_ i: Int, _ j: Int) -> Double {
        let k = span(i).lowerBound + j
        return large.map { $0[k] } ?? Double(small[k])
    }

    func row(_ i: Int) -> [Double] { span(i).map { k in large.map { $0[k] } ?? Double(small[k]) } }
}

/// A JSON reader over a file read in 64 KiB blocks (or over bytes in memory), with the line of
/// any error.
struct BoundaryJSONReader {
    /// Deeper nesting than any GeoJSON or TopoJSON needs is refused before the stack is.
    static let maxDepth = 64

    struct SyntaxError: Error {
        var line: Int
        var message: String
    }

    private var buffer: [UInt8]
    private var index = 0
    private let refill: ((inout [UInt8]) throws -> Void)?
    private(set) var line = 1

    /// A reader over bytes already in memory.
    init(bytes: [UInt8]) {
        buffer = bytes
        refill = nil
    }

    /// A reader over an open file, read block by block.
    init(descriptor: FileDescriptor) {
        buffer = []
        refill = { buffer in
            buffer = try [UInt8](unsafeUninitializedCapacity: 1 << 16) { storage, count in
                count = try descriptor.read(into: UnsafeMutableRawBufferPointer(storage))
            }
        }
    }

    /// The one value of the file (anything but white space after it is an error).
    mutating func document() throws -> BoundaryJSON {
        let value = try self.value(depth: 0)
        skipSpace()
        if peek() != nil { throw fail("unexpected text after the end of the JSON value") }
        return value
    }

    private func fail(_ message: String) -> SyntaxError { SyntaxError(line: line, message: message) }

    private mutating func peek() -> UInt8? {
        if index < buffer.count { return buffer[index] }
        guard let refill else { return nil }
        // A read error ends the input; the caller reports a truncated file.
        do { try refill(&buffer) } catch { buffer = [] }
        index = 0
        return buffer.isEmpty ? nil : buffer[0]
    }

    private mutating func next() -> UInt8? {
        let b = peek()
        if b != nil { index += 1 }
        return b
    }

    private mutating func skipSpace() {
        while let b = peek(), b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 {
            if b == 0x0A { line += 1 }
            index += 1
        }
    }

    private mutating func expect(_ word: String) throws {
        for c in word.utf8 where next() != c { throw fail("expected \(word)") }
    }

    private mutating func value(depth: Int) throws -> BoundaryJSON {
        guard depth < Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth) levels") }
        skipSpace()
        switch peek() {
        case nil: throw fail("the file ends in the middle of a value")
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"):
            try expect("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expect("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expect("null")
            return .null
        default: return .number(try number())
        }
    }

    private mutating func object(depth: Int) throws -> BoundaryJSON {
        index += 1
        var members: [String: BoundaryJSON] = [:]
        skipSpace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipSpace()
            guard peek() == UInt8(ascii: "\"") else { throw fail("expected a quoted member name") }
            let key = try string()
            skipSpace()
            guard next() == UInt8(ascii: ":") else { throw fail("expected : after \"\(key)\"") }
            members[key] = try value(depth: depth + 1)
            skipSpace()
            switch next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "}"): return .object(members)
            default: throw fail("expected , or } in an object")
            }
        }
    }

    /// An array, packed while its elements allow: numbers into `.numbers`, number arrays into
    /// `.rows`; anything else makes it a plain `.array`.
    private mutating func array(depth: Int) throws -> BoundaryJSON {
        index += 1
        // At most one of the three is set: the packing the elements so far allow.
        var numbers: [Double]? = nil
        var rows: NumberRows? = nil
        var plain: [BoundaryJSON]? = nil
        skipSpace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return .array([])
        }
        while true {
            let element = try value(depth: depth + 1)
            if plain != nil {
                plain!.append(element)
            } else if case .number(let n) = element, rows == nil {
                numbers = numbers ?? []
                numbers!.append(n)
            } else if case .numbers(let row) = element, numbers == nil {
                rows = rows ?? NumberRows()
                rows!.append(row)
            } else {
                // Mixed elements: unpack what was packed.
                plain =
                    (numbers?.map { BoundaryJSON.number($0) } ?? [])
                    + (rows.map { r in (0..<r.count).map { BoundaryJSON.numbers(r.row($0)) } } ?? []) + [element]
                numbers = nil
                rows = nil
            }
            skipSpace()
            switch next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "]"):
                if let numbers { return .numbers(numbers) }
                if let rows { return .rows(rows) }
                return .array(plain ?? [])
            default: throw fail("expected , or ] in an array")
            }
        }
    }

    private mutating func string() throws -> String {
        index += 1
        var bytes: [UInt8] = []
        while true {
            guard let b = next() else { throw fail("the file ends inside a string") }
            switch b {
            case UInt8(ascii: "\""): return String(decoding: bytes, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let e = next() else { throw fail("the file ends inside a string") }
                switch e {
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), peek() == UInt8(ascii: "\\") {
                        index += 1
                        guard next() == UInt8(ascii: "u") else { throw fail("a lone surrogate in a string") }
                        let low = try hex4()
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low & 0x3FF)
                    }
                    bytes += Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8)
                default: bytes.append(e)
                }
            case 0..<0x20: throw fail("a control character inside a string")
            default: bytes.append(b)
            }
        }
    }

    private mutating func hex4() throws -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let b = next(), let d = Character(Unicode.Scalar(b)).hexDigitValue else {
                throw fail("expected four hex digits after \\u")
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    private mutating func number() throws -> Double {
        var text: [UInt8] = []
        while let b = peek(), (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2B || b == 0x2E || b == 0x65 || b == 0x45
        {
            guard text.count < 64 else { throw fail("a number longer than 64 characters") }
            text.append(b)
            index += 1
        }
        guard !text.isEmpty else {
            throw fail("unexpected character \(peek().map { "0x" + String($0, radix: 16) } ?? "")")
        }
        guard let value = Double(String(decoding: text, as: UTF8.self)), value.isFinite else {
            throw fail("\(String(decoding: text, as: UTF8.self)) is not a number")
        }
        return value
    }
}
