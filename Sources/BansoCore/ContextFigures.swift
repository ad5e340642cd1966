/// Helpers over context figures.
public enum ContextFigures {
    /// The latest year's figure per municipality and id.
    public static func latest(_ figures: [ContextFigure]) -> [ContextFigure] {
        struct Key: Hashable {
            let municipality: String, id: String
        }
        return latestIndex(
            in: figures, key: { Key(municipality: $0.municipality, id: $0.id) }, date: { yearKey($0.year) }
        )
        .values.map { figures[$0] }.sorted { ($0.municipality, $0.id) < ($1.municipality, $1.id) }
    }
}

extension ContextFigures {
    /// A year as a sortable number: `2024`, `2024年度`, `令和6年度`, `R6` and `平成30年` alike (0 when none).
    public static func yearKey(_ year: String) -> Int {
        let digits = year.filter(\.isASCIIDigitValue)
        guard let n = Int(digits) else { return 0 }
        if year.hasPrefix("令和") || year.hasPrefix("R") { return 2018 + n }
        if year.hasPrefix("平成") || year.hasPrefix("H") { return 1988 + n }
        return n
    }
}

extension Character {
    fileprivate var isASCIIDigitValue: Bool { isASCII && isNumber }
}
