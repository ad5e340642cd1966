import BansoCore

/// A problem with one cell: which rule, and the message a user reads.
package struct CellProblem: Error, Equatable, Sendable {
    package var rule: Rule
    package var message: String
    package init(_ rule: Rule, _ message: String) {
        self.rule = rule
        self.message = message
    }
}

/// Reads single cells into typed values, with byte-level fast paths for the plain ASCII
/// values that make up almost every row (no String is made for `12` or `250000`).
package enum Values {
    // Cells are any collection of bytes: an `ArraySlice` of a record, or a `CSVFields` view in
    // the million-row loops, where a slice per cell would retain the record.

    /// The bytes as an array slice, for the parsers of the rarer forms (a copy only when they are
    /// not one already).
    @inline(__always)
    static func slice<Bytes: Collection>(_ bytes: Bytes) -> ArraySlice<UInt8> where Bytes.Element == UInt8 {
        bytes as? ArraySlice<UInt8> ?? ArraySlice(bytes)
    }

    /// A number from a cell (`12人`, `1,234`, `２５万円` with `allowMan`); plain ASCII numbers are
    /// parsed straight from the bytes.
    package static func number<Bytes: Collection>(_ bytes: Bytes, allowMan: Bool = false) -> ParsedNumber
    where Bytes.Element == UInt8 {
        if bytes.isEmpty { return .missing }
        if let v = NumberParser.plain(bytes) { return .value(v) }
        return NumberParser.parse(bytes: slice(bytes), allowMan: allowMan)
    }

    /// A count: a whole number ≥ 0, or missing.
    package static func count<Bytes: Collection>(_ bytes: Bytes, label: String) -> Result<Double?, CellProblem>
    where Bytes.Element == UInt8 {
        switch number(bytes) {
        case .missing: return .success(nil)
        case .invalid(let text): return .failure(CellProblem(.notANumber, "\(label) \"\(text)\": not a number"))
        case .value(let v):
            if v < 0 { return .failure(CellProblem(.negative, "\(label) \(formatNumber(v)): must be 0 or more")) }
            if v != v.rounded() {
                return .failure(CellProblem(.notAnInteger, "\(label) \(formatNumber(v)): must be a whole number"))
            }
            return .success(v)
        }
    }

    /// A decimal ≥ 0, or missing.
    package static func decimal<Bytes: Collection>(_ bytes: Bytes, label: String) -> Result<Double?, CellProblem>
    where Bytes.Element == UInt8 {
        switch number(bytes) {
        case .missing: return .success(nil)
        case .invalid(let text): return .failure(CellProblem(.notANumber, "\(label) \"\(text)\": not a number"))
        case .value(let v):
            if v < 0 { return .failure(CellProblem(.negative, "\(label) \(formatNumber(v)): must be 0 or more")) }
            return .success(v)
        }
    }

    /// True when the cell is empty or a missing-value marker.
    @inline(__always)
    package static func isMissing<Bytes: Collection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        if bytes.isEmpty { return true }
        if bytes.count > 12 { return false }
        // No marker starts with a digit: the common case needs no String.
        if let f = bytes.first, f >= 0x30 && f <= 0x39 { return false }
        return Normalize.isMissing(Normalize.value(String(decoding: bytes, as: UTF8.self)))
    }

    /// A coded answer: the code itself or its label; nil when missing.
    package static func category<Bytes: Collection>(_ bytes: Bytes, _ list: CodeList, label: String) -> Result<
        String?, CellProblem
    > where Bytes.Element == UInt8 {
        let codes = list.labels
        if bytes.count == 1, let b = bytes.first, b >= 0x30 && b <= 0x39 {
            let code = String(UnicodeScalar(b))
            if codes[code] != nil { return .success(code) }
        }
        // A label as listed (やや不足): what the String path below finds, without a String.
        if let code = list.code(ofLabel: bytes) { return .success(code) }
        let text = Normalize.value(String(decoding: bytes, as: UTF8.self))
        if Normalize.isMissing(text) { return .success(nil) }
        if codes[text] != nil { return .success(text) }
        // "1 大いに不足", "1:大いに不足" and bare labels are all seen in real forms.
        if let code = list.codes[text] { return .success(code) }
        if let first = text.first, first.isASCIIDigitChar, codes[String(first)] != nil,
            text.dropFirst().trimmingLeading(" :.・").isEmpty
                || codes[String(first)] == String(text.dropFirst().trimmingLeading(" :.・"))
        {
            return .success(String(first))
        }
        let listed = codes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return .failure(CellProblem(.invalidCategory, "\(label) \"\(text)\": expected one of \(listed)"))
    }

    /// 事業所番号: 10 characters, digits except the 3rd which may be an upper-case letter, starting
    /// with the prefecture code.
    package static func establishmentID(_ raw: String, prefecture: PrefectureCode) -> Result<String, CellProblem> {
        // Fast path: already 10 plain ASCII characters.
        let rawBytes = raw.utf8
        if rawBytes.count == 10, rawBytes.allSatisfy({ $0 > 0x20 && $0 < 0x80 }) {
            return establishmentIDChecked(raw, prefecture: prefecture)
        }
        return establishmentIDChecked(Normalize.value(raw), prefecture: prefecture)
    }

    static func establishmentIDChecked(_ text: String, prefecture: PrefectureCode) -> Result<String, CellProblem> {
        // The form is EstablishmentID's; the prefecture is this run's.
        let chars = text.utf8
        guard EstablishmentID(text) != nil else {
            return .failure(
                CellProblem(
                    .establishmentIDFormat,
                    "事業所番号 \"\(text)\": expected 10 characters, all digits except the 3rd (a digit or an upper-case letter such as A)"
                ))
        }
        guard chars.starts(with: prefecture.text.utf8) else {
            return .failure(
                CellProblem(
                    .establishmentIDPrefecture,
                    "事業所番号 \(text): starts with \(text.prefix(2)), not this prefecture's code \(prefecture)"))
        }
        return .success(text)
    }

    /// 市区町村コード: completed when 5 digits, check digit verified when 6, then looked up.
    package static func municipality(_ raw: String, known: Set<MunicipalityCode>?) -> Result<
        MunicipalityCode, CellProblem
    > {
        let text = raw.utf8.count == 6 && raw.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) ? raw : Normalize.value(raw)
        switch MunicipalityCode.normalize(text) {
        case .failure(.malformed):
            return .failure(
                CellProblem(
                    .municipalityCodeFormat, "市区町村コード \"\(text)\": expected 6 digits (or 5 without the check digit)"))
        case .failure(.checkDigit(let expected)):
            return .failure(CellProblem(.checkDigit, "市区町村コード \(text): check digit should be \(expected)"))
        case .success(let code):
            if let known, !known.contains(code) {
                return .failure(CellProblem(.unknownMunicipality, "市区町村コード \(code): not in the municipality master"))
            }
            return .success(code)
        }
    }

    /// A date in any accepted form (`label` names the field in the message).
    package static func date(_ raw: String, label: String) -> Result<Day, CellProblem> {
        date(parsed: DateParser.parse(raw), raw: raw, label: label)
    }

    /// A date from a cell's bytes (ISO and slashed dates need no String).
    package static func date<Bytes: Collection>(_ bytes: Bytes, label: String) -> Result<Day, CellProblem>
    where Bytes.Element == UInt8 {
        let parsed = DateParser.parse(bytes: bytes)
        if case .success(let d) = parsed { return .success(d) }
        return date(parsed: parsed, raw: String(decoding: bytes, as: UTF8.self), label: label)
    }

    private static func date(parsed: Result<Day, DateParser.Problem>, raw: String, label: String) -> Result<
        Day, CellProblem
    > {
        switch parsed {
        case .success(let d): return .success(d)
        case .failure(let problem):
            let why: String
            switch problem {
            case .unrecognised:
                why =
                    "not a date (accepted: 2025-10-01, 2025/10/1, 2025年10月1日, 令和7年10月1日, R7.10.1, 20251001, "
                    + "an Excel serial; a time or weekday after it is ignored)"
            case .noSuchDay: why = "no such day"
            case .outsideEra(let s): why = s
            case .implausibleYear(let y): why = "the year \(y) is not a survey year (\(DateParser.plausibleYears))"
            }
            return .failure(CellProblem(.date, "\(label) \"\(Normalize.value(raw))\": \(why)"))
        }
    }

    /// サービス種別: a 2-character code, or a known label; unknown codes are warnings.
    package static func serviceType(_ raw: String) -> (code: String?, problem: CellProblem?) {
        // Fast path: a known two-character code as typed.
        if raw.utf8.count == 2, serviceTypes[raw] != nil { return (raw, nil) }
        let text = Normalize.value(raw)
        if let code = serviceCodesByLabel[text] { return (code, nil) }
        let bytes = Array(text.utf8)
        let padded = bytes.count == 1 && bytes[0] >= 0x30 && bytes[0] <= 0x39 ? "0" + text : text
        let ok =
            padded.utf8.count == 2
            && padded.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) }
        guard ok else {
            return (
                nil,
                CellProblem(
                    .serviceTypeFormat,
                    "サービス種別 \"\(text)\": expected a 2-character service code such as 11 訪問介護 or 15 通所介護")
            )
        }
        if serviceTypes[padded] == nil {
            return (
                padded,
                CellProblem(.unknownServiceType, "サービス種別 \(padded): not a known care-insurance service code (kept)")
            )
        }
        return (padded, nil)
    }
}

extension Substring {
    func trimmingLeading(_ chars: String) -> Substring {
        var s = self
        while let f = s.first, chars.contains(f) { s = s.dropFirst() }
        return s
    }
}
