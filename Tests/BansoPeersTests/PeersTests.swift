import BansoCore
import BansoPeers
import BansoSynth
import BansoTestSupport
import Foundation
import Testing

func feature(_ code: MunicipalityCode, _ z: [Double]) -> FeatureRow {
    let full = z + Array(repeating: 0, count: 7 - z.count)
    return FeatureRow(code: code, name: "町\(code)", raw: full.map { Optional($0) }, z: full)
}

@Suite("Ward clustering")
struct WardTests {
    /// One dimension: 0, 1, 5, 6, 20.
    static let points: [[Double]] = [[0], [1], [5], [6], [20]]

    @Test("merge order and heights by hand")
    func merges() {
        // Ward height of A and B = sqrt(2|A||B| / (|A| + |B|)) · |centroid A − centroid B|:
        // {0}+{1}: 1; {5}+{6}: 1; {0,1}+{5,6}: sqrt(2) · 5 = 7.0711; {0,1,5,6}+{20}: sqrt(1.6) · 17 = 21.5035.
        let m = Ward.cluster(Self.points)
        #expect(m.map { [$0.a, $0.b] } == [[0, 1], [2, 3], [0, 2], [0, 4]])
        let heights = [1, 1, 2.squareRoot() * 5, 1.6.squareRoot() * 17]
        for (got, want) in zip(m.map(\.height), heights) { #expect(abs(got - want) < 1e-9) }
        #expect(m.map(\.size) == [2, 2, 4, 5])
    }

    @Test("cutting at k")
    func cut() {
        let m = Ward.cluster(Self.points)
        #expect(Ward.cut(m, n: 5, k: 2) == [0, 0, 0, 0, 1])
        #expect(Ward.cut(m, n: 5, k: 3) == [0, 0, 1, 1, 2])
        #expect(Ward.cut(m, n: 5, k: 5) == [0, 1, 2, 3, 4])
        #expect(Ward.cut(m, n: 5, k: 1) == [0, 0, 0, 0, 0])
    }

    @Test("silhouette by hand")
    func silhouette() {
        // k = 3: s = 4.5/5.5, 3.5/4.5, 3.5/4.5, 4.5/5.5 and 0 for the singleton; mean 0.638384.
        let d = Ward.squaredDistances(Self.points)
        let s = Ward.silhouette(labels: [0, 0, 1, 1, 2], squared: d)
        #expect(abs(s - (2 * 4.5 / 5.5 + 2 * 3.5 / 4.5) / 5) < 1e-9)
    }

    @Test("identical points merge at height 0 in code order")
    func identical() {
        let m = Ward.cluster([[1, 1], [1, 1], [1, 1]])
        #expect(m.map(\.height) == [0, 0])
        #expect(Ward.cut(m, n: 3, k: 2) == [0, 0, 1])
    }
}

@Suite("peer groups, neighbours and roll-out")
struct PeerStageTests {
    static func master(_ n: Int, seed: UInt64 = 3) -> [MasterEntry] {
        var state = seed
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        let codes = (0..<n).map { i -> MunicipalityCode in
            MunicipalityCode.completing(fiveDigits: String(format: "20%03d", 100 + i * 3))!
        }
        return codes.map { code in
            let pop = 1000 + next() * 300_000
            return MasterEntry(
                code: code, name: "市\(code)", population: pop, aged65: pop * (0.25 + next() * 0.2),
                aged75: pop * (0.12 + next() * 0.1), area: 20 + next() * 500, email: "")
        }
    }

    @Test("same input in any row order gives the same groups and neighbours")
    func determinism() {
        let m = Self.master(40)
        let base = PeersStage.compute(
            PeersStage.features(master: m, published: [], weights: [:]), k: nil, neighbours: 5)
        var shuffled = m
        var rng = SeededShuffle(seed: 9)
        shuffled.shuffle(using: &rng)
        let again = PeersStage.compute(
            PeersStage.features(master: shuffled, published: [], weights: [:]), k: nil, neighbours: 5)
        #expect(base.groups == again.groups)
        #expect(base.k == again.k)
        #expect(base.neighbours.map { $0.map(\.index) } == again.neighbours.map { $0.map(\.index) })
        // Groups are numbered by their smallest code.
        var firstSeen: [Int] = []
        for g in base.groups where !firstSeen.contains(g) { firstSeen.append(g) }
        #expect(firstSeen == Array(1...base.k))
        #expect(base.silhouettes.map(\.k) == Array(3...8))
        #expect(base.silhouettes.first { $0.k == base.k }!.silhouette == base.silhouettes.map(\.silhouette).max())
    }

    @Test("missing or suppressed features are set to the mean and flagged")
    func missing() {
        let m = Self.master(6)
        var published = [IndicatorRow]()
        for (i, e) in m.enumerated() {
            var r = IndicatorRow(
                wave: "2025", code: e.code, name: e.name, indicator: .turnoverRate,
                estimate: Estimate(value: Double(10 + i), n: 5))
            if i == 0 {
                r.suppressed = true
                r.rule = .threshold
            }
            published.append(r)
        }
        let f = PeersStage.features(master: m, published: published, weights: [:])
        #expect(f[0].raw[5] == nil && f[0].z[5] == 0)
        #expect(f[1].raw[5] == 11)
        #expect(f[0].raw[6] == nil)  // shortage_share absent for all: every z is 0
        #expect(f.allSatisfy { $0.z[6] == 0 })
    }

    @Test("weights scale the standardised features")
    func weights() {
        let m = Self.master(10)
        let plain = PeersStage.features(master: m, published: [], weights: [:])
        let heavy = PeersStage.features(master: m, published: [], weights: [.logPopulation: 4])
        #expect(abs(heavy[3].z[0] - 2 * plain[3].z[0]) < 1e-12)
    }

    @Test("roll-out leaves out municipalities that ran the same theme; same group first")
    func rollout() {
        let f = [
            feature("202011", [0, 0]), feature("202029", [0.1, 0]), feature("202037", [0.2, 0]),
            feature("202045", [5, 5]), feature("202053", [5.1, 5]),
        ]
        let r = PeersStage.compute(f, k: 2, neighbours: 2)
        #expect(r.groups == [1, 1, 1, 2, 2])
        let projects = [
            ModelProject(municipality: "202011", name: "就職説明会", theme: "介護人材確保", fiscalYear: "R6", summary: ""),
            ModelProject(municipality: "202029", name: "別の事業", theme: "介護人材確保", fiscalYear: "R6", summary: ""),
            ModelProject(municipality: "202045", name: "地域ケア会議", theme: "地域ケア会議", fiscalYear: "R6", summary: ""),
        ]
        let rows = PeersStage.rolloutRows(r, projects: projects, limit: 10).filter {
            $0.projectMunicipality == "202011"
        }
        #expect(rows.map(\.candidateCode) == ["202037", "202045", "202053"])  // 202029 ran the theme already
        #expect(rows[0].sameGroup && !rows[1].sameGroup)
        let suggestions = PeersStage.suggestionRows(r, projects: projects)
        #expect(!suggestions.contains { $0.code == "202029" && $0.theme == "介護人材確保" })
        #expect(suggestions.contains { $0.code == "202037" && $0.projectMunicipality == "202011" })
        #expect(suggestions.contains { $0.code == "202053" && $0.projectMunicipality == "202045" })
    }

    @Test("a municipality with every feature missing sits at the centroid, flagged, and still gets a group")
    func allMissing() {
        var m = Self.master(12)
        m[4].population = 0  // no population: no log, shares or density
        m[4].area = 0
        let f = PeersStage.features(master: m, published: [], weights: [:])
        #expect(f[4].raw.allSatisfy { $0 == nil })
        #expect(f[4].z.allSatisfy { $0 == 0 })
        let r = PeersStage.compute(f, k: nil, neighbours: 3)
        #expect((1...r.k).contains(r.groups[4]))
        #expect(r.neighbours[4].count == 3)
    }

    @Test("tiny prefectures", arguments: [1, 2, 3])
    func tiny(_ n: Int) {
        let r = PeersStage.compute(
            PeersStage.features(master: Self.master(n), published: [], weights: [:]), k: nil, neighbours: 5)
        #expect(r.k == 1)
        #expect(Set(r.groups) == [1])
        #expect(r.neighbours.allSatisfy { $0.count == n - 1 })
    }

    @Test("a requested k larger than the prefecture is reduced")
    func bigK() {
        let r = PeersStage.compute(
            PeersStage.features(master: Self.master(4), published: [], weights: [:]), k: 8, neighbours: 5)
        #expect(r.k == 3)
    }

    @Test("national scale: every municipality of Japan (timing printed, not asserted)")
    func national() throws {
        let master = Synth.nation()
        #expect(master.count == 1747)
        #expect(Set(master.map(\.code)).count == 1747)
        #expect(master.allSatisfy { $0.code.text.hasPrefix($0.code.prefectureDigits) })
        let start = Date()
        let r = PeersStage.compute(
            PeersStage.features(master: master, published: [], weights: [:]), k: nil, neighbours: 5)
        let seconds = Date().timeIntervalSince(start)
        print(
            "peers, national scale: \(master.count) municipalities, k = \(r.k), \(String(format: "%.3f", seconds)) s (debug build)"
        )
        #expect(r.groups.count == 1747)
    }
}

/// A seeded generator for shuffles in tests.
struct SeededShuffle: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state
    }
}

@Suite("context indicators as peer features")
struct ContextFeatureTests {
    static func master(_ codes: [MunicipalityCode]) -> [MasterEntry] {
        codes.map {
            MasterEntry(code: $0, name: "町\($0)", population: 1000, aged65: 300, aged75: 150, area: 10, email: "a@b.jp")
        }
    }

    static func figure(_ code: MunicipalityCode, _ v: Double?, year: String = "令和5年度") -> ContextFigure {
        ContextFigure(municipality: code, id: "cert", label: "認定率", unit: "%", value: v, year: year, source: "見える化")
    }

    @Test("standardised and weighted like the built-in features; missing at the mean; the latest year")
    func standardised() throws {
        let codes: [MunicipalityCode] = ["200018", "200026", "200034", "200042"]
        let context = [
            Self.figure("200018", 10), Self.figure("200026", 20), Self.figure("200034", nil), Self.figure("200042", 30),
            Self.figure("200042", 99, year: "令和3年度"),
        ]
        let rows = try PeersStage.contextFeatures(
            master: Self.master(codes), context: context, ids: ["cert"], weights: ["cert": 4])
        #expect(rows.map(\.code) == codes)
        #expect(rows.map(\.raw) == [10, 20, nil, 30])
        // Mean 20, SD sqrt(200/3); weight 4 → × 2.
        let sd = (200.0 / 3).squareRoot()
        #expect(abs(rows[0].z - (-10 / sd * 2)) < 1e-12 && rows[1].z == 0 && rows[2].z == 0)
        #expect(abs(rows[3].z - 10 / sd * 2) < 1e-12)
        #expect(rows[2].cells.last == "true")
    }

    @Test("an id no figure has is a configuration error naming the key")
    func unknownID() {
        #expect {
            try PeersStage.contextFeatures(
                master: Self.master(["200018"]), context: [Self.figure("200018", 3)], ids: ["kayoi"], weights: [:])
        } throws: { error in
            let e = error as? StageFailure
            return e?.kind == .configuration && e?.description.contains("peers.context_features") == true
        }
    }

    @Test("a weighted context feature decides groups the built-in features leave alike")
    func decidesGroups() {
        let codes = (1...8).map { MunicipalityCode.completing(fiveDigits: String(format: "200%02d", $0))! }
        // Built-in features nearly alike; the context feature splits 4 low from 4 high.
        let features = codes.enumerated().map { i, c in feature(c, [Double(i % 2) * 0.01]) }
        let context = codes.enumerated().map { i, c in Self.figure(c, i < 4 ? 12 : 22) }
        let extra = try! PeersStage.contextFeatures(
            master: Self.master(codes), context: context, ids: ["cert"], weights: ["cert": 9])
        let with = PeersStage.compute(features, k: 2, neighbours: 3, extra: extra)
        #expect(Set(with.groups[0..<4]).count == 1 && Set(with.groups[4..<8]).count == 1)
        #expect(with.groups[0] != with.groups[4])
        // Without it, the groups follow the tiny built-in difference instead.
        let without = PeersStage.compute(features, k: 2, neighbours: 3)
        #expect(without.groups[0] == without.groups[2] && without.groups[0] != without.groups[1])
    }
}

@Suite("absurd context values")
struct ContextOutlierTests {
    @Test("one value far from the others (a typo such as 1e15) is named; ordinary spread is not")
    func outliers() {
        let rows = [10.0, 11, 12, 13, 14, 1e15].enumerated().map { n, v in
            ContextFeatureRow(
                code: MunicipalityCode.completing(fiveDigits: "2020\(n + 1)")!, id: "home_death_rate", raw: v, z: 0)
        }
        let warnings = PeersStage.outliers(rows)
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("202061 has 1000000000000000") == true)
        #expect(PeersStage.outliers(Array(rows.dropLast())).isEmpty)
    }
}

@Suite("peers on the situation, not on outcomes")
struct ContextOnlyPeerTests {
    @Test("by default the outcomes weigh 0: turnover as different as can be leaves groups and neighbours alike")
    func outcomesIgnored() {
        let m = PeerStageTests.master(24)
        let weights = Dictionary(uniqueKeysWithValues: PeerFeature.allCases.map { ($0, $0.defaultWeight) })
        #expect(weights[.turnoverRate] == 0 && weights[.shortageShare] == 0 && weights[.careStaffPer1000Aged75] == 0)
        #expect(weights[.logPopulation] == 1 && weights[.aged65Share] == 1)
        let published = m.enumerated().map { i, e in
            IndicatorRow(
                wave: "2025", code: e.code, name: e.name, indicator: .turnoverRate,
                estimate: Estimate(value: i % 2 == 0 ? 2 : 40, n: 5))
        }
        let without = PeersStage.compute(
            PeersStage.features(master: m, published: [], weights: weights), k: nil, neighbours: 5)
        let with = PeersStage.compute(
            PeersStage.features(master: m, published: published, weights: weights), k: nil, neighbours: 5)
        #expect(with.groups == without.groups)
        #expect(with.neighbours.map { $0.map(\.index) } == without.neighbours.map { $0.map(\.index) })
        // A feature that weighs nothing is never "close".
        #expect(with.neighbours.allSatisfy { $0.allSatisfy { !$0.closest.contains(where: \.isOutcome) } })
        // Given a weight, turnover splits them.
        var heavy = weights
        heavy[.turnoverRate] = 9
        let split = PeersStage.compute(
            PeersStage.features(master: m, published: published, weights: heavy), k: 2, neighbours: 5)
        #expect(Set(split.groups.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)).count == 1)
    }
}

@Suite("neighbours that changed since the previous wave")
struct NeighbourChangeTests {
    static let a: MunicipalityCode = "202011", b: MunicipalityCode = "202029"

    @Test(
        "a neighbour gained is explained by the features it came closer on, one lost by those it moved away on",
        arguments: [
            // (closer, a's population z before → now, b's; a's 高齢化率 z before → now, b's; named)
            (true, (1.0, 1.0), (2.0, 1.2), (0.0, 0.0), (0.5, 0.45), ["log_population"]),
            (false, (1.0, 1.0), (1.2, 2.0), (0.0, 0.3), (0.0, 0.0), ["log_population", "aged_65_share"]),
            // Moves under a tenth of a standard deviation are not named: others came closer.
            (false, (1.0, 1.0), (1.2, 1.25), (0.0, 0.0), (0.0, 0.05), []),
        ])
    func explained(
        closer: Bool, aPopulation: (Double, Double), bPopulation: (Double, Double), aAged: (Double, Double),
        bAged: (Double, Double), named: [String]
    ) {
        let before: [MunicipalityCode: [String: Double]] = [
            Self.a: ["log_population": aPopulation.0, "aged_65_share": aAged.0],
            Self.b: ["log_population": bPopulation.0, "aged_65_share": bAged.0],
        ]
        let now: [MunicipalityCode: [String: Double]] = [
            Self.a: ["log_population": aPopulation.1, "aged_65_share": aAged.1],
            Self.b: ["log_population": bPopulation.1, "aged_65_share": bAged.1],
        ]
        let moved = NeighbourChanges.features(Self.a, Self.b, now: now, before: before, closer: closer)
        #expect(moved == named)
        let reason = NeighbourChanges.reason(moved, closer: closer, labels: [:])
        if named.isEmpty {
            #expect(reason == "ほかの団体がより近くなったため")
        } else if closer {
            #expect(reason == "人口規模が近づいたため")
        } else {
            #expect(reason == "人口規模・高齢化率の差が開いたため")
        }
    }
}
