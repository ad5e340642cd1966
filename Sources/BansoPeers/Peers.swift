import BansoCore
import BansoHistory
import Foundation
import Logging

/// Peer groups, neighbours and roll-out candidates.
package struct PeerResult: Sendable {
    package var features: [FeatureRow]
    package var k: Int
    /// k → mean silhouette, for every k tried.
    package var silhouettes: [(k: Int, silhouette: Double)]
    /// Group number (1-based) per municipality, in `features` order.
    package var groups: [Int]
    package var groupLabels: [Int: String]
    /// Per municipality: (neighbour index, distance, similarity, closest features).
    package var neighbours: [[(index: Int, distance: Double, similarity: Double, closest: [PeerFeature])]]
    /// Euclidean distances, an n × n matrix in `features` order.
    package var distances: [Double]
    /// The largest distance in the prefecture (similarity 0).
    package var maxDistance: Double
    /// The features the groups were formed on (a weight of 0 leaves every z at 0: no feature is
    /// "close" for that), as positions in `PeerFeature.allCases`.
    package var used: [Int] = []

    /// CIPFA-style similarity in 0–1: 1 − distance ÷ the largest distance in the prefecture.
    package func similarity(_ i: Int, _ j: Int) -> Double {
        maxDistance > 0 ? 1 - distances[i * features.count + j] / maxDistance : 1
    }

    /// The three features on which i and j differ least (standardised), ties in feature order.
    ///
    /// Only features both municipalities have: one imputed at the mean is not "close" to anything.
    package func closestFeatures(_ i: Int, _ j: Int) -> [PeerFeature] {
        let names = PeerFeature.allCases
        let (a, b) = (features[i].z, features[j].z)
        let known = used.filter { features[i].raw[$0] != nil && features[j].raw[$0] != nil }
        return known.sorted { (abs(a[$0] - b[$0]), $0) < (abs(a[$1] - b[$1]), $1) }.prefix(3).map { names[$0] }
    }
}

/// Stage peers: 類似団体 by Ward clustering, nearest neighbours, and 横展開 candidates.
package enum PeersStage: PipelineStage {
    /// The `[peers]` section, with every weight spelt out (the default where the file says nothing:
    /// 1 for the situation, 0 for a survey outcome).
    package struct Settings: StageSettings {
        /// `k`; nil is "auto" (best silhouette).
        package var k: Int?
        package var neighbours: Int
        package var weights: [PeerFeature: Double]
        /// `context_features`, in the order written.
        package var contextFeatures: [String]
        package var contextWeights: [String: Double]
        /// `basis`: Ward clusters, or the master's 類型.
        package var grouping: PeerGrouping
        /// The wave: the previous wave's neighbours are the latest before it in the history store.
        package var wave: Wave

        package init(_ c: PipelineConfig) {
            wave = c.wave
            grouping = c.peerGrouping
            k = c.peerK
            neighbours = c.neighbours
            weights = Dictionary(uniqueKeysWithValues: PeerFeature.allCases.map { ($0, c.peerWeight($0)) })
            contextFeatures = c.contextFeatures
            contextWeights = Dictionary(
                c.contextFeatures.map { ($0, c.contextWeights[$0] ?? 1) }, uniquingKeysWith: { a, _ in a })
        }
    }

    package static let name = StageName.peers

    /// The master (populations, area), the published indicators and the model projects.
    package static let reads: [RunFileDescriptor] = [
        RunFiles.master, RunFiles.modelProjects, RunFiles.indicators, RunFiles.context,
    ]

    /// Context indicators as extra features, in code order then the configured order; each
    /// standardised and weighted like the built-in ones, a missing value set to the mean.
    ///
    /// Throws when a configured id has no figure at all (a typo would otherwise weigh nothing).
    package static func contextFeatures(
        master: [MasterEntry], context: [ContextFigure], ids: [String], weights: [String: Double]
    ) throws -> [ContextFeatureRow] {
        guard !ids.isEmpty else { return [] }
        var latest: [String: [MunicipalityCode: Double]] = [:]
        for f in ContextFigures.latest(context) {
            if let v = f.value { latest[f.id, default: [:]][f.municipality] = v }
        }
        let codes = master.map(\.code).sorted()
        var rows: [ContextFeatureRow] = []
        for id in ids {
            guard let values = latest[id], !values.isEmpty else {
                throw StageFailure(
                    .configuration,
                    "peers.context_features: no municipality has a value for \"\(id)\" in the context figures (ids: "
                        + Set(context.map(\.id)).sorted().joined(separator: ", ") + ")")
            }
            let raw = codes.map { values[$0] }
            let z = standardised(raw, weight: weights[id] ?? 1)
            for i in codes.indices { rows.append(ContextFeatureRow(code: codes[i], id: id, raw: raw[i], z: z[i])) }
        }
        return rows
    }

    /// Builds the feature table from the master and the published indicators.
    package static func features(
        master: [MasterEntry], published: [IndicatorRow], weights: [PeerFeature: Double]
    ) -> [FeatureRow] {
        var value: [MunicipalityCode: [Indicator: Double]] = [:]
        for r in published where !r.suppressed {
            if let v = r.estimate.value { value[r.code, default: [:]][r.indicator] = v }
        }
        let names = PeerFeature.allCases
        var rows: [FeatureRow] = master.sorted { $0.code < $1.code }.map { m in
            let pop = m.population
            let raw: [Double?] = names.map { feature in
                if let indicator = feature.indicator { return value[m.code]?[indicator] }
                guard pop > 0 else { return nil }
                switch feature {
                case .logPopulation: return log(pop)
                case .aged65Share: return m.aged65 / pop
                case .aged75Share: return m.aged75 / pop
                default: return m.area > 0 ? log(pop / m.area) : nil
                }
            }
            return FeatureRow(code: m.code, name: m.name, raw: raw, z: Array(repeating: 0, count: names.count))
        }
        for f in names.indices {
            let z = standardised(rows.map { $0.raw[f] }, weight: weights[names[f]] ?? 1)
            for i in rows.indices { rows[i].z[f] = z[i] }
        }
        return rows
    }

    /// One feature standardised over the municipalities that have it (mean 0, population SD 1)
    /// and multiplied by √weight; a missing value, or a feature with fewer than two values or no
    /// spread, is 0 (the mean).
    static func standardised(_ values: [Double?], weight: Double) -> [Double] {
        let present = values.compactMap { $0 }
        guard present.count >= 2 else { return values.map { _ in 0 } }
        let mean = present.reduce(0, +) / Double(present.count)
        let sd = (present.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(present.count)).squareRoot()
        let w = weight.squareRoot()
        return values.map { v in v.map { sd > 0 ? ($0 - mean) / sd * w : 0 } ?? 0 }
    }

    /// Groups and neighbours for a feature table (sorted by code), with any context features (`extra`, by code).
    package static func compute(
        _ features: [FeatureRow], k requested: Int?, neighbours count: Int, extra: [ContextFeatureRow] = []
    ) -> PeerResult {
        let n = features.count
        var extraZ: [MunicipalityCode: [Double]] = [:]
        for r in extra { extraZ[r.code, default: []].append(r.z) }
        let points = features.map { $0.z + (extraZ[$0.code] ?? []) }
        let d = Ward.squaredDistances(points)
        let root = d.map { $0.squareRoot() }
        let merges = Ward.cluster(points)
        var silhouettes: [(Int, Double)] = []
        var k: Int
        if let requested {
            k = max(1, min(requested, n - 1))
        } else if n < 4 {
            k = 1
        } else {
            for cand in 3...min(8, n - 1) {
                silhouettes.append((cand, Ward.silhouette(labels: Ward.cut(merges, n: n, k: cand), distances: root)))
            }
            k = silhouettes.max { ($0.1, -$0.0) < ($1.1, -$1.0) }!.0
        }
        if n == 1 { k = 1 }
        let labels = Ward.cut(merges, n: n, k: k).map { $0 + 1 }
        var groupLabels: [Int: String] = [:]
        for g in Set(labels) {
            let members = labels.indices.filter { labels[$0] == g }
            let centroid = features[0].z.indices.map { f in
                members.map { features[$0].z[f] }.reduce(0, +) / Double(members.count)
            }
            groupLabels[g] = label(centroid: centroid)
        }
        var result = PeerResult(
            features: features, k: k, silhouettes: silhouettes, groups: labels, groupLabels: groupLabels,
            neighbours: [], distances: root, maxDistance: root.max() ?? 0,
            used: PeerFeature.allCases.indices.filter { f in features.contains { $0.z[f] != 0 } })
        for i in 0..<n {
            // Positions are in code order, so (distance, position) breaks ties by code.
            let others = (0..<n).filter { $0 != i }.sorted { (d[i * n + $0], $0) < (d[i * n + $1], $1) }
            result.neighbours.append(
                others.prefix(count).map { j in
                    (j, root[i * n + j], result.similarity(i, j), result.closestFeatures(i, j))
                })
        }
        return result
    }

    /// The group of the municipalities without a 類型 when groups follow the master's.
    package static let untyped = "類型なし"

    /// Groups by the master's 類型 (`[peers] basis = "type"`): one group per classification,
    /// numbered by its first municipality in code order (the input's order), labelled with the
    /// classification itself; an empty one is `untyped`.
    package static func typeGroups(_ classifications: [String]) -> (groups: [Int], labels: [Int: String]) {
        var number: [String: Int] = [:]
        var labels: [Int: String] = [:]
        let groups = classifications.map { raw in
            let name = raw.isEmpty ? untyped : raw
            if let n = number[name] { return n }
            let n = number.count + 1
            number[name] = n
            labels[n] = name
            return n
        }
        return (groups, labels)
    }

    /// A short Japanese description of where a group's centroid stands.
    static func label(centroid c: [Double]) -> String {
        var parts: [String] = []
        let size = c.first ?? 0
        parts.append(size < -0.5 ? "人口小規模" : size > 0.5 ? "人口大規模" : "人口中規模")
        let phrases: [(Int, String, String)] = PeerFeature.allCases.enumerated().compactMap { i, f in
            f.groupWords.map { (i, $0.high, $0.low) }
        }
        let ranked = phrases.filter { c.indices.contains($0.0) && abs(c[$0.0]) >= 0.5 }.sorted {
            (-abs(c[$0.0]), $0.0) < (-abs(c[$1.0]), $1.0)
        }
        for (f, high, low) in ranked.prefix(2) { parts.append(c[f] > 0 ? high : low) }
        if parts.count == 1 { parts.append("平均的") }
        return parts.joined(separator: "・")
    }

    package static func run(_ ctx: StageContext, _ c: Settings) throws -> StageResult {
        let master = try RunFiles.master.read(ctx)
        let published = try RunFiles.indicators.read(ctx)
        let feats = features(master: master, published: published, weights: c.weights)
        let context = try RunFiles.context.readIfPresent(ctx)
        let extra = try contextFeatures(
            master: master, context: context, ids: c.contextFeatures, weights: c.contextWeights)
        for warning in outliers(extra) { ctx.logger.warning("\(warning)") }
        var result = compute(feats, k: c.k, neighbours: c.neighbours, extra: extra)
        if c.grouping == .type {
            let byCode = Dictionary(master.map { ($0.code, $0.classification) }, uniquingKeysWith: { a, _ in a })
            guard byCode.values.contains(where: { !$0.isEmpty }) else {
                throw StageFailure(
                    .configuration,
                    "peers.basis = \"type\" groups by the master's 類型 column, which is missing or empty: add 類型 to "
                        + "the master or remove basis")
            }
            let typed = typeGroups(feats.map { byCode[$0.code] ?? "" })
            result.groups = typed.groups
            result.groupLabels = typed.labels
            result.k = typed.labels.count
            result.silhouettes = []
            let untyped = feats.filter { (byCode[$0.code] ?? "").isEmpty }.map(\.code.text)
            if !untyped.isEmpty {
                let listed = untyped.prefix(5).joined(separator: ", ") + (untyped.count > 5 ? ", …" : "")
                ctx.logger.warning(
                    "peers: \(untyped.count) municipalities have no 類型 in the master (\(listed)): grouped together as \(Self.untyped)"
                )
            }
        }
        let projects = try RunFiles.modelProjects.readIfPresent(ctx)
        try write(result, projects: projects, neighbours: c.neighbours, to: ctx.layout)
        if !extra.isEmpty { try RunFiles.contextFeatures.write(extra, in: ctx.layout) }
        // The neighbours gained and lost since the previous wave with peers in the history store.
        var changes: [NeighbourChangeRow] = []
        if let history = try HistoryStore.openIfPresent(path: ctx.historyPath),
            let previous = try history.previousPeers(before: c.wave)
        {
            changes = NeighbourChanges.compute(
                result, extra: extra, previous: previous,
                names: Dictionary(master.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a }),
                labels: Dictionary(context.map { ($0.id, $0.label) }, uniquingKeysWith: { a, _ in a }))
        }
        try RunFiles.neighbourChanges.write(changes, in: ctx.layout)
        ctx.logger.info("\(feats.count) municipalities in \(result.k) groups")
        return StageResult(counts: [
            "municipalities": feats.count, "groups": result.k, "model_projects": projects.count,
        ])
    }

    /// Context figures far outside the others of their id (more than 100 median absolute
    /// deviations from the median), named: one such value (1e15 for a typo) sets the scale of its
    /// feature and collapses the groups.
    package static func outliers(_ rows: [ContextFeatureRow]) -> [String] {
        var byID: [String: [(code: MunicipalityCode, raw: Double)]] = [:]
        for r in rows { if let raw = r.raw { byID[r.id, default: []].append((r.code, raw)) } }
        var out: [String] = []
        for id in byID.keys.sorted() {
            let values = byID[id]!
            let sorted = values.map(\.raw).sorted()
            guard let median = quantile(sorted, 0.5) else { continue }
            let deviations = sorted.map { abs($0 - median) }.sorted()
            guard let mad = quantile(deviations, 0.5), mad > 0 else { continue }
            for v in values where abs(v.raw - median) > 100 * mad {
                out.append(
                    "peers: context feature \(id): \(v.code) has \(formatNumber(v.raw)), far from the others (median "
                        + "\(formatNumber(median))); check the figure: a value this far decides the feature's scale for "
                        + "every municipality")
            }
        }
        return out
    }

    /// Writes features, k selection, groups, neighbours, roll-out and suggestions.
    package static func write(_ r: PeerResult, projects: [ModelProject], neighbours count: Int, to layout: RunLayout)
        throws
    {
        try RunLayout.makeDirectory(layout.peers)
        let f = r.features
        let n = f.count
        try RunFiles.features.write(f, in: layout)
        try RunFiles.kSelection.write(
            r.silhouettes.isEmpty
                ? [KSelectionRow(k: r.k, meanSilhouette: nil, chosen: true)]
                : r.silhouettes.map { KSelectionRow(k: $0.k, meanSilhouette: $0.silhouette, chosen: $0.k == r.k) },
            in: layout)
        try RunFiles.groups.write(
            (0..<n).map { i in
                let g = r.groups[i]
                return PeerGroupRow(
                    code: f[i].code, name: f[i].name, group: g, label: r.groupLabels[g]!,
                    size: r.groups.filter { $0 == g }.count)
            }, in: layout)
        var neighbours: [NeighbourRow] = []
        for i in 0..<n {
            for (rank, nb) in r.neighbours[i].enumerated() {
                neighbours.append(
                    NeighbourRow(
                        code: f[i].code, name: f[i].name, order: rank + 1, neighbourCode: f[nb.index].code,
                        neighbourName: f[nb.index].name, distance: nb.distance, similarity: nb.similarity,
                        closestFeatures: nb.closest, sameGroup: r.groups[i] == r.groups[nb.index]))
            }
        }
        try RunFiles.neighbours.write(neighbours, in: layout)
        try RunFiles.rollout.write(rolloutRows(r, projects: projects, limit: max(10, count * 2)), in: layout)
        try RunFiles.suggestions.write(suggestionRows(r, projects: projects), in: layout)
    }

    /// Roll-out candidates per project: same group first, then by distance; municipalities that
    /// already ran a project on the same テーマ are left out.
    package static func rolloutRows(_ r: PeerResult, projects: [ModelProject], limit: Int) -> [RolloutRow] {
        let f = r.features
        let n = f.count
        let index = Dictionary(uniqueKeysWithValues: f.enumerated().map { ($1.code, $0) })
        let ranThemes = themesRun(projects)
        var rows: [RolloutRow] = []
        for p in projects.sorted(by: { ($0.municipality, $0.theme, $0.name) < ($1.municipality, $1.theme, $1.name) }) {
            guard let a = index[p.municipality] else { continue }
            let candidates = (0..<n).filter { $0 != a && !(ranThemes[f[$0].code]?.contains(p.theme) ?? false) }
                .sorted { x, y in
                    let gx = r.groups[x] == r.groups[a] ? 0 : 1, gy = r.groups[y] == r.groups[a] ? 0 : 1
                    return (gx, r.distances[a * n + x], f[x].code) < (gy, r.distances[a * n + y], f[y].code)
                }
            for (order, x) in candidates.prefix(limit).enumerated() {
                let same = r.groups[x] == r.groups[a]
                let dist = r.distances[a * n + x]
                let sim = r.similarity(a, x)
                let diffs = r.closestFeatures(a, x).map(\.japanese)
                let reason =
                    (same ? "同じグループ（\(r.groupLabels[r.groups[a]]!)）" : "別グループだが近い")
                    + "、類似度 \(formatFixed(sim, digits: 2))、近い特徴: \(diffs.joined(separator: "・"))、テーマ「\(p.theme)」は未実施"
                rows.append(
                    RolloutRow(
                        projectMunicipality: p.municipality, projectName: p.name, theme: p.theme, order: order + 1,
                        candidateCode: f[x].code, candidateName: f[x].name, sameGroup: same, distance: dist,
                        similarity: sim, reason: reason))
            }
        }
        return rows
    }

    /// Municipality code → the テーマ of the model projects it ran.
    static func themesRun(_ projects: [ModelProject]) -> [MunicipalityCode: Set<String>] {
        var out: [MunicipalityCode: Set<String>] = [:]
        for p in projects { out[p.municipality, default: []].insert(p.theme) }
        return out
    }

    /// Per municipality: model projects run by its group or its neighbours, on themes it has not run.
    package static func suggestionRows(_ r: PeerResult, projects: [ModelProject]) -> [SuggestionRow] {
        let f = r.features
        let n = f.count
        let index = Dictionary(uniqueKeysWithValues: f.enumerated().map { ($1.code, $0) })
        let ranThemes = themesRun(projects)
        var rows: [SuggestionRow] = []
        for i in 0..<n {
            let neighbourSet = Set(r.neighbours[i].map(\.index))
            var found: [(Double, String, SuggestionRow)] = []
            for p in projects {
                guard let a = index[p.municipality], a != i, !(ranThemes[f[i].code]?.contains(p.theme) ?? false) else {
                    continue
                }
                let group = r.groups[a] == r.groups[i]
                let near = neighbourSet.contains(a)
                guard group || near else { continue }
                let relation = group && near ? "同じグループ・近隣" : group ? "同じグループ" : "近隣"
                let dist = r.distances[i * n + a]
                found.append(
                    (
                        dist, p.municipality.text + p.name,
                        {
                            var s = SuggestionRow(
                                code: f[i].code, projectMunicipality: p.municipality,
                                projectMunicipalityName: f[a].name, projectName: p.name, theme: p.theme,
                                fiscalYear: p.fiscalYear, relation: relation, distance: dist, summary: p.summary)
                            s.area = p.area
                            s.outcome = p.outcome
                            return s
                        }()
                    ))
            }
            rows += found.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)
        }
        return rows
    }
}
