import BansoCore
import BansoTestSupport
import Foundation
import SystemPackage
import Testing

@Suite("typed run files")
struct RunFileTests {
    let layout: RunLayout = {
        let root = TestSupport.temporaryFolder("banso-runfiles")
        for folder in ["clean", "internal", "aggregate", "peers", "feedback"] {
            try! FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        return RunLayout(root: FilePath(root))
    }()

    @Test("every row type reads back what it wrote, with quotes, commas and line breaks in text")
    func roundTrips() throws {
        let master = [
            MasterEntry(
                code: "202011", name: "長野市", population: 370000, aged65: 110000, aged75: 60000, area: 834.81,
                email: "a,b@example.lg.jp")
        ]
        try RunFiles.master.write(master, in: layout)
        #expect(try RunFiles.master.read(in: layout) == master)

        var indicator = IndicatorRow(
            wave: "2025", code: "202011", name: "長野市", indicator: .turnoverRate,
            estimate: Estimate(value: 12.345678901, numerator: 10, denominator: 81, n: 7, ciLow: 9.5, ciHigh: 15))
        indicator.suppressed = true
        indicator.rule = .secondary
        try RunFiles.internalIndicators.write([indicator], in: layout)
        #expect(try RunFiles.internalIndicators.read(in: layout) == [indicator])
        try RunFiles.indicators.write([indicator.published], in: layout)
        let published = try RunFiles.indicators.read(in: layout)[0]
        #expect(published.estimate == Estimate(n: 7) && published.suppressed && published.rule == .secondary)

        let finding = Finding(
            file: "a.csv", line: 3, establishmentID: "2010001007", field: "comment", rule: .duplicate,
            value: "\"引用\", 改行\nあり", message: "m")
        try RunFiles.rejects.write([finding], in: layout)
        #expect(try RunFiles.rejects.read(in: layout) == [finding])

        let neighbour = NeighbourRow(
            code: "202011", name: "長野市", order: 1, neighbourCode: "202029", neighbourName: "松本市",
            distance: 0.25, similarity: 0.9, closestFeatures: [.logDensity, .turnoverRate], sameGroup: true)
        try RunFiles.neighbours.write([neighbour], in: layout)
        #expect(try RunFiles.neighbours.read(in: layout) == [neighbour])

        let feature = FeatureRow(
            code: "202011", name: "長野市", raw: [1, nil, 3, 4, 5, 6, nil], z: [0.5, 0, 1, -1, 2, 0.25, 0])
        try RunFiles.features.write([feature], in: layout)
        #expect(try RunFiles.features.read(in: layout) == [feature])
        #expect(feature.imputed == [.aged65Share, .shortageShare])

        let feedback = FeedbackRow(
            code: "202011", name: "長野市", indicator: .hiringRate, value: 3, ciLow: 1, ciHigh: 5, n: 4,
            suppressed: false, rule: nil, prefectureValue: 4, group: 2, groupLabel: "人口大規模",
            peerMedian: 4, peerQ1: 3.5, peerQ3: 4.5, peerN: 5, quartile: 1, flag: .concern, comment: "c")
        try RunFiles.summary.write([feedback], in: layout)
        #expect(try RunFiles.summary.read(in: layout) == [feedback])
        let quality = QualityCount(municipality: "202011", kind: .workers, rule: .outOfRange, rows: 3)
        try RunFiles.quality.write([quality], in: layout)
        #expect(try RunFiles.quality.read(in: layout) == [quality])
    }

    /// Writes rows through their descriptor and reads them back (the folder is made when missing).
    func roundTrip<Row: RunFileRow & Equatable>(_ file: CSVRunFile<Row>, _ rows: [Row]) throws -> [Row] {
        try FileManager.default.createDirectory(
            atPath: file.path(in: layout).removingLastComponent().string, withIntermediateDirectories: true)
        try file.write(rows, in: layout)
        return try file.read(in: layout)
    }

    @Test("every Codable row reads back what it wrote: optionals, vocabularies, lists, thresholds")
    func codableRoundTrips() throws {
        let frame = [FrameEntry(establishmentID: "2010001007", municipality: "202011", serviceType: "通所介護")]
        #expect(try roundTrip(RunFiles.frame, frame) == frame)
        let projects = [
            ModelProject(municipality: "202011", name: "ICT導入", theme: "生産性;向上", fiscalYear: "令和6年度", summary: "a\nb")
        ]
        #expect(try roundTrip(RunFiles.modelProjects, projects) == projects)
        let k = [
            KSelectionRow(k: 3, meanSilhouette: nil, chosen: false),
            KSelectionRow(k: 4, meanSilhouette: 0.41, chosen: true),
        ]
        #expect(try roundTrip(RunFiles.kSelection, k) == k)
        let groups = [PeerGroupRow(code: "202011", name: "長野市", group: 2, label: "人口大規模", size: 9)]
        #expect(try roundTrip(RunFiles.groups, groups) == groups)
        let noFeatures = [
            NeighbourRow(
                code: "202011", name: "長野市", order: 2, neighbourCode: "202029", neighbourName: "松本市", distance: 1,
                similarity: 0.5, closestFeatures: [], sameGroup: false)
        ]
        #expect(try roundTrip(RunFiles.neighbours, noFeatures) == noFeatures)
        let rollout = [
            RolloutRow(
                projectMunicipality: "202011", projectName: "p", theme: "t", order: 1, candidateCode: "202029",
                candidateName: "松本市", sameGroup: true, distance: 0.5, similarity: 0.75, reason: "同じグループ")
        ]
        #expect(try roundTrip(RunFiles.rollout, rollout) == rollout)
        let suggestions = [
            SuggestionRow(
                code: "202029", projectMunicipality: "202011", projectMunicipalityName: "長野市", projectName: "p",
                theme: "t", fiscalYear: "2024", relation: "近隣", distance: 0.5, summary: "s")
        ]
        #expect(try roundTrip(RunFiles.suggestions, suggestions) == suggestions)
        let trends = [
            TrendRow(
                code: "202011", indicator: .turnoverRate, wave: "2024", value: nil, ciLow: nil, ciHigh: nil,
                suppressed: true)
        ]
        #expect(try roundTrip(RunFiles.trends, trends) == trends)
        let items = [
            RoadmapItem(
                id: "HR-1b", area: "介護人材", stage: .assess, label: "回答率", kind: .objective,
                measure: .indicator(.responseRate), threshold: RoadmapThreshold(.atLeast, 50)),
            RoadmapItem(
                id: "PR-1b", area: "介護予防", stage: .assess, label: "通いの場", kind: .objective,
                measure: .context("kayoi_participation"), threshold: RoadmapThreshold(.atLeast, 5)),
            RoadmapItem(id: "HR-1a", area: "介護人材", stage: .assess, label: "把握", kind: .subjective),
        ]
        #expect(try roundTrip(RunFiles.roadmapItems, items) == items)
        let context = [
            ContextFigure(
                municipality: "202011", id: "certification_rate", label: "認定率", unit: "%", value: nil, year: "令和6年度",
                source: "見える化")
        ]
        #expect(try roundTrip(RunFiles.context, context) == context)
        let results = [
            RoadmapItemResult(
                municipality: "202011", item: "HR-1b", area: "介護人材", stage: .share, kind: .objective, value: 61.5,
                judgement: .notMet),
            RoadmapItemResult(
                municipality: "202011", item: "HR-1a", area: "介護人材", stage: .assess, kind: .subjective, score: 3,
                comment: "検討中"),
        ]
        #expect(try roundTrip(RunFiles.roadmapResults, results) == results)
        let previous = [
            RoadmapPreviousRow(wave: "2024", municipality: "202011", area: "介護人材", reached: 1, answered: true)
        ]
        #expect(try roundTrip(RunFiles.roadmapPrevious, previous) == previous)
        // Written as the hand-written writers did: digits, formatNumber, true/false, raw values, `;`.
        #expect(k[1].cells == ["4", "0.41", "true"])
        #expect(items[0].cells == ["HR-1b", "介護人材", "1", "回答率", "客観", "response_rate", ">= 50"])
        #expect(
            NeighbourRow(
                code: "202011", name: "b", order: 1, neighbourCode: "202029", neighbourName: "d", distance: 2,
                similarity: 0.5, closestFeatures: [.logDensity, .turnoverRate], sameGroup: true
            ).cells == ["202011", "b", "1", "202029", "d", "2", "0.5", "log_density;turnover_rate", "true"])
    }

    @Test("rows whose columns are not their properties read back what they wrote, by column name")
    func writtenOutRoundTrips() throws {
        let answers = [
            SelfAssessment(
                municipality: "202011", item: "HR-1a", score: 4, date: Day.iso("2025-07-01")!, comment: "研修, 実施",
                sourceFile: "self.csv", sourceLine: 3)
        ]
        #expect(try roundTrip(RunFiles.selfAssessments, answers) == answers)
        #expect(answers[0].cells == ["202011", "HR-1a", "4", "2025-07-01", "研修, 実施", "self.csv", "3"])
        // 対象外 is written as such and read back as no score.
        let notApplicable = [
            SelfAssessment(municipality: "202011", item: "HR-2a", score: nil, date: Day.iso("2025-07-01")!, comment: "")
        ]
        #expect(try roundTrip(RunFiles.selfAssessments, notApplicable) == notApplicable)
        #expect(notApplicable[0].cells[2] == "対象外")
        let stages = [
            RoadmapStageResult(
                municipality: "202011", area: "介護人材", stage: .share, selfScore: 2.5, selfAnswered: 2, selfItems: 3,
                objectiveAchieved: 1, objectiveItems: 2, objectiveAssessable: 2, achieved: false, reached: 1)
        ]
        #expect(try roundTrip(RunFiles.roadmapStages, stages) == stages)
        // The mean score with two digits; the columns in the header's order, not the properties'.
        #expect(stages[0].cells == ["202011", "介護人材", "2", "2.50", "2", "3", "1", "2", "false", "1", "2"])
        let overview = [
            RoadmapOverviewRow(
                area: "介護人材", stage: .assess, municipalities: 3, achieved: 1, answered: 0, achievedAnswered: 0,
                targetShare: 0.5, targetBy: "令和8年度")
        ]
        #expect(try roundTrip(RunFiles.roadmapOverview, overview) == overview)
        // The shares follow from the counts: written for readers with four digits, empty when undefined.
        #expect(overview[0].cells == ["介護人材", "1", "3", "1", "0.3333", "0", "0", "", "0.5", "令和8年度"])
        var karte = KarteRow(
            figure: ContextFigure(
                municipality: "202011", id: "certification_rate", label: "認定率", unit: "%", value: 18.5,
                year: "令和6年度", source: "見える化"))
        karte.prefectureValue = 17
        karte.municipalities = 77
        karte.prefecture = Quartiles(q1: 15, median: 17, q3: 19)
        karte.quartile = 3
        karte.peerCount = 2
        #expect(try roundTrip(RunFiles.karte, [karte]) == [karte])
        #expect(
            karte.cells == [
                "202011", "certification_rate", "認定率", "%", "18.5", "令和6年度", "見える化", "17", "77", "15", "17", "19",
                "3", "2", "", "", "",
            ])
        let context = [
            ContextFeatureRow(code: "202011", id: "home_death_rate", raw: nil, z: 0),
            ContextFeatureRow(code: "202029", id: "home_death_rate", raw: 12.5, z: -0.75),
        ]
        #expect(try roundTrip(RunFiles.contextFeatures, context) == context)
        #expect(context.map(\.cells.last) == ["true", "false"])
    }

    @Test(
        "a self-assessment's score and date are checked where they are read",
        arguments: [
            ("202011,HR-1a,5,2025-07-01,,s.csv,2", "column score: \"5\" is not a score from 1 to 4 or 対象外"),
            ("202011,HR-1a,3,令和7年7月1日,,s.csv,2", "column response_date: \"令和7年7月1日\" is not a date YYYY-MM-DD"),
            ("202012,HR-1a,3,2025-07-01,,s.csv,2", "column municipality_code: \"202012\" is not a 6-digit"),
        ])
    func selfAssessmentMalformed(_ line: String, _ message: String) throws {
        let path = RunFiles.selfAssessments.path(in: layout)
        TestSupport.write(SelfAssessment.Column.header.joined(separator: ",") + "\n" + line + "\n", to: path)
        let error = #expect(throws: StageFailure.self) { try RunFiles.selfAssessments.read(in: layout) }
        #expect(
            error?.description.contains("clean/self_assessments.csv line 2, " + message) == true,
            "\(error?.description ?? "")")
    }

    @Test(
        "a malformed cell of a Codable row names file, line, column and what it should hold",
        arguments: [
            ("HR-1,介護人材,4,x,主観,,", "column stage: \"4\" is not a stage 1, 2 or 3"),
            ("HR-1,介護人材,一,x,主観,,", "column stage: \"一\" is not a stage 1, 2 or 3"),
            ("HR-1,介護人材,1,x,観察,,", "column kind: \"観察\" is not 主観, 客観 or 見守り"),
            (
                "HR-1,介護人材,1,x,客観,response_rate,about 50",
                "column threshold: \"about 50\" is not a threshold such as >= 50"
            ),
        ])
    func codableMalformed(_ line: String, _ message: String) throws {
        let path = RunFiles.roadmapItems.path(in: layout)
        TestSupport.write(RoadmapItem.Column.header.joined(separator: ",") + "\n" + line + "\n", to: path)
        let error = #expect(throws: StageFailure.self) { try RunFiles.roadmapItems.read(in: layout) }
        #expect(
            error?.description.contains("clean/roadmap_items.csv line 2, " + message) == true,
            "\(error?.description ?? "")")
    }

    @Test("a file with other columns is refused, naming the file and both headers")
    func header() throws {
        TestSupport.write("municipality_code,name\n202011,長野市\n", to: RunFiles.master.path(in: layout))
        let error = #expect(throws: StageFailure.self) { try RunFiles.master.read(in: layout) }
        #expect(
            error?.description.contains(
                "clean/master.csv: columns are municipality_code,name, expected municipality_code") == true)
        #expect(error?.location == .init(file: RunFiles.master.path(in: layout)))
    }

    @Test("a malformed cell names file, line and column")
    func malformed() throws {
        let header = IndicatorRow.Column.header.joined(separator: ",")
        TestSupport.write(
            header + "\n2025,202011,長野市,turnover_rate,abc,,,5,,,false,\n", to: RunFiles.indicators.path(in: layout))
        let error = #expect(throws: StageFailure.self) { try RunFiles.indicators.read(in: layout) }
        #expect(error?.description.contains("line 2, column value: \"abc\" is not a number") == true)
        // The place is kept apart from the message until it is shown.
        #expect(error?.location == .init(file: RunFiles.indicators.path(in: layout), line: 2, field: "value"))
        #expect(error?.message.hasPrefix("\"abc\" is not a number") == true)
        TestSupport.write(
            header + "\n2025,202011,長野市,turnover_ratio,1,,,5,,,false,\n", to: RunFiles.indicators.path(in: layout))
        let unknown = #expect(throws: StageFailure.self) { try RunFiles.indicators.read(in: layout) }
        #expect(unknown?.description.contains("column indicator: \"turnover_ratio\"") == true)
        var cells = IndicatorRow(
            wave: "2025", code: "202011", name: "長野市", indicator: .turnoverRate, estimate: Estimate(value: 1, n: 5)
        ).cells
        cells[1] = "202012"  // the check digit should be 1
        TestSupport.write(header + "\n" + cells.joined(separator: ",") + "\n", to: RunFiles.indicators.path(in: layout))
        let code = #expect(throws: StageFailure.self) { try RunFiles.indicators.read(in: layout) }
        #expect(
            code?.description.contains(
                "line 2, column municipality_code: \"202012\" is not a 6-digit municipality code with its check digit")
                == true, "\(code?.description ?? "")")
    }

    @Test("a stage reading a file it did not declare fails: the runner would not see it change")
    func declared() throws {
        try RunFiles.master.write([], in: layout)
        let config = try generatedConfig()
        let ctx = TestSupport.context(config, layout: layout, root: layout.root.string, reads: [RunFiles.groups])
        let error = #expect(throws: StageFailure.self) { try RunFiles.master.read(ctx) }
        #expect(error?.kind == .internal)
        #expect(error?.description.contains("clean/master.csv is read without being declared") == true)
        let allowed = TestSupport.context(config, layout: layout, root: layout.root.string, reads: [RunFiles.master])
        #expect(try RunFiles.master.read(allowed).isEmpty)
        let folder = TestSupport.context(config, layout: layout, root: layout.root.string, reads: [RunFolder("clean")])
        #expect(throws: Never.self) { try folder.checkDeclared(RunFiles.master) }
    }

    /// A minimal valid pipeline file.
    func generatedConfig() throws -> PipelineConfig {
        let root = TestSupport.temporaryFolder("banso-config")
        TestSupport.write("", to: root + "/in/m.csv")
        TestSupport.write("", to: root + "/in/e.csv")
        TestSupport.write(
            """
            name = "t"
            wave = "2025"
            prefecture_code = "20"
            output = "out"
            input = "in"
            [inputs]
            master = "m.csv"
            [inputs.establishments]
            paths = ["e.csv"]
            """, to: root + "/p.toml")
        return try PipelineConfig.load(path: root + "/p.toml")
    }
}

@Suite("vocabularies")
struct VocabularyTests {
    @Test("identifiers are unique and snake_case; every indicator has its words")
    func indicators() {
        #expect(Set(Indicator.allCases.map(\.rawValue)).count == Indicator.allCases.count)
        for i in Indicator.allCases {
            #expect(i.rawValue.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" })
            #expect(!i.japanese.isEmpty && !i.definition.isEmpty && !i.unit.isEmpty)
        }
        #expect(Indicator.fileOrder.map(\.rawValue) == Indicator.allCases.map(\.rawValue).sorted())
    }

    @Test("the clean establishment file has the ingest copy's columns; count fields are establishment fields")
    func columns() {
        #expect(CleanEstablishmentColumn.header == ingestCopyHeader(.establishments).filter { $0 != "extra_cells" })
        for f in CountField.allCases { #expect(CleanEstablishmentColumn.count(f).rawValue == f.field.rawValue) }
        #expect(Set(CleanWorkerColumn.header).subtracting(ingestCopyHeader(.workers)) == ["municipality_code"])
    }

    @Test("every rule has a Japanese label and warnings are the documented ones")
    func rules() {
        for r in Rule.allCases { #expect(!r.japanese.isEmpty) }
        #expect(
            Set(Rule.allCases.filter { $0.severity == .warning }.map(\.rawValue)) == [
                "unknown_service_type", "outside_survey_window", "staff_balance", "certified_exceeds_care_staff",
                "aged_60_exceeds_staff", "foreign_exceeds_staff", "wage_out_of_range", "wage_in_man", "not_in_frame",
                "unit_converted",
            ])
    }
}
