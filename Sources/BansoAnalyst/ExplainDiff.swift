import BansoAggregate
import BansoCore
import Foundation

/// Why a municipality gets its figures, group and suggestions, from one finished run.
public struct Explanation: Codable, Sendable {
    public struct Indicator: Codable, Sendable {
        public var indicator: String
        public var japanese: String
        public var value: String
        public var numerator: String
        public var denominator: String
        public var n: Int
        public var ciLow: String
        public var ciHigh: String
        public var published: Bool
        public var suppressionRule: String
        public var why: String
    }
    public struct Neighbour: Codable, Sendable {
        public var code: String
        public var name: String
        public var distance: String
        public var similarity: String
        public var closestFeatures: [String]
    }
    public var run: String
    public var code: String
    public var name: String
    public var indicators: [Indicator]
    public var group: String
    public var groupLabel: String
    /// Standardised features furthest from the prefecture's mean: what places it in its group.
    public var definingFeatures: [String]
    public var neighbours: [Neighbour]
    public var suggestions: [String]
}

/// `banso explain`: reads a run folder, never writes.
public enum Explainer {
    public static func explain(run: String, code: String, indicator: String?) throws -> Explanation {
        let internalRows = try CSVTable.read(run + "/internal/indicators.csv")
        let rows = internalRows.rows.filter { internalRows.value($0, "municipality_code") == code }
        guard !rows.isEmpty else { throw StageFailure(.data, "no municipality \(code) in \(run)/internal/indicators.csv") }
        let t = internalRows
        var inds: [Explanation.Indicator] = []
        for r in rows {
            let name = t.value(r, "indicator")
            if let indicator, indicator != name { continue }
            let spec = IndicatorSpec.named(name)
            let n = Int(t.value(r, "n")) ?? 0
            let suppressed = t.value(r, "suppressed") == "true"
            let rule = t.value(r, "suppression_rule")
            var why: String
            switch rule {
            case "threshold": why = "suppressed: n = \(n) is below the threshold (\(spec?.workerBased == true ? "workers" : "establishments"))"
            case "dominance": why = "suppressed: one establishment contributes more than the dominance share of the total"
            case "secondary": why = "suppressed: complementary cell, so that another suppressed value cannot be recovered from the prefecture total"
            default: why = t.value(r, "value").isEmpty ? (n == 0 ? "no respondent has the fields it needs" : "denominator is zero") : "published"
            }
            if let spec, spec.form == .ratio && !t.value(r, "value").isEmpty {
                why += "; value = numerator ÷ denominator\(spec.percentage ? " × 100" : "") over \(n) \(spec.workerBased ? "workers" : "establishments")"
            }
            inds.append(.init(indicator: name, japanese: spec?.japanese ?? name, value: t.value(r, "value"), numerator: t.value(r, "numerator"),
                              denominator: t.value(r, "denominator"), n: n, ciLow: t.value(r, "ci_low"), ciHigh: t.value(r, "ci_high"),
                              published: !suppressed, suppressionRule: rule, why: why))
        }
        var group = "", label = "", defining: [String] = []
        if let g = try? CSVTable.read(run + "/peers/groups.csv"), let row = g.rows.first(where: { g.value($0, "municipality_code") == code }) {
            group = g.value(row, "group")
            label = g.value(row, "group_label")
        }
        if let f = try? CSVTable.read(run + "/peers/features.csv"), let row = f.rows.first(where: { f.value($0, "municipality_code") == code }) {
            defining = PipelineConfig.peerFeatures.compactMap { name -> (String, Double)? in
                guard let z = Double(f.value(row, "\(name)_z")) else { return nil }
                return (name, z)
            }.sorted { abs($0.1) > abs($1.1) }.prefix(3).map { "\(featureJapanese[$0.0] ?? $0.0) (z = \(String(format: "%+.2f", $0.1)))" }
        }
        var neighbours: [Explanation.Neighbour] = []
        if let nb = try? CSVTable.read(run + "/peers/neighbours.csv") {
            for r in nb.rows where nb.value(r, "municipality_code") == code {
                neighbours.append(.init(code: nb.value(r, "neighbour_code"), name: nb.value(r, "neighbour_name"), distance: nb.value(r, "distance"),
                                        similarity: nb.value(r, "similarity"),
                                        closestFeatures: nb.value(r, "closest_features").split(separator: ";").map(String.init)))
            }
        }
        var suggestions: [String] = []
        if let s = try? CSVTable.read(run + "/peers/suggestions.csv") {
            for r in s.rows where s.value(r, "municipality_code") == code {
                suggestions.append("\(s.value(r, "project_name")) (\(s.value(r, "theme"))) by \(s.value(r, "project_municipality_name")): \(s.value(r, "relation")), distance \(s.value(r, "distance")); its theme has not been run here")
            }
        }
        return Explanation(run: run, code: code, name: t.value(rows[0], "municipality_name"), indicators: inds, group: group,
                           groupLabel: label, definingFeatures: defining, neighbours: neighbours, suggestions: suggestions)
    }

    public static func text(_ e: Explanation) -> String {
        var s = "\(e.name) (\(e.code)) — run \(e.run)\n\nIndicators:\n"
        for i in e.indicators {
            s += "  \(i.indicator) \(i.japanese): value \(i.value.isEmpty ? "—" : i.value)"
            if !i.numerator.isEmpty { s += " = \(i.numerator) / \(i.denominator.isEmpty ? "—" : i.denominator)" }
            s += ", n \(i.n)"
            if !i.ciLow.isEmpty { s += ", 95% CI \(i.ciLow) – \(i.ciHigh)" }
            s += "\n    \(i.why)\n"
        }
        s += "\nPeer group: \(e.group) 「\(e.groupLabel)」\n  placed there mostly by: \(e.definingFeatures.joined(separator: ", "))\n"
        s += "Nearest neighbours:\n"
        for n in e.neighbours {
            s += "  \(n.name) (\(n.code)): distance \(n.distance), similarity \(n.similarity); closest on \(n.closestFeatures.map { featureJapanese[$0] ?? $0 }.joined(separator: "・"))\n"
        }
        s += "Model projects suggested:\n"
        if e.suggestions.isEmpty { s += "  none (no project in its group or among its neighbours on a theme it has not run)\n" }
        for x in e.suggestions { s += "  \(x)\n" }
        return s
    }
}

/// One difference between two runs.
public struct DiffItem: Codable, Sendable, Equatable {
    public var section: String
    public var key: String
    public var before: String
    public var after: String
}

/// `banso diff`: what changed between two finished runs, and which packets to re-send.
public enum Differ {
    public static func diff(_ a: String, _ b: String, tolerance: Double) throws -> (items: [DiffItem], resend: [String]) {
        for r in [a, b] where !FileManager.default.fileExists(atPath: r + "/run.json") {
            throw StageFailure(.configuration, "\(r) is not a finished run folder (no run.json)")
        }
        var items: [DiffItem] = []
        func manifestInputs(_ run: String) throws -> [String: String] {
            struct M: Decodable { struct I: Decodable { let path: String; let sha256: String }; let inputs: [I] }
            let m = try JSONFile.read(M.self, from: run + "/run.json")
            return Dictionary(m.inputs.map { ($0.path, $0.sha256) }, uniquingKeysWith: { x, _ in x })
        }
        let ia = try manifestInputs(a), ib = try manifestInputs(b)
        for k in Set(ia.keys).union(ib.keys).sorted() where ia[k] != ib[k] {
            let what = ia[k] == nil ? "added" : ib[k] == nil ? "removed" : "changed"
            items.append(DiffItem(section: "input \(what)", key: k, before: String((ia[k] ?? "").prefix(12)), after: String((ib[k] ?? "").prefix(12))))
        }
        func cleanCounts(_ run: String) -> [String: String] {
            guard let t = try? JSONFile.read(CleanCountsFile.self, from: run + "/clean/report.json") else { return [:] }
            return Dictionary(t.files.map { ($0.path, "accepted \($0.accepted), rejected \($0.rejected)") }, uniquingKeysWith: { x, _ in x })
        }
        let ca = cleanCounts(a), cb = cleanCounts(b)
        for k in Set(ca.keys).union(cb.keys).sorted() where ca[k] != cb[k] {
            items.append(DiffItem(section: "rows", key: k, before: ca[k] ?? "", after: cb[k] ?? ""))
        }
        func values(_ run: String) -> [String: (String, Bool)] {
            guard let t = try? CSVTable.read(run + "/aggregate/indicators.csv") else { return [:] }
            var out: [String: (String, Bool)] = [:]
            for r in t.rows { out["\(t.value(r, "municipality_code")) \(t.value(r, "indicator"))"] = (t.value(r, "value"), t.value(r, "suppressed") == "true") }
            return out
        }
        let va = values(a), vb = values(b)
        for k in Set(va.keys).union(vb.keys).sorted() {
            let x = va[k], y = vb[k]
            let changed: Bool
            if let x, let y, let dx = Double(x.0), let dy = Double(y.0) {
                changed = abs(dx - dy) > tolerance * max(1, abs(dx)) || x.1 != y.1
            } else {
                changed = x?.0 != y?.0 || x?.1 != y?.1
            }
            if changed {
                func show(_ v: (String, Bool)?) -> String { v.map { $0.1 ? "suppressed" : ($0.0.isEmpty ? "—" : $0.0) } ?? "absent" }
                items.append(DiffItem(section: "indicator", key: k, before: show(x), after: show(y)))
            }
        }
        func column(_ run: String, _ file: String, _ key: String, _ value: String) -> [String: String] {
            guard let t = try? CSVTable.read(run + "/" + file) else { return [:] }
            var out: [String: String] = [:]
            for r in t.rows { out[t.value(r, key), default: ""] += (out[t.value(r, key)]?.isEmpty == false ? ";" : "") + t.value(r, value) }
            return out
        }
        for (file, value, section) in [("peers/groups.csv", "group_label", "group"), ("peers/neighbours.csv", "neighbour_code", "neighbours")] {
            let x = column(a, file, "municipality_code", value), y = column(b, file, "municipality_code", value)
            for k in Set(x.keys).union(y.keys).sorted() where x[k] != y[k] {
                items.append(DiffItem(section: section, key: k, before: x[k] ?? "", after: y[k] ?? ""))
            }
        }
        func zips(_ run: String) -> [String: String] {
            let dir = run + "/packets"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            var out: [String: String] = [:]
            for n in names where n.hasSuffix(".zip") { out[String(n.dropLast(4))] = (try? Hashing.sha256(file: dir + "/" + n)) ?? "" }
            return out
        }
        let za = zips(a), zb = zips(b)
        let resend = Set(za.keys).union(zb.keys).filter { za[$0] != zb[$0] && zb[$0] != nil }.sorted()
        for code in resend { items.append(DiffItem(section: "packet", key: code, before: String((za[code] ?? "").prefix(12)), after: String(zb[code]!.prefix(12)))) }
        return (items, resend)
    }

    struct CleanCountsFile: Decodable {
        struct F: Decodable { let path: String; let accepted: Int; let rejected: Int }
        let files: [F]
    }
}
