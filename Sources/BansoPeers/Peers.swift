import BansoAggregate
import BansoCore
import Foundation

/// The peer features of one municipality.
public struct FeatureRow: Sendable {
    public var code: String
    public var name: String
    /// Raw values in `PipelineConfig.peerFeatures` order (nil = missing or suppressed).
    public var raw: [Double?]
    /// Standardised (mean 0, SD 1), weighted by sqrt(weight); a missing feature is 0.
    public var z: [Double]

    public init(code: String, name: String, raw: [Double?], z: [Double]) {
        self.code = code
        self.name = name
        self.raw = raw
        self.z = z
    }
}

/// A model project (モデル事業) as clean wrote it.
public struct ModelProject: Sendable, Equatable {
    public var municipality: String
    public var name: String
    public var theme: String
    public var fiscalYear: String
    public var summary: String

    public init(municipality: String, name: String, theme: String, fiscalYear: String, summary: String) {
        self.municipality = municipality
        self.name = name
        self.theme = theme
        self.fiscalYear = fiscalYear
        self.summary = summary
    }
}

/// Peer groups, neighbours and roll-out candidates.
public struct PeerResult: Sendable {
    public var features: [FeatureRow]
    public var k: Int
    /// k → mean silhouette, for every k tried.
    public var silhouettes: [(k: Int, silhouette: Double)]
    /// Group number (1-based) per municipality, in `features` order.
    public var groups: [Int]
    public var groupLabels: [Int: String]
    /// Per municipality: (neighbour index, distance, similarity, closest features).
    public var neighbours: [[(index: Int, distance: Double, similarity: Double, closest: [String])]]
    /// Euclidean distances, an n × n matrix in `features` order.
    public var distances: [Double]
    /// The largest distance in the prefecture (similarity 0).
    public var maxDistance: Double

    /// CIPFA-style similarity in 0–1: 1 − distance ÷ the largest distance in the prefecture.
    public func similarity(_ i: Int, _ j: Int) -> Double {
        maxDistance > 0 ? 1 - distances[i * features.count + j] / maxDistance : 1
    }

    /// The three features on which i and j differ least (standardised), ties in feature order.
    public func closestFeatures(_ i: Int, _ j: Int) -> [String] {
        let names = PipelineConfig.peerFeatures
        let (a, b) = (features[i].z, features[j].z)
        return names.indices.sorted { (abs(a[$0] - b[$0]), $0) < (abs(a[$1] - b[$1]), $1) }.prefix(3).map { names[$0] }
    }
}


/// Stage peers: 類似団体 by Ward clustering, nearest neighbours, and 横展開 candidates.
public enum PeersStage {
    public static func parameters(_ c: PipelineConfig) -> [String: String] {
        ["k": c.peerK.map(String.init) ?? "auto", "neighbours": String(c.neighbours),
         "weights": PipelineConfig.peerFeatures.map { "\($0)=\(formatNumber(c.peerWeights[$0] ?? 1))" }.joined(separator: ";")]
    }

    /// Builds the feature table from the master and the published indicators.
    public static func features(master: [MasterEntry], published: [IndicatorRow], weights: [String: Double]) -> [FeatureRow] {
        var value: [String: [String: Double]] = [:]
        for r in published where !r.suppressed {
            if let v = r.estimate.value { value[r.code, default: [:]][r.indicator] = v }
        }
        let names = PipelineConfig.peerFeatures
        var rows: [FeatureRow] = master.sorted { $0.code < $1.code }.map { m in
            let pop = m.population
            let raw: [Double?] = [
                pop > 0 ? log(pop) : nil,
                pop > 0 ? m.aged65 / pop : nil,
                pop > 0 ? m.aged75 / pop : nil,
                pop > 0 && m.area > 0 ? log(pop / m.area) : nil,
                value[m.code]?["care_staff_per_1000_aged_75"],
                value[m.code]?["turnover_rate"],
                value[m.code]?["shortage_share"],
            ]
            return FeatureRow(code: m.code, name: m.name, raw: raw, z: Array(repeating: 0, count: names.count))
        }
        for f in names.indices {
            let present = rows.compactMap { $0.raw[f] }
            guard present.count >= 2 else { continue }
            let mean = present.reduce(0, +) / Double(present.count)
            let sd = (present.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(present.count)).squareRoot()
            let w = (weights[names[f]] ?? 1).squareRoot()
            for i in rows.indices {
                guard let v = rows[i].raw[f], sd > 0 else { continue }
                rows[i].z[f] = (v - mean) / sd * w
            }
        }
        return rows
    }

    /// Groups and neighbours for a feature table (sorted by code).
    public static func compute(_ features: [FeatureRow], k requested: Int?, neighbours count: Int) -> PeerResult {
        let n = features.count
        let points = features.map(\.z)
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
            let centroid = features[0].z.indices.map { f in members.map { features[$0].z[f] }.reduce(0, +) / Double(members.count) }
            groupLabels[g] = label(centroid: centroid)
        }
        var result = PeerResult(features: features, k: k, silhouettes: silhouettes, groups: labels, groupLabels: groupLabels,
                                neighbours: [], distances: root, maxDistance: root.max() ?? 0)
        for i in 0..<n {
            // Positions are in code order, so (distance, position) breaks ties by code.
            let others = (0..<n).filter { $0 != i }.sorted { (d[i * n + $0], $0) < (d[i * n + $1], $1) }
            result.neighbours.append(others.prefix(count).map { j in
                (j, root[i * n + j], result.similarity(i, j), result.closestFeatures(i, j))
            })
        }
        return result
    }

    /// A short Japanese description of where a group's centroid stands.
    static func label(centroid c: [Double]) -> String {
        var parts: [String] = []
        let size = c.first ?? 0
        parts.append(size < -0.5 ? "人口小規模" : size > 0.5 ? "人口大規模" : "人口中規模")
        let phrases: [(Int, String, String)] = [
            (1, "高齢化率高", "高齢化率低"), (2, "後期高齢者割合高", "後期高齢者割合低"), (3, "人口密度高", "人口密度低"),
            (4, "介護職員多", "介護職員少"), (5, "離職率高", "離職率低"), (6, "不足感強", "不足感弱"),
        ]
        let ranked = phrases.filter { c.indices.contains($0.0) && abs(c[$0.0]) >= 0.5 }.sorted { (-abs(c[$0.0]), $0.0) < (-abs(c[$1.0]), $1.0) }
        for (f, high, low) in ranked.prefix(2) { parts.append(c[f] > 0 ? high : low) }
        if parts.count == 1 { parts.append("平均的") }
        return parts.joined(separator: "・")
    }

    /// Reads `clean/model_projects.csv` (empty when the pipeline has none).
    public static func loadProjects(_ layout: RunLayout) throws -> [ModelProject] {
        let path = layout.clean + "/model_projects.csv"
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let t = try CSVTable.read(path)
        return t.rows.map {
            ModelProject(municipality: t.value($0, "municipality_code"), name: t.value($0, "project_name"), theme: t.value($0, "theme"),
                         fiscalYear: t.value($0, "fiscal_year"), summary: t.value($0, "summary"))
        }
    }

    public static func run(_ ctx: StageContext) throws -> StageResult {
        let c = ctx.config
        let master = try MasterEntry.load(ctx.layout)
        let published = try loadIndicatorRows(ctx.layout.aggregate + "/indicators.csv")
        let feats = features(master: master, published: published, weights: c.peerWeights)
        let result = compute(feats, k: c.peerK, neighbours: c.neighbours)
        let projects = try loadProjects(ctx.layout)
        try write(result, projects: projects, config: c, to: ctx.layout.peers)
        ctx.log("peers: \(feats.count) municipalities in \(result.k) groups")
        return StageResult(counts: ["municipalities": feats.count, "groups": result.k, "model_projects": projects.count])
    }

    /// Writes features, k selection, groups, neighbours, roll-out and suggestions.
    public static func write(_ r: PeerResult, projects: [ModelProject], config c: PipelineConfig, to dir: String) throws {
        try RunLayout.makeDirectory(dir)
        let names = PipelineConfig.peerFeatures
        let f = r.features
        let n = f.count
        try CSVTable.write(dir + "/features.csv",
                           header: ["municipality_code", "municipality_name"] + names.map { "\($0)_raw" } + names.map { "\($0)_z" } + ["imputed"],
                           rows: f.map { row in
                               [row.code, row.name] + row.raw.map { formatNumber($0) } + row.z.map { formatNumber($0) }
                                   + [names.indices.filter { row.raw[$0] == nil }.map { names[$0] }.joined(separator: ";")]
                           })
        try CSVTable.write(dir + "/k_selection.csv", header: ["k", "mean_silhouette", "chosen"],
                           rows: r.silhouettes.isEmpty ? [[String(r.k), "", "true"]]
                               : r.silhouettes.map { [String($0.k), formatNumber($0.silhouette), $0.k == r.k ? "true" : "false"] })
        try CSVTable.write(dir + "/groups.csv", header: ["municipality_code", "municipality_name", "group", "group_label", "group_size"],
                           rows: (0..<n).map { i in
                               let g = r.groups[i]
                               return [f[i].code, f[i].name, String(g), r.groupLabels[g]!, String(r.groups.filter { $0 == g }.count)]
                           })
        var nrows: [[String]] = []
        for i in 0..<n {
            for (rank, nb) in r.neighbours[i].enumerated() {
                nrows.append([f[i].code, f[i].name, String(rank + 1), f[nb.index].code, f[nb.index].name, formatNumber(nb.distance),
                              formatNumber(nb.similarity), nb.closest.joined(separator: ";"), r.groups[i] == r.groups[nb.index] ? "true" : "false"])
            }
        }
        try CSVTable.write(dir + "/neighbours.csv",
                           header: ["municipality_code", "municipality_name", "order", "neighbour_code", "neighbour_name", "distance",
                                    "similarity", "closest_features", "same_group"], rows: nrows)
        let rollout = rolloutRows(r, projects: projects, limit: max(10, c.neighbours * 2))
        try CSVTable.write(dir + "/rollout.csv",
                           header: ["project_municipality_code", "project_name", "theme", "order", "candidate_code", "candidate_name",
                                    "same_group", "distance", "similarity", "reason"], rows: rollout)
        try CSVTable.write(dir + "/suggestions.csv",
                           header: ["municipality_code", "project_municipality_code", "project_municipality_name", "project_name", "theme",
                                    "fiscal_year", "relation", "distance", "summary"], rows: suggestionRows(r, projects: projects))
    }

    /// Roll-out candidates per project: same group first, then by distance; municipalities that
    /// already ran a project on the same テーマ are left out.
    public static func rolloutRows(_ r: PeerResult, projects: [ModelProject], limit: Int) -> [[String]] {
        let f = r.features
        let n = f.count
        let index = Dictionary(uniqueKeysWithValues: f.enumerated().map { ($1.code, $0) })
        let ranThemes = themesRun(projects)
        var rows: [[String]] = []
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
                let diffs = r.closestFeatures(a, x).map { featureJapanese[$0]! }
                let reason = (same ? "同じグループ（\(r.groupLabels[r.groups[a]]!)）" : "別グループだが近い")
                    + "、類似度 \(String(format: "%.2f", sim))、近い特徴: \(diffs.joined(separator: "・"))、テーマ「\(p.theme)」は未実施"
                rows.append([p.municipality, p.name, p.theme, String(order + 1), f[x].code, f[x].name, same ? "true" : "false",
                             formatNumber(dist), formatNumber(sim), reason])
            }
        }
        return rows
    }

    /// Municipality code → the テーマ of the model projects it ran.
    static func themesRun(_ projects: [ModelProject]) -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        for p in projects { out[p.municipality, default: []].insert(p.theme) }
        return out
    }

    /// Per municipality: model projects run by its group or its neighbours, on themes it has not run.
    public static func suggestionRows(_ r: PeerResult, projects: [ModelProject]) -> [[String]] {
        let f = r.features
        let n = f.count
        let index = Dictionary(uniqueKeysWithValues: f.enumerated().map { ($1.code, $0) })
        let ranThemes = themesRun(projects)
        var rows: [[String]] = []
        for i in 0..<n {
            let neighbourSet = Set(r.neighbours[i].map(\.index))
            var found: [(Double, String, [String])] = []
            for p in projects {
                guard let a = index[p.municipality], a != i, !(ranThemes[f[i].code]?.contains(p.theme) ?? false) else { continue }
                let group = r.groups[a] == r.groups[i]
                let near = neighbourSet.contains(a)
                guard group || near else { continue }
                let relation = group && near ? "同じグループ・近隣" : group ? "同じグループ" : "近隣"
                let dist = r.distances[i * n + a]
                found.append((dist, p.municipality + p.name,
                              [f[i].code, p.municipality, f[a].name, p.name, p.theme, p.fiscalYear, relation, formatNumber(dist), p.summary]))
            }
            rows += found.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)
        }
        return rows
    }
}
