import BansoCore
import BansoRunner
import Foundation
import SystemPackage

/// Why a municipality gets its figures, group and suggestions, from one finished run.
package struct Explanation: Codable, Sendable {
    package struct Indicator: Codable, Sendable {
        package var indicator: BansoCore.Indicator
        package var japanese: String
        package var value: String
        package var numerator: String
        package var denominator: String
        package var n: Int
        package var ciLow: String
        package var ciHigh: String
        package var published: Bool
        package var suppressionRule: SuppressionRule?
        package var why: String
        enum CodingKeys: String, CodingKey {
            case indicator, japanese, value, numerator, denominator, n, published, why
            case ciLow = "ci_low", ciHigh = "ci_high", suppressionRule = "suppression_rule"
        }
    }
    package struct Neighbour: Codable, Sendable {
        package var code: MunicipalityCode
        package var name: String
        package var distance: String
        package var similarity: String
        package var closestFeatures: [PeerFeature]
        enum CodingKeys: String, CodingKey {
            case code, name, distance, similarity
            case closestFeatures = "closest_features"
        }
    }
    package var run: String
    package var code: MunicipalityCode
    package var name: String
    package var indicators: [Indicator]
    package var group: String
    package var groupLabel: String
    /// Standardised features furthest from the prefecture's mean: what places it in its group.
    package var definingFeatures: [String]
    package var neighbours: [Neighbour]
    package var suggestions: [String]
    enum CodingKeys: String, CodingKey {
        case run, code, name, indicators, group, neighbours, suggestions
        case groupLabel = "group_label", definingFeatures = "defining_features"
    }
}

/// `banso explain`: reads a run folder, never writes.
package enum Explainer {
    package static func explain(run: FilePath, code: MunicipalityCode, indicator: BansoCore.Indicator?) throws
        -> Explanation
    {
        let layout = RunLayout(root: run)
        let rows = try RunFiles.internalIndicators.read(in: layout).filter { $0.code == code }
        guard let first = rows.first else {
            throw StageFailure(.data, "no municipality \(code) in \(RunFiles.internalIndicators.path(in: layout))")
        }
        var inds: [Explanation.Indicator] = []
        for r in rows {
            let spec = r.indicator
            if let indicator, indicator != spec { continue }
            let e = r.estimate
            let n = e.n
            var why: String
            switch r.rule {
            case .threshold?:
                why = "suppressed: n = \(n) is below the threshold (\(spec.workerBased ? "workers" : "establishments"))"
            case .dominance?:
                why = "suppressed: one establishment contributes more than the dominance share of the total"
            case .secondary?:
                why =
                    "suppressed: complementary cell, so that another suppressed value cannot be recovered from the "
                    + "prefecture total"
            case nil:
                why =
                    e.value == nil
                    ? (n == 0 ? "no respondent has the fields it needs" : "denominator is zero") : "published"
            }
            if spec.form == .ratio && e.value != nil {
                why +=
                    "; value = numerator ÷ denominator\(spec.percentage ? " × 100" : "") over \(n) "
                    + (spec.workerBased ? "workers" : "establishments")
            }
            inds.append(
                .init(
                    indicator: spec, japanese: spec.japanese, value: formatNumber(e.value),
                    numerator: formatNumber(e.numerator), denominator: formatNumber(e.denominator), n: n,
                    ciLow: formatNumber(e.ciLow), ciHigh: formatNumber(e.ciHigh), published: !r.suppressed,
                    suppressionRule: r.rule, why: why))
        }
        var group = "", label = "", defining: [String] = []
        if let g = try? RunFiles.groups.read(in: layout).first(where: { $0.code == code }) {
            group = String(g.group)
            label = g.label
        }
        if let f = try? RunFiles.features.read(in: layout).first(where: { $0.code == code }) {
            defining = zip(PeerFeature.allCases, f.z).sorted { abs($0.1) > abs($1.1) }.prefix(3)
                .map { "\($0.0.japanese) (z = \(String(format: "%+.2f", $0.1)))" }
        }
        let neighbours = ((try? RunFiles.neighbours.read(in: layout)) ?? []).filter { $0.code == code }.map {
            Explanation.Neighbour(
                code: $0.neighbourCode, name: $0.neighbourName, distance: formatNumber($0.distance),
                similarity: formatNumber($0.similarity), closestFeatures: $0.closestFeatures)
        }
        let suggestions = ((try? RunFiles.suggestions.read(in: layout)) ?? []).filter { $0.code == code }.map {
            "\($0.projectName) (\($0.theme)) by \($0.projectMunicipalityName): \($0.relation), distance "
                + "\(formatNumber($0.distance)); its theme has not been run here"
        }
        return Explanation(
            run: run.string, code: code, name: first.name, indicators: inds, group: group, groupLabel: label,
            definingFeatures: defining, neighbours: neighbours, suggestions: suggestions)
    }

    package static func text(_ e: Explanation) -> String {
        var s = "\(e.name) (\(e.code)) — run \(e.run)\n\nIndicators:\n"
        for i in e.indicators {
            s += "  \(i.indicator.rawValue) \(i.japanese): value \(i.value.isEmpty ? "—" : i.value)"
            if !i.numerator.isEmpty { s += " = \(i.numerator) / \(i.denominator.isEmpty ? "—" : i.denominator)" }
            s += ", n \(i.n)"
            if !i.ciLow.isEmpty { s += ", 95% CI \(i.ciLow) – \(i.ciHigh)" }
            s += "\n    \(i.why)\n"
        }
        s +=
            "\nPeer group: \(e.group) 「\(e.groupLabel)」\n  placed there mostly by: \(e.definingFeatures.joined(separator: ", "))\n"
        s += "Nearest neighbours:\n"
        for n in e.neighbours {
            s +=
                "  \(n.name) (\(n.code)): distance \(n.distance), similarity \(n.similarity); closest on "
                + "\(n.closestFeatures.map(\.japanese).joined(separator: "・"))\n"
        }
        s += "Model projects suggested:\n"
        if e.suggestions.isEmpty {
            s += "  none (no project in its group or among its neighbours on a theme it has not run)\n"
        }
        for x in e.suggestions { s += "  \(x)\n" }
        return s
    }
}

/// One difference between two runs.
package struct DiffItem: Codable, Sendable, Equatable {
    package var section: String
    package var key: String
    package var before: String
    package var after: String
}

/// `banso diff`: what changed between two finished runs, and which packets to re-send.
package enum Differ {
    package static func diff(_ a: FilePath, _ b: FilePath, tolerance: Double) throws -> (
        items: [DiffItem], resend: [String]
    ) {
        for r in [a, b] where !FileManager.default.fileExists(atPath: r.appending("run.json").string) {
            throw StageFailure(.configuration, "\(r) is not a finished run folder (no run.json)")
        }
        var items: [DiffItem] = []
        func manifestInputs(_ run: FilePath) throws -> [String: String] {
            Dictionary(
                try RunManifest.read(run: run).inputs.map { ($0.path, $0.sha256) }, uniquingKeysWith: { x, _ in x })
        }
        let ia = try manifestInputs(a), ib = try manifestInputs(b)
        for k in Set(ia.keys).union(ib.keys).sorted() where ia[k] != ib[k] {
            let what = ia[k] == nil ? "added" : ib[k] == nil ? "removed" : "changed"
            items.append(
                DiffItem(
                    section: "input \(what)", key: k, before: String((ia[k] ?? "").prefix(12)),
                    after: String((ib[k] ?? "").prefix(12))))
        }
        func cleanCounts(_ run: FilePath) -> [String: String] {
            guard let t = try? RunFiles.cleanReport.read(in: RunLayout(root: run)) else { return [:] }
            return Dictionary(
                t.files.map { ($0.path, "accepted \($0.accepted), rejected \($0.rejected)") },
                uniquingKeysWith: { x, _ in x })
        }
        let ca = cleanCounts(a), cb = cleanCounts(b)
        for k in Set(ca.keys).union(cb.keys).sorted() where ca[k] != cb[k] {
            items.append(DiffItem(section: "rows", key: k, before: ca[k] ?? "", after: cb[k] ?? ""))
        }
        func values(_ run: FilePath) -> [String: IndicatorRow] {
            let rows = (try? RunFiles.indicators.read(in: RunLayout(root: run))) ?? []
            return Dictionary(rows.map { ("\($0.code) \($0.indicator.rawValue)", $0) }, uniquingKeysWith: { x, _ in x })
        }
        let va = values(a), vb = values(b)
        for k in Set(va.keys).union(vb.keys).sorted() {
            let x = va[k], y = vb[k]
            let changed: Bool
            if let x, let y, let dx = x.estimate.value, let dy = y.estimate.value {
                changed = abs(dx - dy) > tolerance * max(1, abs(dx)) || x.suppressed != y.suppressed
            } else {
                changed = x?.estimate.value != y?.estimate.value || x?.suppressed != y?.suppressed
            }
            if changed {
                func show(_ v: IndicatorRow?) -> String {
                    v.map { $0.suppressed ? "suppressed" : $0.estimate.value.map { formatNumber($0) } ?? "—" }
                        ?? "absent"
                }
                items.append(DiffItem(section: "indicator", key: k, before: show(x), after: show(y)))
            }
        }
        func peers(_ run: FilePath) -> (groups: [MunicipalityCode: String], neighbours: [MunicipalityCode: String]) {
            let layout = RunLayout(root: run)
            var groups: [MunicipalityCode: String] = [:]
            for g in (try? RunFiles.groups.read(in: layout)) ?? [] { groups[g.code] = g.label }
            var neighbours: [MunicipalityCode: String] = [:]
            for n in (try? RunFiles.neighbours.read(in: layout)) ?? [] {
                neighbours[n.code] = neighbours[n.code].map { $0 + ";" + n.neighbourCode.text } ?? n.neighbourCode.text
            }
            return (groups, neighbours)
        }
        let pa = peers(a), pb = peers(b)
        for (section, x, y) in [("group", pa.groups, pb.groups), ("neighbours", pa.neighbours, pb.neighbours)] {
            for k in Set(x.keys).union(y.keys).sorted() where x[k] != y[k] {
                items.append(DiffItem(section: section, key: k.text, before: x[k] ?? "", after: y[k] ?? ""))
            }
        }
        func zips(_ run: FilePath) -> [String: String] {
            let dir = run.appending("packets")
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.string)) ?? []
            var out: [String: String] = [:]
            for n in names where n.hasSuffix(".zip") {
                out[String(n.dropLast(4))] = (try? Hashing.sha256(file: dir.appending(n))) ?? ""
            }
            return out
        }
        let za = zips(a), zb = zips(b)
        let resend = Set(za.keys).union(zb.keys).filter { za[$0] != zb[$0] && zb[$0] != nil }.sorted()
        for code in resend {
            items.append(
                DiffItem(
                    section: "packet", key: code, before: String((za[code] ?? "").prefix(12)),
                    after: String(zb[code]!.prefix(12))))
        }
        return (items, resend)
    }
}
