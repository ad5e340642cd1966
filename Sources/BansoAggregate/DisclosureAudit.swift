import BansoCore

/// An attacker's view of the published tables: how closely a suppressed cell can be pinned down.
///
/// The attacker knows every published numerator and denominator, that each table's members add
/// up to its total (the municipalities to their 圏域 and the prefecture, the 圏域 to the
/// prefecture, the service groups to their 圏域 or the prefecture), and that no part is negative.
/// For every suppressed cell and each of its parts, two linear programs give the smallest and the
/// largest value consistent with all of that. A cell is narrowed when that range is narrower than
/// `required(value)`: 10% of its value, and at least one person (or establishment).
package enum DisclosureAudit {
    /// A suppressed part the published tables pin down too closely.
    package struct Narrowed: Sendable, CustomStringConvertible {
        package var indicator: Indicator
        /// The municipality code, or `圏域 01`, `圏域 01 施設`, `県 施設`.
        package var cell: String
        package var part: String
        package var value: Double
        package var low: Double
        package var high: Double
        package var description: String {
            "\(indicator.rawValue) \(cell) \(part): \(value) pinned to \(low)…\(high)"
        }
    }

    /// What an audit found and how much it solved.
    package struct Report: Sendable {
        package var narrowed: [Narrowed] = []
        /// Systems of equations set up (one per indicator and part with a suppressed cell).
        package var systems = 0
        /// Linear programs solved (two per suppressed part).
        package var programs = 0
        /// The largest system: variables (suppressed parts) and equations (tables and pools).
        package var largestVariables = 0
        package var largestEquations = 0
        /// Systems whose published figures do not add up (they should all do).
        package var inconsistent: [String] = []
    }

    /// A published pooled figure (feedback's peers' pooled figures): its members' summed ratio.
    ///
    /// With the published members' parts known, it is one linear equation in the suppressed
    /// members' numerators and denominators together: Σ(yₛ − R·xₛ) = R·X − Y.
    package struct Pool: Sendable {
        package var members: [MunicipalityCode]
        /// The figure as a plain ratio (a percentage ÷ 100).
        package var ratio: Double
        package init(members: [MunicipalityCode], ratio: Double) {
            self.members = members
            self.ratio = ratio
        }
    }

    /// The range a suppressed part's attacker bounds must at least span.
    package static func required(_ value: Double) -> Double {
        max(Disclosure.protectionShare * abs(value), Disclosure.protectionMinimum)
    }

    /// Audits one run's decisions: rows and areas hold unsuppressed values with the decision beside
    /// each (`internal/indicators.csv`, `internal/areas.csv`).
    package static func audit(
        rows: [IndicatorRow], areas: [AreaIndicatorRow], regions: [MunicipalityCode: RegionCode],
        prefectureCode: MunicipalityCode, pools: [Indicator: [Pool]] = [:]
    ) -> Report {
        var report = Report()
        let cells = Disclosure.cells(rows, areas)
        var byIndicator: [Indicator: [Int]] = [:]
        for i in cells.indices { byIndicator[cells[i].indicator, default: []].append(i) }
        for indicator in Indicator.fileOrder {
            guard let members = byIndicator[indicator], indicator.form != .sampleSize, indicator.form != .median,
                members.contains(where: { cells[$0].suppressed })
            else { continue }
            let tables = Disclosure.tables(
                members, municipalities: rows.count, rows: rows, areas: areas, regions: regions,
                prefectureCode: prefectureCode)
            func name(_ i: Int) -> String {
                if i < rows.count { return rows[i].code.text }
                let a = areas[i - rows.count]
                return [a.region.map { "圏域 \($0.text)" } ?? "県", a.serviceGroup ?? ""].filter { !$0.isEmpty }
                    .joined(separator: " ")
            }
            if let pooled = pools[indicator], !pooled.isEmpty {
                joint(
                    indicator, members: members, cells: cells, tables: tables, pools: pooled, rows: rows, name: name,
                    into: &report)
                continue
            }
            // The denominator of a figure per population is the population, published in the master.
            let parts: [(String, (Disclosure.Cell) -> Double)] =
                indicator == .careStaffPer1000Aged75
                ? [("numerator", { $0.parts.0 })]
                : [("numerator", { $0.parts.0 }), ("denominator", { $0.parts.1 })]
            for (part, value) in parts {
                let hidden = members.filter { cells[$0].suppressed }
                if part == "denominator" && hidden.allSatisfy({ value(cells[$0]) == 0 }) { continue }
                var variable: [Int: Int] = [:]
                for (k, i) in hidden.enumerated() { variable[i] = k }
                var equations: [[Double]] = []
                var rhs: [Double] = []
                for t in tables {
                    guard (t.members + [t.total]).contains(where: { variable[$0] != nil }) else { continue }
                    var row = Array(repeating: 0.0, count: hidden.count)
                    var b = 0.0
                    for m in t.members {
                        if let k = variable[m] { row[k] += 1 } else { b -= value(cells[m]) }
                    }
                    if let k = variable[t.total] { row[k] -= 1 } else { b += value(cells[t.total]) }
                    equations.append(row)
                    rhs.append(b)
                }
                report.systems += 1
                report.largestVariables = max(report.largestVariables, hidden.count)
                report.largestEquations = max(report.largestEquations, equations.count)
                let lp = LinearProgram(equations: equations, rhs: rhs, variables: hidden.count)
                if lp.infeasible {
                    report.inconsistent.append("\(indicator.rawValue) \(part)")
                    continue
                }
                for (k, i) in hidden.enumerated() {
                    report.programs += 2
                    guard let (low, high) = lp.range(of: k) else { continue }
                    let v = value(cells[i])
                    if high - low < required(v) - 1e-6 * max(1, abs(v)) {
                        report.narrowed.append(
                            Narrowed(indicator: indicator, cell: name(i), part: part, value: v, low: low, high: high))
                    }
                }
            }
        }
        return report
    }

    /// The audit of one indicator with pooled figures: numerators and denominators in one linear
    /// program (variables 2k and 2k + 1 for the k-th suppressed cell), the tables for each part
    /// and one equation per pool.
    static func joint(
        _ indicator: Indicator, members: [Int], cells: [Disclosure.Cell], tables: [Disclosure.Relation],
        pools: [Pool], rows: [IndicatorRow], name: (Int) -> String, into report: inout Report
    ) {
        let hidden = members.filter { cells[$0].suppressed }
        var variable: [Int: Int] = [:]
        for (k, i) in hidden.enumerated() { variable[i] = k }
        let count = 2 * hidden.count
        var equations: [[Double]] = []
        var rhs: [Double] = []
        for part in 0..<2 {
            func value(_ c: Disclosure.Cell) -> Double { part == 0 ? c.parts.0 : c.parts.1 }
            for t in tables {
                guard (t.members + [t.total]).contains(where: { variable[$0] != nil }) else { continue }
                var row = Array(repeating: 0.0, count: count)
                var b = 0.0
                for m in t.members {
                    if let k = variable[m] { row[2 * k + part] += 1 } else { b -= value(cells[m]) }
                }
                if let k = variable[t.total] { row[2 * k + part] -= 1 } else { b += value(cells[t.total]) }
                equations.append(row)
                rhs.append(b)
            }
        }
        var index: [MunicipalityCode: Int] = [:]
        for i in members where i < rows.count { index[rows[i].code] = i }
        for p in pools {
            var row = Array(repeating: 0.0, count: count)
            var b = 0.0
            for code in p.members {
                guard let i = index[code] else { continue }
                if let k = variable[i] {
                    row[2 * k] += 1
                    row[2 * k + 1] -= p.ratio
                } else {
                    b += p.ratio * cells[i].parts.1 - cells[i].parts.0
                }
            }
            guard row.contains(where: { $0 != 0 }) else { continue }
            equations.append(row)
            rhs.append(b)
        }
        report.systems += 1
        report.largestVariables = max(report.largestVariables, count)
        report.largestEquations = max(report.largestEquations, equations.count)
        let lp = LinearProgram(equations: equations, rhs: rhs, variables: count)
        if lp.infeasible {
            report.inconsistent.append("\(indicator.rawValue) with pooled figures")
            return
        }
        for (k, i) in hidden.enumerated() {
            for part in 0..<2 {
                let v = part == 0 ? cells[i].parts.0 : cells[i].parts.1
                report.programs += 2
                guard let (low, high) = lp.range(of: 2 * k + part) else { continue }
                if high - low < required(v) - 1e-6 * max(1, abs(v)) {
                    report.narrowed.append(
                        Narrowed(
                            indicator: indicator, cell: name(i), part: part == 0 ? "numerator" : "denominator",
                            value: v, low: low, high: high))
                }
            }
        }
    }
}
