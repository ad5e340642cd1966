import BansoCore

/// Disclosure control: threshold, dominance and secondary suppression, across the municipalities,
/// the 圏域, the prefecture and the service-group tables.
package enum Disclosure {
    /// A suppressed cell counts as protected when the other suppressed cells of its table add up
    /// to at least this share of its own numerator and denominator: with less, the prefecture total
    /// minus the published cells would pin it down almost exactly.
    package static let protectionShare = 0.10
    /// The suppressed cells of a table must together hold at least this much (one person, or one
    /// establishment): cells that add up to 0 would each be known to be 0.
    package static let protectionMinimum = 1.0

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

    /// One cell of the tables, as the rules see it.
    struct Cell {
        var indicator: Indicator
        var estimate: Estimate
        var largest: Double?
        var respondentSum: Double?
        var suppressed = false
        var rule: SuppressionRule?
        /// Breaks ties between equally small cells (the municipality or domain code).
        var order: String

        /// The additive parts: (numerator, denominator).
        var parts: (Double, Double) {
            (abs(estimate.numerator ?? estimate.value ?? 0), abs(estimate.denominator ?? 0))
        }
        var hasData: Bool { (estimate.value != nil || estimate.numerator != nil) && estimate.n > 0 }
    }

    /// Members that add up to a total: a table of one level under the next.
    struct Relation {
        var members: [Int]
        var total: Int
    }

    /// Applies the rules to every municipality row (`prefectureCode` marks the prefecture's) and
    /// every 圏域 and service-group row, suppressing further until no suppressed cell can be
    /// recovered by subtraction from any table it belongs to.
    package static func apply(
        _ rows: inout [IndicatorRow], areas: inout [AreaIndicatorRow], regions: [MunicipalityCode: RegionCode] = [:],
        prefectureCode: MunicipalityCode, _ p: Parameters
    ) -> DisclosureSummary {
        var summary = DisclosureSummary(protectionShare: protectionShare)
        summary.cells = rows.count + areas.count
        var cells = cells(rows, areas)
        for i in cells.indices {
            guard let rule = primary(cells[i], p) else { continue }
            cells[i].suppressed = true
            cells[i].rule = rule
            if rule == .threshold { summary.threshold += 1 } else { summary.dominance += 1 }
        }
        // Secondary suppression, one set of tables per indicator.
        var byIndicator: [Indicator: [Int]] = [:]
        for i in cells.indices { byIndicator[cells[i].indicator, default: []].append(i) }
        for indicator in Indicator.fileOrder {
            guard let members = byIndicator[indicator], indicator.form != .sampleSize, indicator.form != .median else {
                continue
            }
            let relations = tables(
                members, municipalities: rows.count, rows: rows, areas: areas, regions: regions,
                prefectureCode: prefectureCode)
            // Suppressing in one table can leave a cell of another alone: repeat until none changes.
            var changed = true
            while changed {
                changed = false
                for r in relations {
                    let added = protect(&cells, r)
                    summary.secondary += added
                    changed = changed || added > 0
                }
            }
        }
        for i in rows.indices {
            rows[i].suppressed = cells[i].suppressed
            rows[i].rule = cells[i].rule
        }
        for i in areas.indices {
            areas[i].suppressed = cells[rows.count + i].suppressed
            areas[i].rule = cells[rows.count + i].rule
        }
        return summary
    }

    /// Applies the rules to the municipality rows alone (a prefecture without 圏域 or service-group
    /// tables).
    package static func apply(_ rows: inout [IndicatorRow], prefectureCode: MunicipalityCode, _ p: Parameters)
        -> DisclosureSummary
    {
        var none: [AreaIndicatorRow] = []
        return apply(&rows, areas: &none, prefectureCode: prefectureCode, p)
    }

    /// The cells of the tables: the municipality rows, then the area rows, each with its decision.
    static func cells(_ rows: [IndicatorRow], _ areas: [AreaIndicatorRow]) -> [Cell] {
        rows.map {
            Cell(
                indicator: $0.indicator, estimate: $0.estimate, largest: $0.largestContribution,
                respondentSum: $0.respondentSum, suppressed: $0.suppressed, rule: $0.rule, order: $0.code.text)
        }
            + areas.map {
                Cell(
                    indicator: $0.indicator, estimate: $0.estimate, largest: $0.largestContribution,
                    respondentSum: $0.respondentSum, suppressed: $0.suppressed, rule: $0.rule,
                    order: "~" + ($0.region?.text ?? "") + ":" + ($0.serviceGroup ?? ""))
            }
    }

    /// The threshold or dominance rule a cell fails, if any.
    static func primary(_ cell: Cell, _ p: Parameters) -> SuppressionRule? {
        let spec = cell.indicator
        let e = cell.estimate
        guard spec.form != .sampleSize, e.value != nil || e.numerator != nil else { return nil }
        if e.n < (spec.workerBased ? p.minWorkers : p.minEstablishments) { return .threshold }
        if spec.form == .countTotal || spec.form == .estimatedTotal, let big = cell.largest,
            let total = cell.respondentSum ?? e.value, total > 0, big > p.dominanceShare * total
        {
            return .dominance
        }
        return nil
    }

    /// The tables one indicator's cells form (indices into the cells: the municipality rows first,
    /// then the area rows).
    ///
    /// The municipalities add up to the prefecture and, with 圏域, to their 圏域, which add up to
    /// the prefecture; the service groups of the prefecture and of each 圏域 add up to it, and each
    /// service group's 圏域 add up to the prefecture's.
    static func tables(
        _ members: [Int], municipalities count: Int, rows: [IndicatorRow], areas: [AreaIndicatorRow],
        regions: [MunicipalityCode: RegionCode], prefectureCode: MunicipalityCode
    ) -> [Relation] {
        var prefecture: Int?
        var municipalities: [Int] = []
        var byRegion: [RegionCode: [Int]] = [:]
        var regionCell: [RegionCode: Int] = [:]
        var groupCells: [RegionCode?: [Int]] = [:]
        var byGroup: [String: (total: Int?, regions: [Int])] = [:]
        for i in members {
            if i < count {
                let r = rows[i]
                if r.code == prefectureCode {
                    prefecture = i
                } else {
                    municipalities.append(i)
                    if let region = regions[r.code] { byRegion[region, default: []].append(i) }
                }
                continue
            }
            let a = areas[i - count]
            switch (a.region, a.serviceGroup) {
            case (let region?, nil): regionCell[region] = i
            case (let region, let group?):
                groupCells[region, default: []].append(i)
                if region == nil {
                    byGroup[group, default: (nil, [])].total = i
                } else {
                    byGroup[group, default: (nil, [])].regions.append(i)
                }
            case (nil, nil): break
            }
        }
        guard let prefecture else { return [] }
        var out = [Relation(members: municipalities, total: prefecture)]
        for (region, cell) in regionCell.sorted(by: { $0.key < $1.key }) {
            out.append(Relation(members: byRegion[region] ?? [], total: cell))
        }
        if !regionCell.isEmpty {
            out.append(Relation(members: regionCell.keys.sorted().map { regionCell[$0]! }, total: prefecture))
        }
        if let groups = groupCells[nil] { out.append(Relation(members: groups, total: prefecture)) }
        for (region, cell) in regionCell.sorted(by: { $0.key < $1.key }) {
            if let groups = groupCells[region] { out.append(Relation(members: groups, total: cell)) }
        }
        for group in byGroup.keys.sorted() {
            if let total = byGroup[group]!.total, !byGroup[group]!.regions.isEmpty {
                out.append(Relation(members: byGroup[group]!.regions, total: total))
            }
        }
        return out
    }

    /// Adds complementary suppressions to one table until every suppressed cell in it is
    /// protected; returns how many.
    ///
    /// The table's suppressed cells — its total among them when that is suppressed — must be at
    /// least two, each must be hidden by the others (they add up to at least `protectionShare` of
    /// its numerator and of its denominator), and together they must hold at least
    /// `protectionMinimum` (else each would be known to lie within less than one person of 0).
    /// Otherwise the smallest published member with data (by denominator, numerator, code) that
    /// adds to what is missing is suppressed too.
    static func protect(_ cells: inout [Cell], _ table: Relation) -> Int {
        var added = 0
        while true {
            let suppressed = (table.members + [table.total]).filter { cells[$0].suppressed }
            if suppressed.isEmpty { return added }
            var sumNum = 0.0, sumDen = 0.0
            for i in suppressed {
                let (a, b) = cells[i].parts
                sumNum += a
                sumDen += b
            }
            var short = (
                numerator: suppressed.count < 2 || sumNum < protectionMinimum - 1e-9,
                denominator: suppressed.count < 2 || (sumDen > 0 && sumDen < protectionMinimum - 1e-9)
            )
            for i in suppressed {
                let (a, b) = cells[i].parts
                if sumNum - a < protectionShare * a - 1e-9 { short.numerator = true }
                if sumDen - b < protectionShare * b - 1e-9 { short.denominator = true }
            }
            if !short.numerator && !short.denominator { return added }
            let candidates = table.members.filter { !cells[$0].suppressed && cells[$0].hasData }
            // Prefer a cell that adds to the part that is short; any will do when none does.
            let helping = candidates.filter {
                let (a, b) = cells[$0].parts
                return (short.numerator && a > 0) || (short.denominator && b > 0)
            }
            guard
                let next = (helping.isEmpty ? candidates : helping).min(by: { a, b in
                    let (na, da) = cells[a].parts, (nb, db) = cells[b].parts
                    return (da, na, cells[a].order) < (db, nb, cells[b].order)
                })
            else { return added }
            cells[next].suppressed = true
            cells[next].rule = .secondary
            added += 1
        }
    }
}
