/// A calendar day without time zone (survey answers are dates, not instants).
package struct Day: Comparable, Hashable, Sendable, CustomStringConvertible, Codable {
    package var year: Int
    package var month: Int
    package var day: Int

    package init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1, day <= Day.daysIn(month: month, year: year)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// ISO 8601 `YYYY-MM-DD`.
    package var description: String {
        let m = month < 10 ? "0\(month)" : "\(month)"
        let d = day < 10 ? "0\(day)" : "\(day)"
        return "\(year)-\(m)-\(d)"
    }

    /// Days since 1970-01-01 (proleptic Gregorian).
    package var ordinal: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The day `ordinal` days after 1970-01-01.
    package init(ordinal: Int) {
        let z = ordinal + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        month = m
        day = d
    }

    package static func < (a: Day, b: Day) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    /// A day as letters write it: 令和8年1月15日 (平成 before 2019-05-01).
    package var japanese: String {
        let era = self >= Day(year: 2019, month: 5, day: 1)! ? "令和" : "平成"
        let y = era == "令和" ? year - 2018 : year - 1988
        return "\(era)\(y == 1 ? "元" : String(y))年\(month)月\(day)日"
    }

    /// Parses `YYYY-MM-DD` exactly (pipeline files).
    package static func iso(_ text: String) -> Day? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        return Day(year: y, month: m, day: d)
    }
}

/// Reads the date forms of the survey contract: ISO, slashes, 年月日, era dates (令和・平成・昭和,
/// `R7.10.1`, `H31.4.30`, 元年) and Excel serial day numbers.
package enum DateParser {
    /// Why a date was refused (the message names the form).
    package enum Problem: Error, Equatable, Sendable {
        case unrecognised
        case noSuchDay
        /// An era date outside its era (平成32年, 令和1年4月1日).
        case outsideEra(String)
        /// A real day, but not in a year a survey answer can have.
        case implausibleYear(Int)
    }

    struct Era {
        let names: [String]
        let start: Day
        let end: Day?
    }
    static let eras: [Era] = [
        Era(names: ["令和", "R"], start: Day(year: 2019, month: 5, day: 1)!, end: nil),
        Era(names: ["平成", "H"], start: Day(year: 1989, month: 1, day: 8)!, end: Day(year: 2019, month: 4, day: 30)!),
        Era(names: ["昭和", "S"], start: Day(year: 1926, month: 12, day: 25)!, end: Day(year: 1989, month: 1, day: 7)!),
    ]

    /// The years a survey answer can be dated in: anything else is a typing error (`251001` read as
    /// the year 2587 would win every duplicate), not a date to guess at.
    package static let plausibleYears = 1989...2099

    /// Excel serial day numbers of those years (Excel exports a date cell as one of these).
    static let plausibleSerials = 32_509...73_415

    /// Parses a cell from its bytes: `2025-10-01` and `2025/10/1` (what almost every answer
    /// holds) without making a String; everything else through `parse(_:)`, which gives the same
    /// result for these forms.
    package static func parse<Bytes: Collection>(bytes: Bytes) -> Result<Day, Problem> where Bytes.Element == UInt8 {
        var parts = (0, 0, 0)
        var n = 0, digits = 0, part = 0
        var separator: UInt8 = 0
        var plainForm = bytes.count >= 8 && bytes.count <= 10
        if plainForm {
            for b in bytes {
                if b >= 0x30 && b <= 0x39 {
                    n = n * 10 + Int(b - 0x30)
                    digits += 1
                    if digits > (part == 0 ? 4 : 2) { plainForm = false }
                } else if (b == 0x2D || b == 0x2F) && (separator == 0 || separator == b) && part < 2
                    && digits == (part == 0 ? 4 : digits) && digits > 0
                {
                    separator = b
                    if part == 0 { parts.0 = n } else { parts.1 = n }
                    part += 1
                    n = 0
                    digits = 0
                } else {
                    plainForm = false
                }
                if !plainForm { break }
            }
        }
        guard plainForm, part == 2, digits > 0, parts.0 >= 1000 else {
            // The other forms index into the bytes: copied, which only these rarer cells pay for.
            let bytes = Array(bytes)[...]
            if let (y, m, d) = kanjiForm(bytes) {
                guard let day = Day(year: y, month: m, day: d) else { return .failure(.noSuchDay) }
                return plausible(day)
            }
            if let day = reiwaOrSerial(bytes) { return .success(day) }
            return parse(String(decoding: bytes, as: UTF8.self))
        }
        parts.2 = n
        guard let day = Day(year: parts.0, month: parts.1, day: parts.2) else { return .failure(.noSuchDay) }
        return plausible(day)
    }

    /// `2025年10月1日` in ASCII digits (4 for the year from 1000, 1–2 for month and day) as
    /// its numbers; nil for anything else, which the String parser reads.
    static func kanjiForm(_ bytes: ArraySlice<UInt8>) -> (Int, Int, Int)? {
        guard let parts = marked(bytes, from: bytes.startIndex, yearDigits: 4...4), parts.0 >= 1000 else { return nil }
        return parts
    }

    /// `N年N月N日` from `start` to the end, the year with `yearDigits` ASCII digits, month and
    /// day with 1–2; nil for anything else.
    static func marked(_ bytes: ArraySlice<UInt8>, from start: Int, yearDigits: ClosedRange<Int>) -> (Int, Int, Int)? {
        let marks = kanjiMarks
        var parts = (0, 0, 0)
        var i = start
        let end = bytes.endIndex
        for k in 0..<3 {
            var n = 0
            var digits = 0
            // At most 5 digits are read (a longer run is refused): never an overflow.
            while i < end, digits < 5, bytes[i] >= 0x30 && bytes[i] <= 0x39 {
                n = n * 10 + Int(bytes[i] - 0x30)
                digits += 1
                i += 1
            }
            guard (k == 0 ? yearDigits : 1...2).contains(digits), end - i >= 3,
                bytes[i] == marks[3 * k], bytes[i + 1] == marks[3 * k + 1], bytes[i + 2] == marks[3 * k + 2]
            else { return nil }
            i += 3
            switch k {
            case 0: parts.0 = n
            case 1: parts.1 = n
            default: parts.2 = n
            }
        }
        return i == end ? parts : nil
    }

    /// The day of a 令和 date (`R7/10/1`, `R7.10.1`, `R7-10-1`, `令和7年10月1日`, 1–2 digits
    /// each) or of an Excel serial (5–6 digits), when it is a plausible day of the era; nil for
    /// anything else, failures included, which the String parser reads and explains.
    static func reiwaOrSerial(_ bytes: ArraySlice<UInt8>) -> Day? {
        let end = bytes.endIndex
        if bytes.count == 5 || bytes.count == 6, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            let serial = bytes.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            guard plausibleSerials.contains(serial) else { return nil }
            return Day(ordinal: Day(year: 1899, month: 12, day: 30)!.ordinal + serial)
        }
        /// Reads 1–2 digits at `i`.
        func number(_ i: inout Int) -> Int? {
            var n = 0
            let start = i
            while i < end, i - start < 3, bytes[i] >= 0x30 && bytes[i] <= 0x39 {
                n = n * 10 + Int(bytes[i] - 0x30)
                i += 1
            }
            return (1...2).contains(i - start) ? n : nil
        }
        let parts: (Int, Int, Int)
        if bytes.first == 0x52 {  // R7/10/1
            var i = bytes.startIndex + 1
            guard let y = number(&i), i < end else { return nil }
            let separator = bytes[i]
            guard separator == 0x2F || separator == 0x2E || separator == 0x2D else { return nil }
            i += 1
            guard let m = number(&i), i < end, bytes[i] == separator else { return nil }
            i += 1
            guard let d = number(&i), i == end else { return nil }
            parts = (y, m, d)
        } else if bytes.starts(with: reiwaMark),  // 令和7年10月1日
            let read = marked(bytes, from: bytes.startIndex + reiwaMark.count, yearDigits: 1...2)
        {
            parts = read
        } else {
            return nil
        }
        let reiwa = eras[0].start
        guard parts.0 >= 1, let day = Day(year: reiwa.year + parts.0 - 1, month: parts.1, day: parts.2), day >= reiwa,
            plausibleYears.contains(day.year)
        else { return nil }
        return day
    }

    /// 令和 in UTF-8.
    static let reiwaMark = Array("令和".utf8)

    /// 年, 月 and 日 in UTF-8, three bytes each.
    static let kanjiMarks = Array("年月日".utf8)

    /// Parses a cell already known not to be missing.
    ///
    /// Accepts what offices write: ISO and slashed dates, 年月日, era dates (令和/R, 平成/H, 昭和/S,
    /// 元年, upper or lower case letters), `YYYYMMDD`, an Excel serial (with or without a
    /// fraction), each optionally followed by a time (`T09:00`, ` 9:00:00`) or a weekday (`(水)`),
    /// with spaces anywhere. Other digit runs (`251001`, `2025`) are refused.
    package static func parse(_ raw: String) -> Result<Day, Problem> {
        let text = clean(Normalize.value(raw))
        if !text.isEmpty, text.allSatisfy({ $0.isASCIIDigitChar || $0 == "." }) {
            return digitsOnly(text)
        }
        for era in eras {
            for name in era.names where text.hasPrefix(name) {
                let rest = String(text.dropFirst(name.count))
                guard let (y, m, d) = triple(rest, allowGan: true) else { return .failure(.unrecognised) }
                let year = era.start.year + y - 1
                guard let day = Day(year: year, month: m, day: d) else { return .failure(.noSuchDay) }
                if day < era.start || (era.end.map { day > $0 } ?? false) {
                    return .failure(.outsideEra("\(era.names[0])\(y)年\(m)月\(d)日 is not a day of \(era.names[0])"))
                }
                return plausible(day)
            }
        }
        guard let (y, m, d) = triple(text, allowGan: false), y >= 1000 else { return .failure(.unrecognised) }
        guard let day = Day(year: y, month: m, day: d) else { return .failure(.noSuchDay) }
        return plausible(day)
    }

    static func plausible(_ day: Day) -> Result<Day, Problem> {
        plausibleYears.contains(day.year) ? .success(day) : .failure(.implausibleYear(day.year))
    }

    /// `YYYYMMDD`, or an Excel serial day number (a fraction is the time of day, dropped).
    static func digitsOnly(_ text: String) -> Result<Day, Problem> {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty,
            parts.count == 1 || parts[1].allSatisfy(\.isASCIIDigitChar)
        else { return .failure(.unrecognised) }
        if parts.count == 1, whole.count == 8, let y = Int(whole.prefix(4)), let m = Int(whole.dropFirst(4).prefix(2)),
            let d = Int(whole.suffix(2))
        {
            guard let day = Day(year: y, month: m, day: d) else { return .failure(.noSuchDay) }
            return plausible(day)
        }
        // Excel's day 1 is 1900-01-01 and it counts a 1900-02-29 that never was: serials from 61
        // on are days since 1899-12-30.
        guard whole.count <= 6, let serial = Int(whole), plausibleSerials.contains(serial) else {
            return .failure(.unrecognised)
        }
        return .success(Day(ordinal: Day(year: 1899, month: 12, day: 30)!.ordinal + serial))
    }

    /// Drops what may follow a date (a weekday in brackets, a time) and every space; upper-cases
    /// a leading era letter.
    static func clean(_ text: String) -> String {
        var t = Substring(text)
        // A weekday: 2025年10月1日(水), 2025/10/1 (水曜日).
        if t.hasSuffix(")"), let open = t.lastIndex(of: "(") {
            let inside = t[t.index(after: open)..<t.index(before: t.endIndex)].replacingOccurrences(of: "曜日", with: "")
                .replacingOccurrences(of: "曜", with: "")
            if inside.count == 1, "月火水木金土日".contains(inside) { t = t[..<open] }
        }
        // A time: T09:00, T09:00:00Z, a space then 9:00 or 9:00:00.
        if let colon = t.firstIndex(of: ":") {
            var start = colon
            while start > t.startIndex, t[t.index(before: start)].isASCIIDigitChar { start = t.index(before: start) }
            if start > t.startIndex {
                let before = t.index(before: start)
                if t[before] == "T" || t[before] == " " { t = t[..<before] }
            }
        }
        var out = t.filter { $0 != " " }
        if let first = out.first, "rhs".contains(first) { out = first.uppercased() + out.dropFirst() }
        return out
    }

    /// Splits `7.10.1`, `7/10/1`, `7-10-1`, `7年10月1日` (and 元年) into numbers.
    private static func triple(_ text: String, allowGan: Bool) -> (Int, Int, Int)? {
        var s = text
        if allowGan && s.hasPrefix("元") { s = "1" + s.dropFirst() }
        var parts: [Int] = []
        var current = ""
        var separators = Set<Character>()
        for c in s {
            if c.isASCIIDigitChar {
                // Years have at most 4 digits: longer runs are not dates (and would overflow).
                guard current.count < 4 else { return nil }
                current.append(c)
                continue
            }
            guard ["-", "/", ".", "年", "月", "日"].contains(c), let n = Int(current) else { return nil }
            separators.insert(c)
            parts.append(n)
            current = ""
        }
        if !current.isEmpty, let n = Int(current) { parts.append(n) }
        guard parts.count == 3 else { return nil }
        // One style per date: 2025/10-1 is not a date a person wrote.
        let kanji: Set<Character> = ["年", "月", "日"]
        guard separators.count == 1 || separators.isSubset(of: kanji) else { return nil }
        return (parts[0], parts[1], parts[2])
    }
}

extension Duration {
    /// The duration in seconds, as the logs and the benchmark notes print it.
    package var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
