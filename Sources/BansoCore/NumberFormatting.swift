import BansoCSV
import Foundation

/// Formats numbers for data files: integers without a decimal point, others in the shortest
/// form that reads back to the same Double (deterministic, full precision).
public func formatNumber(_ value: Double) -> String {
    if value == value.rounded() && abs(value) < 1e15 {
        let i = Int(value)
        return i == 0 ? "0" : String(i)
    }
    return "\(value)"
}

/// `String(format: "%.<digits>f", value)`: the same text, rounded the same way.
///
/// Foundation's format machinery (an NSString, a locale, boxed arguments) made every chart
/// coordinate and displayed value of the packets cost a tenth of that stage's time, and printf
/// through a `CVarArg` list still cost a twentieth (the list is a class, allocated per call). For
/// up to 4 digits and magnitudes below 10^15 the decimal is computed exactly from the Double's
/// binary value, with printf's ties-to-even rounding; anything else goes to printf.
package func formatFixed(_ value: Double, digits: Int) -> String {
    if let exact = exactFixed(value, digits: digits) { return exact }
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
        let n = withVaList([Int32(digits), value]) { vsnprintf(buffer.baseAddress, 64, "%.*f", $0) }
        guard n >= 0 && n < 64 else { return String(format: "%.\(digits)f", value) }
        return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress, count: Int(n)), as: UTF8.self)
    }
}

/// The exact decimal of `value` × 10^digits, rounded half to even, as printf writes it; nil
/// outside 0–4 digits, for magnitudes of 10^15 and more, infinities and NaN.
@usableFromInline
func exactFixed(_ value: Double, digits: Int) -> String? {
    guard (0...4).contains(digits), value.isFinite, value.magnitude < 1e15 else { return nil }
    var scale: UInt64 = 1
    for _ in 0..<digits { scale *= 10 }
    // magnitude = significand × 2^exponent, with the significand a whole number below 2^53.
    let a = value.magnitude
    var significand = a.significandBitPattern
    var exponent = Int(a.exponentBitPattern) - 1075
    if a.exponentBitPattern == 0 {
        exponent = -1074  // subnormal: no implicit bit
    } else {
        significand |= 1 << 52
    }
    let product = UInt128(significand) * UInt128(scale)
    let scaled: UInt64
    if exponent >= 0 {
        scaled = UInt64(product << exponent)  // below 10^19: a < 10^15 and scale ≤ 10^4
    } else if -exponent >= 68 {
        scaled = 0  // product < 2^67: less than a half
    } else {
        let shift = -exponent
        let whole = product >> shift
        let rest = product & ((1 << shift) - 1)
        let half = UInt128(1) << (shift - 1)
        scaled = UInt64(whole) + (rest > half || rest == half && whole & 1 == 1 ? 1 : 0)
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(24)
    if value.sign == .minus { bytes.append(UInt8(ascii: "-")) }
    // The digits of `scaled`, last first, with the point `digits` from the end.
    let start = bytes.count
    var rest = scaled
    for _ in 0..<digits {
        bytes.append(0x30 + UInt8(rest % 10))
        rest /= 10
    }
    if digits > 0 { bytes.append(UInt8(ascii: ".")) }
    repeat {
        bytes.append(0x30 + UInt8(rest % 10))
        rest /= 10
    } while rest > 0
    bytes[start...].reverse()
    return String(decoding: bytes, as: UTF8.self)
}

/// Appends `formatNumber(value)`'s UTF-8 bytes (nothing for nil) without making a String for
/// the usual whole number.
@inlinable
package func appendNumber(_ value: Double?, to out: inout [UInt8]) {
    guard let value else { return }
    guard value == value.rounded() && abs(value) < 1e15 else {
        out.append(contentsOf: formatNumber(value).utf8)
        return
    }
    CSVWriter.appendInteger(Int(value), to: &out)
}

/// Formats an optional number; nil is the empty cell.
package func formatNumber(_ value: Double?) -> String { value.map { formatNumber($0) } ?? "" }
