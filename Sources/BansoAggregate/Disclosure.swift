import BansoCore

/// Disclosure control: threshold, dominance and secondary suppression.
package enum Disclosure {
    /// A suppressed cell counts as protected when the other suppressed cells of its table add up
    /// to at least this share of its own numerator and denominator: with less, the prefecture total
    /// minus the published cells would pin it down almost exactly.
    package static let protectionShare = 0.10

    /// The `[disclosure]` section: the rules a published cell must pass.
    package struct Parameters: Codable, Equatable, Sendable {
        package var minEstablishments: Int
        package var minWorkers: Int
        package var dominanceShare: Double
        package init(minEstablishments: Int, minWorkers: Int, dominanceShare: Double) {
            self.minEstablishments = minEstablishments
            self.minWorkers = minWorkers
            self.dominanceShare = dominanceShare
        }
    }

    /// Applies the rules to every row; `prefectureCode` marks the total row of each table.
    package static func apply(_ rows: inout [IndicatorRow], prefectureCode: MunicipalityCode, _ p: Parameters)
        -> DisclosureSummary
    {
        var summary = DisclosureSummary(protectionShare: protectionShare)
        summary.cells = rows.count
        for i in rows.indices {
            let spec = rows[i].indicator
            guard spec.form != .sampleSize else { continue }
            let e = rows[i].estimate
            guard e.value != nil || e.numerator != nil else { continue }
            let minimum = spec.workerBased ? p.minWorkers : p.minEstablishments
            if e.n < minimum {
                rows[i].suppressed = true
                rows[i].rule = .threshold
                summary.threshold += 1
            } else if spec.form == .countTotal || spec.form == .estimatedTotal, let big = rows[i].largestContribution,
                let total = rows[i].respondentSum ?? e.value, total > 0, big > p.dominanceShare * total
            {
                rows[i].suppressed = true
                rows[i].rule = .dominance
                summary.dominance += 1
            }
        }
        // Secondary suppression, one table per indicator: the municipalities and their sum.
        var byIndicator: [Indicator: [Int]] = [:]
        for i in rows.indices where rows[i].code != prefectureCode {
            byIndicator[rows[i].indicator, default: []].append(i)
        }
        for indicator in Indicator.fileOrder {
            guard let members = byIndicator[indicator], indicator.form != .sampleSize, indicator.form != .median else {
                continue
            }
            summary.secondary += protect(&rows, members)
        }
        return summary
    }

    /// The additive parts of a cell: (numerator, denominator).
    static func parts(_ r: IndicatorRow) -> (Double, Double) {
        (abs(r.estimate.numerator ?? r.estimate.value ?? 0), abs(r.estimate.denominator ?? 0))
    }

    /// Adds complementary suppressions until every suppressed cell is protected; returns how many.
    static func protect(_ rows: inout [IndicatorRow], _ members: [Int]) -> Int {
        var added = 0
        while true {
            let suppressed = members.filter { rows[$0].suppressed }
            if suppressed.isEmpty { return added }
            var sumNum = 0.0, sumDen = 0.0
            for i in suppressed {
                let (a, b) = parts(rows[i])
                sumNum += a
                sumDen += b
            }
            let unprotected = suppressed.contains { i in
                let (a, b) = parts(rows[i])
                return suppressed.count < 2
                    || (sumNum - a) < protectionShare * a - 1e-9
                    || (sumDen - b) < protectionShare * b - 1e-9
            }
            if !unprotected { return added }
            // The smallest published cell with data (ties by municipality code).
            let candidates = members.filter {
                !rows[$0].suppressed && (rows[$0].estimate.value != nil || rows[$0].estimate.numerator != nil)
                    && rows[$0].estimate.n > 0
            }
            guard
                let next = candidates.min(by: { a, b in
                    let (na, da) = parts(rows[a]), (nb, db) = parts(rows[b])
                    return (da, na, rows[a].code) < (db, nb, rows[b].code)
                })
            else { return added }
            rows[next].suppressed = true
            rows[next].rule = .secondary
            added += 1
        }
    }
}
