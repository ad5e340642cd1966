/// Helpers over context figures.
package enum ContextFigures {
    /// The latest year's figure per municipality and id.
    package static func latest(_ figures: [ContextFigure]) -> [ContextFigure] {
        struct Key: Hashable {
            let municipality: MunicipalityCode, id: String
        }
        return latestIndex(
            in: figures, key: { Key(municipality: $0.municipality, id: $0.id) }, date: { yearKey($0.year) }
        )
        .values.map { figures[$0] }.sorted { ($0.municipality, $0.id) < ($1.municipality, $1.id) }
    }
}

extension ContextFigures {
    /// The fiscal year (年度) a context figure's year stands for, as a sortable number; 0 when
    /// none can be read.
    ///
    /// Offices write `2024`, `2024年度`, `令和6年度`, `R6`, `令和元年度`, `平成30年`, a date such as
    /// `令和5年3月末` (March 2023 closes 令和4年度: 2022) and ranges such as `2022-2024` or
    /// `令和4〜6年度` (the period they end with). Reading only the digits once made 令和5年3月末
    /// (`53`) and 2022-2024 (`20222024`) the latest of all.
    package static func yearKey(_ year: String) -> Int {
        var text = year.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "　", with: "")
        // An ISO date or month (2023-03-31, 2023-03), not a range.
        let dashed = text.split(separator: "-")
        if dashed.count >= 2, dashed[0].count == 4, let y = Int(dashed[0]), (1...2).contains(dashed[1].count),
            let m = Int(dashed[1]), (1...12).contains(m)
        {
            return m <= 3 ? y - 1 : y
        }
        // A range: the period it ends with, keeping the era written before it (令和4〜6年度).
        var era: (prefix: String, base: Int)?
        for separator in ["〜", "～", "~", "から", "－", "‐", "-"] where text.contains(separator) {
            let parts = text.components(separatedBy: separator)
            era = eraOf(parts.first ?? "")
            text = parts.last ?? ""
        }
        if let e = eraOf(text) {
            era = e
            text = String(text.dropFirst(e.prefix.count))
        }
        let digits: (String) -> (Int, Substring)? = { t in
            let run = t.prefix(while: { $0.isASCII && $0.isNumber })
            return Int(run).map { ($0, t.dropFirst(run.count)) }
        }
        var calendar: Int
        var rest: Substring
        if let era {
            if text.hasPrefix("元") {
                (calendar, rest) = (era.base + 1, Substring(text.dropFirst()))
            } else if let (n, r) = digits(text) {
                (calendar, rest) = (era.base + n, r)
            } else {
                return 0
            }
        } else {
            // The first four-digit number.
            var t = Substring(text)
            while let c = t.first, !(c.isASCII && c.isNumber) { t = t.dropFirst() }
            guard let (n, r) = digits(String(t)), (1000...9999).contains(n) else { return 0 }
            (calendar, rest) = (n, Substring(r))
        }
        // A month after the year (令和5年3月末, 2023/3): January–March belong to the year before's 年度.
        var afterYear = rest
        if afterYear.hasPrefix("年") || afterYear.hasPrefix("/") || afterYear.hasPrefix(".") {
            afterYear = afterYear.dropFirst()
            if let (month, r) = digits(String(afterYear)), (1...12).contains(month),
                r.hasPrefix("月") || year.contains("/")
                    || year.contains(".")
            {
                if month <= 3 { calendar -= 1 }
            }
        }
        return calendar
    }

    /// The era a year starts with, and the year before its first (令和: 2018).
    static func eraOf(_ text: String) -> (prefix: String, base: Int)? {
        for (prefix, base) in [("令和", 2018), ("平成", 1988), ("昭和", 1925), ("R", 2018), ("H", 1988), ("S", 1925)]
        where text.hasPrefix(prefix) {
            return (prefix, base)
        }
        return nil
    }
}

/// Units of context figures that measure the same quantity, and how to convert between them.
package enum ContextUnits {
    /// Each unit in terms of a base unit of its quantity.
    static let scale: [String: (quantity: String, factor: Double)] = [
        "%": ("share", 1), "割合": ("share", 100), "‰": ("share", 0.1),
        "円": ("yen", 1), "千円": ("yen", 1000), "万円": ("yen", 10000),
        "人": ("people", 1), "千人": ("people", 1000),
    ]

    /// What a value in `from` is multiplied by to be in `to`, or nil when they measure different things.
    package static func factor(from: String, to: String) -> Double? {
        guard let a = scale[from], let b = scale[to], a.quantity == b.quantity else { return nil }
        return a.factor / b.factor
    }
}

extension Character {
    fileprivate var isASCIIDigitValue: Bool { isASCII && isNumber }
}
