/// Quantiles by linear interpolation between order statistics (R type 7, Excel's QUARTILE.INC).
package func quantile(_ sorted: [Double], _ p: Double) -> Double? {
    guard !sorted.isEmpty else { return nil }
    let h = Double(sorted.count - 1) * p
    let lo = Int(h.rounded(.down))
    let hi = min(lo + 1, sorted.count - 1)
    return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
}

/// The quartiles of a set of values, and where a value falls among them.
///
/// One definition for every comparison that shows "the middle half" or a position: the feedback's
/// peers and prefecture, and the カルテ's context figures.
package struct Quartiles: Sendable, Equatable {
    package let q1: Double
    package let median: Double
    package let q3: Double

    /// Nil with fewer than `minimum` values (too few to show a distribution).
    package init?(sorted values: [Double], minimum: Int) {
        guard values.count >= minimum, let q1 = quantile(values, 0.25), let median = quantile(values, 0.5),
            let q3 = quantile(values, 0.75)
        else { return nil }
        self.q1 = q1
        self.median = median
        self.q3 = q3
    }

    /// Quartiles already computed (read back from a file).
    package init(q1: Double, median: Double, q3: Double) {
        self.q1 = q1
        self.median = median
        self.q3 = q3
    }

    /// 1–4: the quarter `value` falls in (a position, not a rank).
    package func position(of value: Double) -> Int {
        value <= q1 ? 1 : value <= median ? 2 : value <= q3 ? 3 : 4
    }
}

/// For each key, the position of the element kept when several share it: the greatest `date`,
/// and on a tie the one that comes last (the latest answer wins; a file read later corrects an
/// earlier one).
package func latestIndex<Element, Key: Hashable, Date: Comparable>(
    in elements: [Element], key: (Element) -> Key, date: (Element) -> Date
) -> [Key: Int] {
    var winner: [Key: Int] = [:]
    for (n, e) in elements.enumerated() {
        let k = key(e)
        if let w = winner[k], date(elements[w]) > date(e) { continue }
        winner[k] = n
    }
    return winner
}
