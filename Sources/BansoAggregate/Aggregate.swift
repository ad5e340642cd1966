import BansoCSV
import BansoCore
import Foundation

/// A municipality of the master, as clean wrote it.
public struct MasterEntry: Sendable, Equatable {
    public var code: String
    public var name: String
    public var population: Double
    public var aged65: Double
    public var aged75: Double
    public var area: Double
    public var email: String

    public init(code: String, name: String, population: Double, aged65: Double, aged75: Double, area: Double, email: String) {
        self.code = code
        self.name = name
        self.population = population
        self.aged65 = aged65
        self.aged75 = aged75
        self.area = area
        self.email = email
    }

    /// Reads `clean/master.csv`.
    public static func load(_ layout: RunLayout) throws -> [MasterEntry] {
        let t = try CSVTable.read(layout.clean + "/master.csv")
        return t.rows.map { r in
            MasterEntry(code: t.value(r, "municipality_code"), name: t.value(r, "municipality_name"),
                        population: Double(t.value(r, "population")) ?? 0, aged65: Double(t.value(r, "population_65_plus")) ?? 0,
                        aged75: Double(t.value(r, "population_75_plus")) ?? 0, area: Double(t.value(r, "area_km2")) ?? 0,
                        email: t.value(r, "contact_email"))
        }
    }
}

/// Reads `aggregate/indicators.csv` or `internal/indicators.csv` back into rows.
public func loadIndicatorRows(_ path: String) throws -> [IndicatorRow] {
    let t = try CSVTable.read(path)
    return t.rows.map { r in
        func d(_ k: String) -> Double? { Double(t.value(r, k)) }
        var row = IndicatorRow(wave: t.value(r, "wave"), code: t.value(r, "municipality_code"), name: t.value(r, "municipality_name"),
                               indicator: t.value(r, "indicator"),
                               estimate: Estimate(value: d("value"), numerator: d("numerator"), denominator: d("denominator"),
                                                  n: Int(t.value(r, "n")) ?? 0, ciLow: d("ci_low"), ciHigh: d("ci_high")))
        row.suppressed = t.value(r, "suppressed") == "true"
        row.rule = t.value(r, "suppression_rule")
        return row
    }
}

/// Stage aggregate: indicators with intervals, disclosure control, history.
public enum AggregateStage {
    public static func parameters(_ c: PipelineConfig) -> [String: String] {
        ["wave": c.wave, "prefecture_code": c.prefectureCode, "min_establishments": String(c.minEstablishments),
         "min_workers": String(c.minWorkers), "dominance_share": formatNumber(c.dominanceShare),
         "protection_share": formatNumber(Disclosure.protectionShare)]
    }

    /// Everything the indicators are computed from, grouped by area.
    public struct Inputs {
        public var master: [MasterEntry]
        public var areas: [String: AreaData]
        public var prefecture: AreaData
        public var largest: [String: [String: Double]]
    }

    /// Reads the clean outputs into areas.
    public static func loadInputs(_ layout: RunLayout, hasWorkers: Bool) throws -> Inputs {
        let master = try MasterEntry.load(layout)
        var areas: [String: AreaData] = [:]
        for m in master {
            var a = AreaData()
            a.aged75 = m.aged75
            if hasWorkers { a.workers = WorkerGroup() }
            areas[m.code] = a
        }
        var prefecture = AreaData()
        prefecture.aged75 = master.reduce(0) { $0 + $1.aged75 }
        let framePath = layout.clean + "/frame.csv"
        if FileManager.default.fileExists(atPath: framePath) {
            let frame = try CSVTable.read(framePath)
            for code in areas.keys { areas[code]!.frameSize = 0 }
            for r in frame.rows { areas[frame.value(r, "municipality_code")]?.frameSize! += 1 }
            prefecture.frameSize = frame.rows.count
        }
        // The two files are independent: read them on both cores at once.
        let establishmentsPath = layout.clean + "/establishments.csv", workersPath = layout.clean + "/workers.csv"
        let read = parallelMap([0, 1]) { part -> Result<Loaded, Error> in
            Result {
                part == 0 ? .establishments(try readEstablishments(establishmentsPath))
                    : .workers(hasWorkers ? try readWorkers(workersPath) : [:])
            }
        }
        var all: [EstablishmentCounts] = []
        var groups: [String: WorkerGroup] = [:]
        for r in read {
            switch try r.get() {
            case .establishments(let e): all = e
            case .workers(let g): groups = g
            }
        }
        var largest: [String: [String: Double]] = [:]
        for e in all {
            for (name, v) in [("care_staff_total", e.careNow), ("all_staff_total", e.allNow), ("fte_total", e[10])] {
                guard let v else { continue }
                largest[e.municipality, default: [:]][name] = max(largest[e.municipality]?[name] ?? 0, v)
                largest["__pref", default: [:]][name] = max(largest["__pref"]?[name] ?? 0, v)
            }
        }
        var start = 0
        while start < all.count {
            var end = start
            while end < all.count && all[end].municipality == all[start].municipality { end += 1 }
            areas[all[start].municipality, default: AreaData()].establishments = all[start..<end]
            start = end
        }
        prefecture.establishments = all[...]
        if hasWorkers {
            var pref = WorkerGroup()
            for code in groups.keys.sorted() {
                areas[code, default: AreaData()].workers = groups[code]
                pref.merge(groups[code]!)
            }
            prefecture.workers = pref
        }
        return Inputs(master: master, areas: areas, prefecture: prefecture, largest: largest)
    }

    enum Loaded: Sendable {
        case establishments([EstablishmentCounts])
        case workers([String: WorkerGroup])
    }

    /// Reads `clean/establishments.csv`, sorted by municipality (stable) so that each
    /// municipality is a slice of one array.
    static func readEstablishments(_ path: String) throws -> [EstablishmentCounts] {
        var all: [EstablishmentCounts] = []
        var index: [Int] = []
        try CSVTable.stream(path) { cols, r in
            if index.isEmpty { index = (EstablishmentCounts.fields + ["municipality_code", "shortage_perception"]).map { cols[$0]! } }
            let raw = (0..<EstablishmentCounts.fields.count).map { NumberParser.plain(r[index[$0]]) ?? .nan }
            let s = r[index[16]]
            all.append(EstablishmentCounts(municipality: r.string(index[15]), raw: raw,
                                           shortage: s.count == 1 ? s.first.map { Int($0) - 0x30 } : nil))
        }
        return all.enumerated().sorted { ($0.element.municipality, $0.offset) < ($1.element.municipality, $1.offset) }.map(\.element)
    }

    /// Reads `clean/workers.csv` into per-municipality groups of establishment clusters
    /// (clusters in establishment-number order, so every sum is deterministic).
    static func readWorkers(_ path: String) throws -> [String: WorkerGroup] {
        var clusters: [String: (muni: String, cluster: WorkerCluster)] = [:]
        var wages: [String: [Double]] = [:]
        var index: [Int] = []
        // Clean wrote plain numbers: read them from bytes (1M rows; no String per cell).
        func number(_ b: ArraySlice<UInt8>) -> Double? { NumberParser.plain(b) ?? (b.isEmpty ? nil : Double(String(decoding: b, as: UTF8.self))) }
        try CSVTable.stream(path) { cols, r in
            if index.isEmpty {
                index = ["municipality_code", "establishment_id", "employment_type", "monthly_wage", "intention_to_continue", "age", "tenure_years"].map { cols[$0]! }
            }
            let muni = r.string(index[0])
            let regularWage = r[index[2]].elementsEqual("1".utf8) ? number(r[index[3]]) : nil
            let intention = r[index[4]]
            // One hash look-up per row (the default is only built for a new establishment).
            clusters[r.string(index[1]), default: (muni, WorkerCluster())].cluster
                .add(wage: regularWage, intention: intention.count == 1 ? intention.first! : 0,
                     age: number(r[index[5]]), tenure: number(r[index[6]]))
            if let w = regularWage { wages[muni, default: []].append(w) }
        }
        var groups: [String: WorkerGroup] = [:]
        for est in clusters.keys.sorted() {
            let entry = clusters.removeValue(forKey: est)!
            groups[entry.muni, default: WorkerGroup()].clusters.append(entry.cluster)
        }
        for (muni, list) in wages { groups[muni, default: WorkerGroup()].regularWages = list }
        return groups
    }

    /// Computes the unsuppressed rows for every municipality of the master and the prefecture,
    /// sorted by municipality code then indicator.
    public static func computeRows(_ inputs: Inputs, config c: PipelineConfig) -> [IndicatorRow] {
        var rows: [IndicatorRow] = []
        let prefCode = c.prefectureMunicipalityCode
        let prefName = prefectureNames[c.prefectureCode] ?? c.prefectureCode
        var targets: [(String, String, AreaData, [String: Double])] = inputs.master.map {
            ($0.code, $0.name, inputs.areas[$0.code] ?? AreaData(), inputs.largest[$0.code] ?? [:])
        }
        targets.append((prefCode, prefName, inputs.prefecture, inputs.largest["__pref"] ?? [:]))
        let names = IndicatorSpec.all.filter { !$0.workerBased || c.workers != nil }
            .filter { $0.name != "response_rate" || c.frame != nil }.map(\.name).sorted()
        let sortedTargets = targets.sorted(by: { $0.0 < $1.0 })
        // Areas are independent: compute them on all cores, assemble in code order.
        let computed = parallelMap(sortedTargets.indices) { IndicatorComputer.compute(sortedTargets[$0].2) }
        for ((code, name, _, largest), values) in zip(sortedTargets, computed) {
            for ind in names {
                rows.append(IndicatorRow(wave: c.wave, code: code, name: name, indicator: ind,
                                         estimate: values[ind] ?? Estimate(n: 0), largestContribution: largest[ind]))
            }
        }
        return rows
    }

    public static func run(_ ctx: StageContext) throws -> StageResult {
        let c = ctx.config
        let inputs = try loadInputs(ctx.layout, hasWorkers: c.workers != nil)
        var rows = computeRows(inputs, config: c)
        try RunLayout.makeDirectory(ctx.layout.internal, permissions: 0o700)
        try RunLayout.makeDirectory(ctx.layout.aggregate)

        let summary = Disclosure.apply(&rows, prefectureCode: c.prefectureMunicipalityCode,
                                       .init(minEstablishments: c.minEstablishments, minWorkers: c.minWorkers, dominanceShare: c.dominanceShare))
        try CSVTable.write(ctx.layout.internal + "/indicators.csv", header: IndicatorRow.header,
                           rows: rows.map { $0.cells(reveal: true) }, permissions: 0o600)
        // History keeps the unsuppressed values with the disclosure decision beside them.
        let history = try HistoryStore(path: ctx.historyPath)
        try history.replace(wave: c.wave, pipeline: c.name, runID: ctx.runID, rows: rows)
        // The previous wave as it was published, snapshotted into the run so that feedback reads
        // the run folder only (and the runner's hashes cover it).
        var previous: [IndicatorRow] = []
        if let p = try history.previousWave(before: c.wave) { previous = try history.rows(wave: p) }
        try CSVTable.write(ctx.layout.internal + "/previous_wave.csv", header: IndicatorRow.header,
                           rows: previous.map(\.cells), permissions: 0o600)
        try CSVTable.write(ctx.layout.aggregate + "/indicators.csv", header: IndicatorRow.header, rows: rows.map(\.cells))
        try JSONFile.write(summary, to: ctx.layout.aggregate + "/disclosure.json")
        ctx.log("aggregate: \(rows.count) cells; suppressed \(summary.threshold) threshold, \(summary.dominance) dominance, \(summary.secondary) secondary")
        return StageResult(counts: ["cells": rows.count, "suppressed_threshold": summary.threshold,
                                    "suppressed_dominance": summary.dominance, "suppressed_secondary": summary.secondary])
    }
}
