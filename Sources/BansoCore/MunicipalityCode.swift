/// The 6-digit 全国地方公共団体コード: five digits and a check digit.
package enum MunicipalityCode {
    /// Why a code was refused.
    package enum Problem: Error, Equatable, Sendable {
        /// Not 5 or 6 ASCII digits after normalisation.
        case malformed
        /// Six digits whose last one is wrong; carries the digit it should be.
        case checkDigit(expected: Int)
    }

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

    /// Validates a 6-digit code or completes a 5-digit one; returns the 6-digit code.
    package static func normalize(_ text: String) -> Result<String, Problem> {
        let bytes = Array(text.utf8)
        guard bytes.count == 5 || bytes.count == 6, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return .failure(.malformed)
        }
        let check = checkDigit(bytes.prefix(5))
        if bytes.count == 5 { return .success(text + String(check)) }
        guard Int(bytes[5] - 0x30) == check else { return .failure(.checkDigit(expected: check)) }
        return .success(text)
    }

    /// True for a well-formed 6-digit code with the right check digit.
    package static func isValid(_ text: String) -> Bool {
        text.utf8.count == 6 && (try? normalize(text).get()) == text
    }

    /// The prefecture's own code: its two digits, `0000`, and the check digit (北海道 → 010006).
    package static func prefecture(_ twoDigits: String) -> String {
        let five = twoDigits + "000"
        return five + String(checkDigit(Array(five.utf8)))
    }

    /// True when `text` is a valid 2-digit prefecture code (01–47).
    package static func isPrefectureCode(_ text: String) -> Bool {
        guard text.utf8.count == 2, let n = Int(text) else { return false }
        return (1...47).contains(n)
    }
}
