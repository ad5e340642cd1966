import BansoCSV
import BansoCore
import Foundation
import SystemPackage

/// What the generator knows of the roadmap inputs before it dirties them.
package struct SynthRoadmapTruth: Sendable {
    /// The item list as the prefecture wrote it.
    package var items: [RoadmapItem]
    /// The answer that must win per municipality and item (score, comment).
    package var answers: [String: [String: (score: Int, comment: String)]]
    /// Municipalities that answered nothing (未回答).
    package var unanswered: [String]
    /// The latest year's context value per municipality and id (nil: marked missing).
    package var context: [String: [String: Double?]]
    /// Lines broken on purpose (self-assessment and context files).
    package var broken: [BrokenLine]
}

extension Synth {
    /// A realistic 構築ロードマップ: four areas × three stages, 主観 and 客観 items.
    package static let roadmapItems: [RoadmapItem] = {
        func s(_ id: String, _ area: String, _ stage: Int, _ label: String) -> RoadmapItem {
            RoadmapItem(id: id, area: area, stage: ManagementStage(rawValue: stage)!, label: label, kind: .subjective)
        }
        func o(_ id: String, _ area: String, _ stage: Int, _ label: String, _ indicator: String, _ t: String)
            -> RoadmapItem
        {
            RoadmapItem(
                id: id, area: area, stage: ManagementStage(rawValue: stage)!, label: label, kind: .objective,
                measure: RoadmapMeasure(indicator), threshold: RoadmapThreshold(text: t))
        }
        // Residents' own activities are watched, not judged (見守り): a figure without a 基準.
        func w(_ id: String, _ area: String, _ stage: Int, _ label: String, _ indicator: String) -> RoadmapItem {
            RoadmapItem(
                id: id, area: area, stage: ManagementStage(rawValue: stage)!, label: label, kind: .watch,
                measure: RoadmapMeasure(indicator), threshold: nil)
        }
        return [
            s("HR-1a", "介護人材", 1, "介護人材の需給推計と不足の状況を把握している"),
            o("HR-1b", "介護人材", 1, "介護人材実態調査の回答率が50%以上", "response_rate", ">= 50"),
            s("HR-2a", "介護人材", 2, "人材確保の目標を事業所・関係団体と共有している"),
            o("HR-2b", "介護人材", 2, "介護職員の離職率が20%以下", "turnover_rate", "<= 20"),
            s("HR-3a", "介護人材", 3, "確保・定着の事業を実施し、効果を検証している"),
            o("HR-3b", "介護人材", 3, "人手不足を感じる事業所の割合が70%以下", "shortage_share", "<= 70"),
            s("PV-1a", "介護予防", 1, "通いの場の参加状況と地域差を把握している"),
            w("PV-1b", "介護予防", 1, "通いの場への参加率", "kayoi_participation"),
            s("PV-2a", "介護予防", 2, "介護予防の目標を住民・関係者と共有している"),
            s("PV-3a", "介護予防", 3, "介護予防の取組の効果を評価し、見直している"),
            o("PV-3b", "介護予防", 3, "要介護認定率が20%以下", "certification_rate", "<= 20"),
            s("LS-1a", "生活支援", 1, "生活支援のニーズと地域資源を把握している"),
            s("LS-2a", "生活支援", 2, "協議体で地域の課題を共有している"),
            o("LS-2b", "生活支援", 2, "生活支援コーディネーターを配置している", "coordinators", "> 0"),
            s("LS-3a", "生活支援", 3, "担い手の養成を実施し、評価している"),
            s("HM-1a", "在宅医療・介護連携", 1, "在宅医療・介護の資源と連携の課題を把握している"),
            s("HM-2a", "在宅医療・介護連携", 2, "入退院支援のルールを医療・介護関係者と共有している"),
            s("HM-3a", "在宅医療・介護連携", 3, "連携の取組を実施し、指標で評価している"),
            o("HM-3b", "在宅医療・介護連携", 3, "在宅死亡率が15%以上", "home_death_rate", ">= 15"),
        ]
    }()

    /// The context figures the generator writes: id, name, unit, source, range.
    static let contextIndicators:
        [(id: String, label: String, unit: String, source: String, range: ClosedRange<Double>)] =
            [
                ("certification_rate", "要介護（要支援）認定率", "%", "地域包括ケア「見える化」システム（厚生労働省）", 14...24),
                ("benefit_per_capita", "第1号被保険者1人あたり給付月額", "円", "地域包括ケア「見える化」システム（厚生労働省）", 19_000...30_000),
                ("kayoi_participation", "通いの場への参加率", "%", "介護予防・日常生活支援総合事業等の実施状況に関する調査", 1...12),
                ("coordinators", "生活支援コーディネーター配置数", "人", "県 地域包括ケア推進課 調べ", 0...6),
                ("home_death_rate", "在宅死亡率", "%", "人口動態統計（厚生労働省）", 8...24),
            ]

    static let roadmapComments = [
        "事業所連絡会で共有を始めた", "担当者が1名のため、\n計画の見直しが追いつかない", "令和7年度に協議体を再編予定", "",
        "", "医師会との調整中", "＜重要＞次年度予算要求中",
    ]

    /// Writes roadmap.csv, the self-assessments (two files, the second with later corrections) and
    /// context.csv, from their own seed so that the survey files stay as they were.
    static func writeRoadmap(_ ms: [TruthMunicipality], options o: SynthOptions, folder: FilePath) throws
        -> SynthRoadmapTruth
    {
        var rng = SeededRandom(seed: o.seed &+ 0x5EED_0017)
        let items = roadmapItems
        let year = Int(o.wave) ?? 2025
        // Context figures lag the survey by two years (令和5年度 figures in the 2025 wave).
        let contextYear = "令和\(year - 2020)年度", olderYear = "令和\(year - 2021)年度"
        var rows = [["項目ID", "領域", "段階", "項目", "種別", "指標", "基準"]]
        for (n, i) in items.enumerated() {
            let stage = n % 4 == 0 ? "第\(i.stage.rawValue)段階" : String(i.stage.rawValue)
            rows.append([
                i.id, i.area, stage, i.label, i.kind.rawValue, i.measure?.description ?? "",
                i.threshold?.description ?? "",
            ])
        }
        try AtomicFile.write(
            try CSVWriter.encode(rows, options: CSVWriteOptions(encoding: .utf8BOM, newline: .crlf)),
            to: folder.appending("roadmap.csv"))

        // Context: the latest year for every municipality, an older year for some, the prefecture's own row.
        var context: [String: [String: Double?]] = [:]
        var broken: [BrokenLine] = []
        var ctxRows = [["市区町村コード", "指標ID", "指標名", "単位", "値", "年度", "出典"]]
        let pref = MunicipalityCode.completing(fiveDigits: o.prefectureCode + "000")!.text
        for c in contextIndicators {
            var sum = 0.0
            var n = 0.0
            for m in ms {
                let integral = c.id == "coordinators"
                var v = rng.uniform(c.range.lowerBound, c.range.upperBound)
                v = integral ? v.rounded(.down) : (v * 10).rounded() / 10
                let missing = o.messy && rng.chance(0.03)
                context[m.code, default: [:]][c.id] = missing ? nil : v
                if rng.chance(0.2) {
                    // Last year's figure too: the カルテ shows the latest.
                    ctxRows.append([
                        m.code, c.id, c.label, c.unit, formatNumber((v * 9.7).rounded() / 10), olderYear, c.source,
                    ])
                }
                let shown =
                    missing
                    ? rng.pick(["－", "不明", ""])
                    : o.messy && rng.chance(0.1) ? fullWidth(formatNumber(v)) : formatNumber(v)
                ctxRows.append([
                    o.messy && rng.chance(0.1) ? String(m.code.prefix(5)) : m.code, c.id, c.label, c.unit, shown,
                    contextYear, c.source,
                ])
                if !missing {
                    sum += v
                    n += 1
                }
            }
            ctxRows.append([
                pref, c.id, c.label, c.unit, formatNumber((sum / max(n, 1) * 10).rounded() / 10), contextYear, c.source,
            ])
        }
        if o.messy, let m = ms.first {
            ctxRows.append([m.code, "certification rate", "認定率", "%", "18", contextYear, "見える化"])
            broken.append(BrokenLine(file: "context.csv", line: physicalLine(ctxRows), rule: .invalidID))
            ctxRows.append([m.code, "benefit_per_capita", "第1号被保険者1人あたり給付月額", "円", "多い", contextYear, "見える化"])
            broken.append(BrokenLine(file: "context.csv", line: physicalLine(ctxRows), rule: .notANumber))
        }
        try AtomicFile.write(
            try CSVWriter.encode(ctxRows, options: CSVWriteOptions(encoding: .cp932, newline: .crlf)),
            to: folder.appending("context.csv"))

        // Self-assessments: a maturity per municipality, so that stages differ; some answer nothing.
        var answers: [String: [String: (score: Int, comment: String)]] = [:]
        var unanswered: [String] = []
        var first = [["市区町村コード", "項目ID", "評価", "回答日", "コメント"]]
        var second = first
        let subjective = items.filter { $0.kind == .subjective }
        for (k, m) in ms.enumerated() {
            if k % 12 == 5 {
                unanswered.append(m.code)
                continue
            }
            // Each municipality's own pace, the same in every wave's files, a little further each year.
            let base =
                Double(m.code.unicodeScalars.reduce(7) { ($0 * 31 + Int($1.value)) % 9973 } % 1000) / 1000 * 2.6 + 0.5
            let maturity = base + 0.35 * Double(year - 2023) + rng.uniform(-0.3, 0.3)
            for item in subjective {
                // Skipped items stay 未回答: never counted as 0.
                if rng.chance(0.06) { continue }
                let mean = maturity - Double(item.stage.rawValue - 1) * 0.7 + 1
                let score = max(1, min(4, Int((mean + rng.uniform(-0.9, 0.9)).rounded())))
                // Each comment names its place, so a test can tell whose it is.
                let picked = rng.pick(roadmapComments)
                let comment = picked.isEmpty ? "" : "\(m.name)：\(picked)"
                let scoreText =
                    o.messy && rng.chance(0.2)
                    ? Categories.selfAssessment[String(score)]!
                    : o.messy && rng.chance(0.1) ? fullWidth(String(score)) : String(score)
                let date = Day(year: year, month: 7, day: 1 + rng.int(0...27))!
                if o.messy && rng.chance(0.05) {
                    // A first answer corrected later in the second file: the later one wins.
                    let old = max(1, score - 1)
                    first.append([m.code, item.id, String(old), messyDate(date, &rng, messy: true), "（仮）"])
                    let later = Day(year: year, month: 8, day: 1 + rng.int(0...27))!
                    second.append([m.code, item.id, scoreText, messyDate(later, &rng, messy: o.messy), comment])
                    broken.append(
                        BrokenLine(file: "self_assessment_1.csv", line: physicalLine(first), rule: .duplicate))
                } else {
                    first.append([m.code, item.id, scoreText, messyDate(date, &rng, messy: o.messy), comment])
                }
                answers[m.code, default: [:]][item.id] = (
                    score, comment.replacingOccurrences(of: "＜", with: "<").replacingOccurrences(of: "＞", with: ">")
                )
            }
        }
        if o.messy, let m = ms.first(where: { !unanswered.contains($0.code) }) {
            first.append([m.code, "XX-9z", "3", "\(year)/7/10", ""])
            broken.append(BrokenLine(file: "self_assessment_1.csv", line: physicalLine(first), rule: .unknownItem))
            first.append([m.code, "HR-1b", "4", "\(year)/7/10", "回答率は把握済み"])
            broken.append(
                BrokenLine(file: "self_assessment_1.csv", line: physicalLine(first), rule: .objectiveItemAnswered))
            second.append([m.code, "HR-1a", "とても良い", "\(year)/8/10", ""])
            broken.append(BrokenLine(file: "self_assessment_2.csv", line: physicalLine(second), rule: .invalidCategory))
        }
        try AtomicFile.write(
            try CSVWriter.encode(first, options: CSVWriteOptions(encoding: .cp932, newline: .crlf)),
            to: folder.appending("self_assessment_1.csv"))
        try AtomicFile.write(
            try CSVWriter.encode(second, options: CSVWriteOptions(encoding: .utf8BOM, newline: .crlf)),
            to: folder.appending("self_assessment_2.csv"))
        return SynthRoadmapTruth(
            items: items, answers: answers, unanswered: unanswered, context: context, broken: broken.sorted())
    }

    /// The physical line the last row starts on (comments with line breaks span several).
    static func physicalLine(_ rows: [[String]]) -> Int {
        1 + rows.dropLast().reduce(0) { $0 + 1 + $1.reduce(0) { $0 + $1.filter { $0 == "\n" }.count } }
    }

    /// ASCII digits and the point as full-width characters (`１２.５` as typed in a Japanese IME).
    static func fullWidth(_ s: String) -> String {
        String(
            s.unicodeScalars.map { u -> Character in
                u.value >= 0x30 && u.value <= 0x39 ? Character(UnicodeScalar(u.value + 0xFEE0)!) : Character(u)
            })
    }
}
