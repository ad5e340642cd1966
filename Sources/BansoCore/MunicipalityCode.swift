/// A municipality's 6-digit 全国地方公共団体コード, five digits and a check digit, validated.
///
/// Every municipality in a run file, a dictionary key or a message is one of these, so a code
/// without its check digit or with a wrong one cannot travel past the place it was read. Its
/// text is the code as written in the files (`202011`).
package struct MunicipalityCode: ValidatedText, Comparable, CSVCellValue {
    /// Why a code was refused.
    package enum Problem: Error, Equatable, Sendable {
        /// Not 5 or 6 ASCII digits after normalisation.
        case malformed
        /// Six digits whose last one is wrong; carries the digit it should be.
        case checkDigit(expected: Int)
    }

    /// The six digits.
    package let text: String

    /// Validates a 6-digit code; nil for anything else (a 5-digit code is completed only by
    /// `normalize`, where the input is known to come from an office's file).
    package init?(_ text: String) {
        guard text.utf8.count == 6, case .success(let code) = Self.normalize(text) else { return nil }
        self = code
    }

    private init(unchecked text: String) { self.text = text }

    /// The prefecture the code belongs to (its first two digits).
    package var prefectureDigits: Substring { text.prefix(2) }

    /// True when the code is a municipality (or the prefecture itself) of `prefecture`.
    package func belongs(to prefecture: PrefectureCode) -> Bool { text.hasPrefix(prefecture.text) }

    package static func < (a: MunicipalityCode, b: MunicipalityCode) -> Bool { a.text < b.text }

    package static let expected = "a 6-digit municipality code with its check digit"

    /// The check digit of five digits: S = 6·d1 + 5·d2 + 4·d3 + 3·d4 + 2·d5, (11 − S mod 11) mod 10.
    package static func checkDigit(_ firstFive: some Collection<UInt8>) -> Int {
        var sum = 0
        var weight = 6
        for b in firstFive {
            sum += Int(b - 0x30) * weight
            weight -= 1
        }
        return (11 - sum % 11) % 10
    }

    /// Validates a 6-digit code or completes a 5-digit one.
    package static func normalize(_ text: String) -> Result<MunicipalityCode, Problem> {
        let bytes = Array(text.utf8)
        guard bytes.count == 5 || bytes.count == 6, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return .failure(.malformed)
        }
        let check = checkDigit(bytes.prefix(5))
        if bytes.count == 5 { return .success(MunicipalityCode(unchecked: text + String(check))) }
        guard Int(bytes[5] - 0x30) == check else { return .failure(.checkDigit(expected: check)) }
        return .success(MunicipalityCode(unchecked: text))
    }

    /// The code of five digits with its check digit appended.
    package static func completing(fiveDigits five: String) -> MunicipalityCode? {
        guard five.utf8.count == 5, case .success(let code) = normalize(five) else { return nil }
        return code
    }
}

/// A prefecture's 2-digit code (01 北海道 … 47 沖縄県), as `prefecture_code` gives it.
package struct PrefectureCode: ValidatedText {
    /// The two digits.
    package let text: String

    /// Validates two digits from 01 to 47.
    package init?(_ text: String) {
        guard text.utf8.count == 2, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int(text),
            (1...47).contains(n)
        else { return nil }
        self.text = text
    }

    package static let expected = "a 2-digit prefecture code from 01 to 47"

    /// The prefecture's own 6-digit code: its two digits, `000`, and the check digit (北海道 → 010006).
    package var municipalityCode: MunicipalityCode { MunicipalityCode.completing(fiveDigits: text + "000")! }
}

/// An identity written as text that is valid in one form only (a code, a wave's name): made
/// through `init?(_:)` and so checked wherever it is read, from a file, a store or JSON.
package protocol ValidatedText: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Validates the text; nil when it is not one.
    init?(_ text: String)
    /// The text as written in files.
    var text: String { get }
    /// What a wrong one gets told it should be.
    static var expected: String { get }
}

extension ValidatedText {
    package var description: String { text }

    /// What a run-file cell should have held (`CSVCellValue`): the same as anywhere else.
    package static var expectedInCell: String { expected }

    package init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "\(text): not \(Self.expected)"))
        }
        self = value
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

/// One cell of the indicator tables: a municipality (or the prefecture) and an indicator.
package struct CellKey: Hashable, Sendable {
    package let code: MunicipalityCode
    package let indicator: Indicator

    package init(_ code: MunicipalityCode, _ indicator: Indicator) {
        self.code = code
        self.indicator = indicator
    }
}

/// A 介護保険事業所番号: 10 characters, digits except the 3rd, which may be an upper-case letter.
///
/// The first two are the prefecture's code; clean checks that they are this prefecture's.
package struct EstablishmentID: ValidatedText, Comparable, CSVCellValue {
    package let text: String

    package init?(_ text: String) {
        var text = text
        guard text.withUTF8({ Self.isWellFormed($0) }) else { return nil }
        self.text = text
    }

    /// The form on bytes, for the hot paths that check a million worker rows without a String.
    ///
    /// Not generic: a generic check called from another module runs unspecialised, through
    /// metadata look-ups per byte (9% of aggregate's time on a million rows).
    package static func isWellFormed(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == 10 else { return false }
        for i in 0..<10 {
            let b = bytes[i]
            guard (b >= 0x30 && b <= 0x39) || (i == 2 && b >= 0x41 && b <= 0x5A) else { return false }
        }
        return true
    }

    package static let expected = "a 10-character 事業所番号 (digits, the 3rd may be an upper-case letter)"

    package static func < (a: EstablishmentID, b: EstablishmentID) -> Bool { a.text < b.text }
}
