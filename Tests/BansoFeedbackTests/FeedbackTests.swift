import BansoCore
import BansoFeedback
import BansoTestSupport
import Testing

/// Published rows of one indicator: (code, value, suppressed) for municipalities, and the prefecture.
func published(_ indicator: Indicator, _ cells: [(MunicipalityCode, Double?, Bool)], prefecture: Double? = nil)
    -> [IndicatorRow]
{
    var rows = cells.map { code, value, suppressed in
        var r = IndicatorRow(
            wave: "2025", code: code, name: "町\(code)", indicator: indicator,
            estimate: Estimate(
                value: suppressed ? nil : value, n: 5, ciLow: value.map { $0 - 1 }, ciHigh: value.map { $0 + 1 }))
        r.suppressed = suppressed
        r.rule = suppressed ? .threshold : nil
        return r
    }
    if let prefecture {
        rows.append(
            IndicatorRow(
                wave: "2025", code: "200000", name: "長野県", indicator: indicator,
                estimate: Estimate(value: prefecture, n: 50)))
    }
    return rows
}

/// Eight municipalities in two peer groups of four.
let codes: [MunicipalityCode] = ["202011", "202029", "202037", "202045", "202053", "202061", "202070", "202088"]
let groups: [MunicipalityCode: FeedbackStage.Group] = Dictionary(
    uniqueKeysWithValues: codes.enumerated().map { ($1, (number: $0 < 4 ? 1 : 2, label: $0 < 4 ? "A" : "B")) })

func build(_ rows: [IndicatorRow], previous: [IndicatorRow] = []) -> [MunicipalityCode: FeedbackRow] {
    let out = FeedbackStage.build(
        published: rows, groups: groups, previous: previous, prefectureCode: "200000", wording: nagano)
    return Dictionary(uniqueKeysWithValues: out.map { ($0.code, $0) })
}

@Suite("feedback")
struct FeedbackTests {
    @Test("peer median and quartiles (R type 7) over the group; quartile over the prefecture's municipalities")
    func distributions() {
        let values: [Double] = [10, 20, 30, 40, 5, 15, 25, 35]
        let rows = build(published(.turnoverRate, zip(codes, values).map { ($0, $1, false) }, prefecture: 22))
        let a = rows["202011"]!
        #expect(a.peerMedian == 25)  // group 1: 10 20 30 40
        #expect(a.peerQ1 == 17.5 && a.peerQ3 == 32.5)
        #expect(a.peerN == 4)
        #expect(a.prefectureValue == 22)
        #expect(a.group == 1 && a.groupLabel == "A")
        // Prefecture: 5 10 15 20 25 30 35 40 → Q1 13.75, median 22.5, Q3 31.25.
        #expect(rows["202053"]!.quartile == 1)  // 5
        #expect(rows["202029"]!.quartile == 2)  // 20
        #expect(rows["202070"]!.quartile == 3)  // 25
        #expect(rows["202045"]!.quartile == 4)  // 40
        #expect(rows.count == 8)  // the prefecture row is not a municipality's feedback
        // The interval (value ± 1 here) reaches: 20 → 19–21, all in the 2nd quarter; 15 → 14–16,
        // from just above Q1 (13.75); 25 → 24–26, in the 3rd.
        #expect(rows["202029"]!.quartileRange == 2...2)
        #expect(rows["202061"]!.quartileRange == 2...2)
        #expect(rows["202070"]!.quartileRange == 3...3)
    }

    @Test("the position says what the interval allows")
    func positionFromInterval() {
        // Prefecture: 5 15 20 22 25 30 35 40 → Q1 18.75, median 23.5, Q3 31.25.
        // 202011 at 22 with 12–32: across all three → from the 1st to the 4th quarter.
        var cells = zip(codes, [22.0, 20, 30, 40, 5, 15, 25, 35]).map { ($0, Optional($1), false) }
        var rows = published(.turnoverRate, cells, prefecture: 22)
        (rows[0].estimate.ciLow, rows[0].estimate.ciHigh) = (12, 32)
        let wide = build(rows)["202011"]!
        #expect(wide.quartile == 2 && wide.quartileRange == 1...4)
        // 24–30: above the median, below Q3: the 3rd quarter only.
        (rows[0].estimate.ciLow, rows[0].estimate.ciHigh) = (24, 30)
        #expect(build(rows)["202011"]!.quartileRange == 3...3)
        // 19–26: the middle half.
        (rows[0].estimate.ciLow, rows[0].estimate.ciHigh) = (19, 26)
        #expect(build(rows)["202011"]!.quartileRange == 2...3)
        cells[0].1 = nil
        #expect(build(published(.turnoverRate, cells, prefecture: 22))["202011"]!.quartileRange == nil)
    }

    @Test(
        "flags follow the indicator's direction and only outside the peer IQR",
        arguments: [
            (Indicator.turnoverRate, 40.0, FeedbackFlag?.some(.concern)),
            (.turnoverRate, 10, .strength),
            (.hiringRate, 40, .strength),
            (.hiringRate, 10, .concern),
            (.nonregularShare, 40, .note),
            (.turnoverRate, 25, nil),
        ])
    func flags(_ indicator: Indicator, _ value: Double, _ expected: FeedbackFlag?) {
        // Group 1 is 202011 (the value under test) and three peers at 20, 25, 30.
        let cells: [(MunicipalityCode, Double?, Bool)] = [
            ("202011", value, false), ("202029", 20, false), ("202037", 25, false),
            ("202045", 30, false),
        ]
        let row = build(published(indicator, cells))["202011"]!
        #expect(row.flag == expected)
        #expect(row.comment.isEmpty == (expected == nil))
        if let expected {
            #expect(row.comment.hasPrefix(indicator.japanese))
            let words = expected == .strength ? "取組の工夫" : expected == .concern ? "ご一緒に確認" : "良し悪し"
            #expect(row.comment.contains(words), "\(row.comment)")
            #expect(row.flagPriority == 1)
        }
    }

    @Test("no flags on sample sizes and count totals; no peer figures with fewer than three peers")
    func noFlags() {
        let cells: [(MunicipalityCode, Double?, Bool)] = [
            ("202011", 900, false), ("202029", 20, false), ("202037", 25, false),
            ("202045", 30, false), ("202053", 1, false), ("202061", 2, false),
        ]
        for indicator in [Indicator.careStaffTotal, .respondents] {
            #expect(build(published(indicator, cells))["202011"]!.flag == nil)
        }
        let small = build(published(.turnoverRate, [("202053", 90, false), ("202061", 2, false)]))["202053"]!
        #expect(small.peerMedian == nil && small.peerN == 2 && small.flag == nil && small.quartile == nil)
    }

    @Test(
        "a suppressed value shows nothing: no value, interval, quartile or flag, and does not enter the distributions")
    func suppressed() {
        let cells: [(MunicipalityCode, Double?, Bool)] = [
            ("202011", 99, true), ("202029", 20, false), ("202037", 25, false),
            ("202045", 30, false),
        ]
        let rows = build(published(.turnoverRate, cells))
        let s = rows["202011"]!
        #expect(s.value == nil && s.ciLow == nil && s.ciHigh == nil && s.quartile == nil && s.flag == nil)
        #expect(s.suppressed && s.rule == .threshold)
        #expect(rows["202029"]!.peerN == 3 && rows["202029"]!.peerMedian == 25)
    }

    @Test("change from the previous wave as published; none when either value is suppressed")
    func change() {
        let now = published(.turnoverRate, [("202011", 12.5, false), ("202029", 20, false), ("202037", 9, true)])
        var before = published(.turnoverRate, [("202011", 10, false), ("202029", 22, true), ("202037", 8, false)])
        for i in before.indices { before[i].wave = "2024" }
        let rows = build(now, previous: before)
        #expect(
            rows["202011"]!.change == 2.5 && rows["202011"]!.previousWave == "2024"
                && rows["202011"]!.previousValue == 10)
        #expect(rows["202029"]!.change == nil && rows["202029"]!.previousValue == nil)
        #expect(rows["202037"]!.change == nil)
        #expect(build(now)["202011"]!.previousWave == nil)
    }

    @Test(
        "quantile is linear between order statistics",
        arguments: [
            ([1.0], 0.5, 1.0), ([1, 2], 0.5, 1.5), ([1, 2, 3, 4], 0.25, 1.75), ([3, 5, 7, 9, 11], 0.75, 9),
        ])
    func quantiles(_ sorted: [Double], _ p: Double, _ expected: Double) {
        #expect(quantile(sorted, p) == expected)
    }
}

@Suite("feedback follows the uncertainty")
struct FeedbackUncertaintyTests {
    /// Eight municipalities of one group; 202011's interval is `value ± half`.
    func rows(_ value: Double, half: Double, indicator: Indicator = .turnoverRate) -> [IndicatorRow] {
        var rows = published(
            indicator, zip(codes, [value, 10, 12, 14, 16, 18, 20, 22]).map { ($0, $1, false) }, prefecture: 15)
        rows[0].estimate.ciLow = value - half
        rows[0].estimate.ciHigh = value + half
        return rows
    }
    let oneGroup: [MunicipalityCode: FeedbackStage.Group] = Dictionary(
        uniqueKeysWithValues: codes.map { ($0, (1, "A")) })

    @Test("a value outside the peer range whose interval overlaps it is not flagged")
    func overlap() {
        let out = FeedbackStage.build(
            published: rows(30, half: 12), groups: oneGroup, previous: [], prefectureCode: "200000", wording: nagano)
        let r = out.first { $0.code == "202011" }!
        #expect(r.value! > r.peerQ3!)
        #expect(r.flag == nil && r.comment.isEmpty)
        let sure = FeedbackStage.build(
            published: rows(30, half: 2), groups: oneGroup, previous: [], prefectureCode: "200000", wording: nagano)
        #expect(sure.first { $0.code == "202011" }!.flag == .concern)
    }

    @Test("the change's interval comes from both waves' standard errors, not from clipped or asymmetric intervals")
    func changeFromStandardErrors() throws {
        // A share near 0%: its Wilson interval is asymmetric, and a ratio's is clipped at 0.
        var now = published(.shortageShare, [("202011", 4, false)])
        now[0].estimate.ciLow = 0.7
        now[0].estimate.ciHigh = 19.5
        now[0].estimate.se = 3
        var before = published(.shortageShare, [("202011", 10, false)])
        before[0].wave = "2024"
        before[0].estimate.ciLow = 0
        before[0].estimate.ciHigh = 21
        before[0].estimate.se = 4
        let r = try #require(build(now, previous: before)["202011"])
        // −6 ± 1.96 · √(3² + 4²) = −6 ± 1.96 · 5.
        #expect(r.se == 3)
        #expect(abs(r.changeLow! - (-6 - Estimate.z95 * 5)) < 1e-12)
        #expect(abs(r.changeHigh! - (-6 + Estimate.z95 * 5)) < 1e-12)
    }

    @Test("a wave stored without a standard error (an earlier version) falls back to its interval's half-width")
    func changeWithoutStoredError() throws {
        var now = published(.turnoverRate, [("202011", 12, false)])
        now[0].estimate.se = 1
        var before = published(.turnoverRate, [("202011", 10, false)])  // interval 9–11, no se
        before[0].wave = "2024"
        let r = try #require(build(now, previous: before)["202011"])
        let previousSE = 2 / (2 * Estimate.z95)
        let se = (1 + previousSE * previousSE).squareRoot()
        #expect(abs(r.changeLow! - (2 - Estimate.z95 * se)) < 1e-12)
    }

    @Test("a suppressed value carries no standard error into the feedback")
    func suppressedHasNoError() {
        var rows = published(.turnoverRate, [("202011", 12, true)])
        rows[0].estimate.se = 1
        #expect(build(rows)["202011"]!.se == nil)
    }

    @Test("no interval, no flag")
    func noInterval() {
        var r = rows(40, half: 1)
        r[0].estimate.ciLow = nil
        r[0].estimate.ciHigh = nil
        let out = FeedbackStage.build(
            published: r, groups: oneGroup, previous: [], prefectureCode: "200000", wording: nagano)
        #expect(out.first { $0.code == "202011" }!.flag == nil)
    }

    @Test("at most five flags per municipality, the surest first")
    func cap() {
        let indicators: [Indicator] = [
            .turnoverRate, .hiringRate, .vacancyRate, .shortageShare, .certifiedShare, .nonregularShare, .foreignShare,
        ]
        var all: [IndicatorRow] = []
        for (n, i) in indicators.enumerated() { all += rows(40 + Double(n) * 5, half: 1, indicator: i) }
        let out = FeedbackStage.build(
            published: all, groups: oneGroup, previous: [], prefectureCode: "200000", wording: nagano)
        let flagged = out.filter { $0.code == "202011" && $0.flag != nil }.sorted {
            $0.flagPriority! < $1.flagPriority!
        }
        #expect(flagged.count == FeedbackStage.maxFlags)
        #expect(flagged.map(\.flagPriority!) == Array(1...5))
        #expect(flagged.first!.indicator == .foreignShare)  // the furthest interval from the range
    }

    @Test("a group under four members compares with the nearest municipalities instead")
    func smallGroup() {
        let groups: [MunicipalityCode: FeedbackStage.Group] = Dictionary(
            uniqueKeysWithValues: codes.enumerated().map { ($1, (number: $0 < 2 ? 1 : 2, label: "x")) })
        let near: [MunicipalityCode: [MunicipalityCode]] = ["202011": ["202037", "202045", "202053", "202061"]]
        let out = FeedbackStage.build(
            published: rows(40, half: 1), groups: groups, neighbours: near, previous: [], prefectureCode: "200000",
            wording: nagano)
        let r = out.first { $0.code == "202011" }!
        #expect(r.peerBasis == .neighbours && r.peerN == 4)
        #expect(r.peerMedian == 15)  // 12, 14, 16, 18
        #expect(r.flag == .concern && r.comment.contains("状況の近い市町村"))
        #expect(out.first { $0.code == "202053" }!.peerBasis == .group)
    }

    @Test("a municipality with over a third of the respondents also sees the rest of the prefecture")
    func dominant() {
        func row(_ code: MunicipalityCode, _ indicator: Indicator, _ value: Double, _ num: Double, _ den: Double)
            -> IndicatorRow
        {
            IndicatorRow(
                wave: "2025", code: code, name: code.text, indicator: indicator,
                estimate: Estimate(
                    value: value, numerator: num, denominator: den, n: 10, ciLow: value - 0.2, ciHigh: value + 0.2))
        }
        let rows = [
            row("261009", .respondents, 70, 70, 0), row("262013", .respondents, 30, 30, 0),
            row("260002", .respondents, 100, 100, 0),
            row("261009", .turnoverRate, 19.5, 195, 1000), row("262013", .turnoverRate, 12.5, 50, 400),
            row("260002", .turnoverRate, 17.5, 245, 1400),
        ]
        let out = FeedbackStage.build(
            published: rows, groups: [:], previous: [], prefectureCode: "260002", wording: PrefectureWording(code: "26")
        )
        let kyoto = out.first { $0.code == "261009" && $0.indicator == .turnoverRate }!
        #expect(abs(kyoto.restOfPrefecture! - 12.5) < 1e-9)  // (245 − 195) ÷ (1400 − 1000) × 100
        #expect(kyoto.flag == .concern && kyoto.comment.contains("府内の他の市町村"))
        #expect(out.first { $0.code == "262013" && $0.indicator == .turnoverRate }!.restOfPrefecture == nil)
    }

    @Test("the words follow the prefecture: 都, 道, 府 or 県, and 区市町村 in Tokyo")
    func wording() {
        #expect(PrefectureWording(code: "26").whole == "府全体")
        #expect(PrefectureWording(code: "13").whole == "都全体" && PrefectureWording(code: "13").municipalities == "区市町村")
        #expect(PrefectureWording(code: "01").within == "道内")
        #expect(PrefectureWording(code: "20").whole == "県全体")
        #expect(PrefectureWording.honorific("京都市") == "貴市" && PrefectureWording.honorific("千代田区") == "貴区")
    }
}
let nagano = PrefectureWording(code: "20")
