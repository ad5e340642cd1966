/// The result of reading a number from a survey cell.
package enum ParsedNumber: Equatable, Sendable {
    case missing
    case value(Double)
    /// Not a number; carries the normalised text.
    case invalid(String)
}

/// Reads numbers as people type them in Japanese forms: `1,234`, `12人`, `25.3万円`, `１２`.
package enum NumberParser {
    /// Units that may follow a number and carry no meaning beyond it (longest first).
    static let units = ["人", "名", "歳", "才", "年", "円", "件", "か所", "箇所", "ヶ月", "か月", "時間", "km2", "km²", "㎢", "%"]
        .sorted { $0.count > $1.count }

    /// Plain ASCII digits with at most one `.` (what almost every cell holds), parsed straight
    /// from bytes without making a String; nil when the cell needs the full parser.
    @inlinable
    package static func plain<Bytes: Collection>(_ bytes: Bytes) -> Double? where Bytes.Element == UInt8 {
        if bytes.isEmpty || bytes.count > 15 { return nil }
        var whole = 0
        var frac = 0
        var scale = 1
        var dot = false
        for b in bytes {
            if b >= 0x30 && b <= 0x39 {
                if dot {
                    frac = frac &* 10 &+ Int(b &- 0x30)
                    scale = scale &* 10
                } else {
                    whole = whole &* 10 &+ Int(b &- 0x30)
                }
            } else if b == 0x2E && !dot {
                dot = true
            } else {
                return nil
            }
        }
        if dot && scale == 1 { return nil }
        return Double(whole) + (dot ? Double(frac) / Double(scale) : 0)
    }

    static let unitBytes: [[UInt8]] = units.map { Array($0.utf8) }
    static let manBytes = Array("万".utf8)

    /// Parses a cell from its bytes: whole ASCII digits followed by a unit as typed (`12人`,
    /// `3名`) without making a String; everything else through `parse(_:allowMan:)`.
    ///
    /// Equivalent to the String parser: normalisation does not change ASCII digits, no
    /// missing-value marker starts with a digit, and a whole number needs no rounding.
    package static func parse(bytes: ArraySlice<UInt8>, allowMan: Bool = false) -> ParsedNumber {
        if let v = wholeWithUnit(bytes) { return .value(v) }
        return parse(String(decoding: bytes, as: UTF8.self), allowMan: allowMan)
    }

    /// Up to 9 digits, ASCII or full-width (`１２`, which NFKC turns into ASCII), then nothing or
    /// one unit as typed; nil for anything else.
    ///
    /// Nine digits keep `value × 1,000,000` exact, so the String parser's rounding cannot differ.
    /// Every unit as typed normalises to a unit of the list (`km²` and `㎢` to `km2`).
    @inline(__always)
    static func wholeWithUnit(_ bytes: ArraySlice<UInt8>) -> Double? {
        var value = 0
        var digits = 0
        var i = bytes.startIndex
        let end = bytes.endIndex
        while i < end {
            let b = bytes[i]
            if b >= 0x30 && b <= 0x39 {
                value = value * 10 + Int(b - 0x30)
                i += 1
            } else if b == 0xEF, end - i >= 3, bytes[i + 1] == 0xBC, bytes[i + 2] >= 0x90 && bytes[i + 2] <= 0x99 {
                value = value * 10 + Int(bytes[i + 2] - 0x90)
                i += 3
            } else {
                break
            }
            digits += 1
            if digits > 9 { return nil }
        }
        guard digits > 0 else { return nil }
        let rest = bytes[i...]
        guard rest.isEmpty || unitBytes.contains(where: { rest.elementsEqual($0) }) else { return nil }
        return Double(value)
    }

    /// Parses a cell.
    ///
    /// With `allowMan`, `25万円` and `25.3万` mean ×10,000 (wages).
    package static func parse(_ raw: String, allowMan: Bool = false) -> ParsedNumber {
        let text = Normalize.value(raw)
        if Normalize.isMissing(text) { return .missing }
        var b = Array(text.utf8)[...]
        // Strip one unit (longest first), then 万 when allowed: bytes, not Characters (speed).
        if let unit = unitBytes.first(where: { b.count > $0.count && b.suffix($0.count).elementsEqual($0) }) {
            b = b.dropLast(unit.count)
        }
        var multiplier = 1.0
        if allowMan && b.count > manBytes.count && b.suffix(manBytes.count).elementsEqual(manBytes) {
            b = b.dropLast(manBytes.count)
            multiplier = 10_000
        }
        while b.last == 0x20 { b = b.dropLast() }
        guard let value = numeral(b) else { return .invalid(text) }
        return .value((value * multiplier * 1_000_000).rounded() / 1_000_000)
    }

    /// Sign, digits with optional thousands separators, optional decimal part.
    ///
    /// Separators must group the whole part in threes (`1,234`, `12,345,678`): `1,2` or `12,34`
    /// is a typing error or a decimal comma, not a number to guess at.
    static func numeral(_ b: ArraySlice<UInt8>) -> Double? {
        var digits: [UInt8] = []
        digits.reserveCapacity(b.count)
        var sawDigit = false
        var sawDot = false
        /// Digits since the last separator (nil before the first separator).
        var group: Int?
        var leading = 0
        for (i, c) in b.enumerated() {
            switch c {
            case 0x30...0x39:
                sawDigit = true
                digits.append(c)
                if !sawDot {
                    if let g = group { group = g + 1 } else { leading += 1 }
                }
            case 0x2C:
                if sawDot || !sawDigit { return nil }
                if let g = group { guard g == 3 else { return nil } } else { guard leading <= 3 else { return nil } }
                group = 0
            case 0x2E:
                if let g = group, g != 3 { return nil }
                if sawDot { return nil }
                sawDot = true
                digits.append(c)
            case 0x2D, 0x2B:
                if i != 0 { return nil }
                digits.append(c)
            default: return nil
            }
        }
        if let g = group, !sawDot, g != 3 { return nil }
        guard sawDigit, let v = Double(String(decoding: digits, as: UTF8.self)), v.isFinite else { return nil }
        return v
    }
}
