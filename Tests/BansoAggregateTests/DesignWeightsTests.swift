import BansoAggregate
import BansoCore
import BansoTestSupport
import Testing

@Suite("design weights from the frame")
struct DesignWeightsTests {
    /// 長野市 (202011): 施設 5, 通所 4, 訪問 2, 多機能 1 in the frame; 松本市 (202029): 施設 2, 訪問 3;
    /// 上田市 (202037): 訪問 4.
    static let frame: [FrameEntry] =
        (1...5).map { FrameEntry(establishmentID: eid("A施設\($0)"), municipality: "202011", serviceType: "51") }
        + (1...4).map { FrameEntry(establishmentID: eid("A通所\($0)"), municipality: "202011", serviceType: "15") }
        + (1...2).map { FrameEntry(establishmentID: eid("A訪問\($0)"), municipality: "202011", serviceType: "11") }
        + [FrameEntry(establishmentID: eid("A多機能1"), municipality: "202011", serviceType: "73")]
        + (1...2).map { FrameEntry(establishmentID: eid("B施設\($0)"), municipality: "202029", serviceType: "52") }
        + (1...3).map { FrameEntry(establishmentID: eid("B訪問\($0)"), municipality: "202029", serviceType: "13") }
        + (1...4).map { FrameEntry(establishmentID: eid("C訪問\($0)"), municipality: "202037", serviceType: "11") }

    /// 長野市: 4 施設, 1 通所, 1 訪問; 松本市: both 施設, no 訪問; 上田市: all 4 訪問 and one
    /// establishment missing from the frame.
    static let respondents: [(id: String, municipality: MunicipalityCode)] =
        (1...4).map { (eid("A施設\($0)").text, "202011") } + [(eid("A通所1").text, "202011"), (eid("A訪問1").text, "202011")]
        + (1...2).map { (eid("B施設\($0)").text, "202029") } + (1...4).map { (eid("C訪問\($0)").text, "202037") } + [
            (eid("X1").text, "202037")
        ]

    func weight(_ d: SamplingDesign, _ id: String) -> Double { d.strata[d.stratumOf[id]!].weight }
    func cell(_ d: SamplingDesign, _ id: String) -> String { d.strata[d.stratumOf[id]!].id }

    @Test("short cells pool within the municipality, then into its largest cell; complete cells keep weight 1")
    func collapsing() {
        let d = DesignWeights.build(frame: Self.frame, respondents: Self.respondents, WeightingParameters())
        // 長野市's 通所, 訪問 and 多機能 (2 respondents together) join its 施設; 松本市 has no cell
        // with 3 respondents, so its empty 訪問 joins its complete 施設: its own two respondents
        // stand for its frame, not other municipalities'.
        #expect(cell(d, eid("A通所1").text) == "202011:施設+通所+訪問+多機能")
        #expect(weight(d, eid("A施設1").text) == 12.0 / 6.0)
        #expect(cell(d, eid("B施設1").text) == "202029:施設+訪問")
        #expect(weight(d, eid("B施設2").text) == 5.0 / 2.0)
        #expect(cell(d, eid("C訪問3").text) == "202037:訪問")
        #expect(weight(d, eid("C訪問3").text) == 1)
        #expect(cell(d, eid("X1").text) == "枠外:202037")
        #expect(weight(d, eid("X1").text) == 1)
        // Nothing is dropped: the weights add up to the frame plus the one outside it.
        let total = Self.respondents.reduce(0.0) { $0 + weight(d, $1.id) }
        #expect(abs(total - Double(Self.frame.count + 1)) < 1e-12)
        #expect(d.unrepresented == 0)
        #expect(!d.collapses.isEmpty)
        #expect(d.cellStratum["202029:訪問"] == d.stratumOf[eid("B施設1").text])
    }

    @Test("a municipality without respondents sends its cells to their service groups across the prefecture")
    func prefectureWide() {
        let frame =
            Self.frame
            + (1...2).map { FrameEntry(establishmentID: eid("D訪問\($0)"), municipality: "202045", serviceType: "11") }
        let d = DesignWeights.build(frame: frame, respondents: Self.respondents, WeightingParameters())
        // 全域:訪問 holds 飯田市's two (no respondent): too short, so 全域:統合 joins the largest
        // stratum that is not complete (長野市's).
        #expect(cell(d, eid("A施設1").text) == "202011:施設+通所+訪問+多機能+全域:統合")
        #expect(weight(d, eid("A施設1").text) == 14.0 / 6.0)
        #expect(d.cellStratum["202045:訪問"] == d.stratumOf[eid("A施設1").text])
        let total = Self.respondents.reduce(0.0) { $0 + weight(d, $1.id) }
        #expect(abs(total - Double(frame.count + 1)) < 1e-12)
    }

    @Test("with min_respondents 2 the pooled short cells are a stratum of their own")
    func pooled() {
        var p = WeightingParameters()
        p.minRespondents = 2
        let d = DesignWeights.build(frame: Self.frame, respondents: Self.respondents, p)
        #expect(cell(d, eid("A通所1").text) == "202011:通所+訪問+多機能")
        #expect(weight(d, eid("A訪問1").text) == 7.0 / 2.0)
        #expect(weight(d, eid("A施設1").text) == 5.0 / 4.0)
        // 松本市's 施設 (2 of 2) is complete; its 訪問 pool (none answered) joins its 施設.
        #expect(cell(d, eid("B施設1").text) == "202029:施設+訪問")
        #expect(weight(d, eid("B施設1").text) == 5.0 / 2.0)
    }

    @Test("the service groups are configurable; a code no group lists is その他")
    func groups() {
        var p = WeightingParameters()
        #expect(p.group(of: "51") == "施設" && p.group(of: "17") == "その他" && p.group(of: "A2") == "訪問")
        p.serviceGroups = [ServiceGroup(name: "入所", codes: ["51", "52"])]
        #expect(p.group(of: "52") == "入所" && p.group(of: "15") == "その他")
    }
}

@Suite("weighted estimators")
struct WeightedEstimatorTests {
    @Test(
        "the weighted median is R's svyquantile(qrule = \"math\")",
        arguments: [
            // Rscript -e 'd<-data.frame(x=c(3,1,4,2),w=…); svyquantile(~x, svydesign(ids=~1,weights=~w,data=d), 0.5, qrule="math")'
            ([1.0, 1, 1, 1], 2.0), ([1.0, 2, 1, 1], 2.0), ([2.5, 0.5, 1, 1], 3.0),
        ])
    func median(_ weights: [Double], _ expected: Double) {
        let values: [Double] = [3, 1, 4, 2]
        #expect(Estimators.weightedMedian(Array(zip(values, weights))) == expected)
    }

    @Test("a stratum whose every frame unit answered adds no variance; one sampled adds its spread")
    func finitePopulation() {
        let units = [
            Estimators.WeightedUnit(stratum: 0, weight: 1, y: 2), Estimators.WeightedUnit(stratum: 0, weight: 1, y: 6),
        ]
        let census = Estimators.weightedTotal(units, sizes: DesignSizes(frameCounts: [2], respondents: [2]))
        #expect(census.value == 8 && census.se == 0)
        // N = 4, n = 2, w = 2: V = (1 − 2/4) · 2/1 · ((4 − 8)² + (12 − 8)²) = 32.
        let sampled = Estimators.weightedTotal(
            units.map { Estimators.WeightedUnit(stratum: 0, weight: 2, y: $0.y) },
            sizes: DesignSizes(frameCounts: [4], respondents: [2]))
        #expect(sampled.value == 16)
        #expect(abs(sampled.se! - 32.0.squareRoot()) < 1e-12)
    }

    @Test("a weighted share at 100% outside a census keeps an interval; in a census it is exact")
    func shareAtTheEdge() {
        let units = (0..<3).map { _ in Estimators.WeightedUnit(stratum: 0, weight: 2, y: 1) }
        let sizes = DesignSizes(frameCounts: [6], respondents: [3])
        let e = Estimators.weightedShare(units, sizes: sizes, census: false)
        #expect(e.value == 100 && e.se! > 0 && e.ciLow! < 100)
        let exact = Estimators.weightedShare(units, sizes: sizes, census: true)
        #expect(exact.se == 0 && exact.ciLow == 100)
    }
}

@Suite("raking to the service groups")
struct RakingTests {
    @Test("raked weights meet the groups' frame counts and keep each municipality's sum; complete cells stay at 1")
    func margins() {
        // Two municipalities; 施設 over-represented in 長野市 (its 訪問 pooled with it at weight 2).
        let groups = ["施設", "施設", "訪問", "施設", "訪問", "訪問", "施設"]
        let municipalities: [MunicipalityCode] = ["202011", "202011", "202011", "202029", "202029", "202029", "202029"]
        let base = [2.0, 2, 2, 1.5, 1.5, 1, 1]
        let complete = [false, false, false, false, false, false, true]
        let w = DesignWeights.rake(
            base, groups: groups, municipalities: municipalities, framed: Array(repeating: true, count: 7),
            complete: complete, frameGroupCounts: ["施設": 5, "訪問": 6])
        func sum(_ keep: (Int) -> Bool) -> Double { w.indices.filter(keep).reduce(0) { $0 + w[$1] } }
        #expect(w[6] == 1)
        #expect(abs(sum { groups[$0] == "施設" } - 5) < 1e-9)
        #expect(abs(sum { groups[$0] == "訪問" } - 6) < 1e-9)
        #expect(abs(sum { municipalities[$0] == "202011" } - 6) < 1e-9)
        #expect(abs(sum { municipalities[$0] == "202029" && !complete[$0] } - 4) < 1e-9)
    }
}

/// A valid 事業所番号 for each readable name of the fixtures (長野県's 20, a running number).
func eid(_ name: String) -> EstablishmentID {
    let names = [
        "A施設1", "A施設2", "A施設3", "A施設4", "A施設5", "A通所1", "A通所2", "A通所3", "A通所4", "A訪問1", "A訪問2",
        "A多機能1", "B施設1", "B施設2", "B訪問1", "B訪問2", "B訪問3", "C訪問1", "C訪問2", "C訪問3", "C訪問4",
        "D訪問1", "D訪問2", "X1",
    ]
    guard let n = names.firstIndex(of: name) else { preconditionFailure("no 事業所番号 for \(name)") }
    return EstablishmentID(String(format: "2010%06d", n + 1))!
}
