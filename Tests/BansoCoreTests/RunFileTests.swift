import BansoCore
import BansoTestSupport
import Foundation
import Testing

@Suite("typed run files")
struct RunFileTests {
    let layout: RunLayout = {
        let root = TestSupport.temporaryFolder("banso-runfiles")
        for folder in ["clean", "internal", "aggregate", "peers", "feedback"] {
            try! FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        return RunLayout(root: root)
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

    @Test("a file with other columns is refused, naming the file and both headers")
    func header() throws {
        TestSupport.write("municipality_code,name\n202011,長野市\n", to: RunFiles.master.path(in: layout))
        let error = #expect(throws: StageFailure.self) { try RunFiles.master.read(in: layout) }
        #expect(
            error?.message.contains("clean/master.csv: columns are municipality_code,name, expected municipality_code")
                == true)
    }

    @Test("a malformed cell names file, line and column")
    func malformed() throws {
        let header = IndicatorRow.Column.header.joined(separator: ",")
        TestSupport.write(
            header + "\n2025,202011,長野市,turnover_rate,abc,,,5,,,false,\n", to: RunFiles.indicators.path(in: layout))
        let error = #expect(throws: StageFailure.self) { try RunFiles.indicators.read(in: layout) }
        #expect(error?.message.contains("line 2, column value: \"abc\" is not a number") == true)
        TestSupport.write(
            header + "\n2025,202011,長野市,turnover_ratio,1,,,5,,,false,\n", to: RunFiles.indicators.path(in: layout))
        let unknown = #expect(throws: StageFailure.self) { try RunFiles.indicators.read(in: layout) }
        #expect(unknown?.message.contains("column indicator: \"turnover_ratio\"") == true)
    }

    @Test("a stage reading a file it did not declare fails: the runner would not see it change")
    func declared() throws {
        try RunFiles.master.write([], in: layout)
        let config = try generatedConfig()
        let ctx = TestSupport.context(config, layout: layout, root: layout.root, reads: [RunFiles.groups])
        let error = #expect(throws: StageFailure.self) { try RunFiles.master.read(ctx) }
        #expect(error?.kind == .internal)
        #expect(error?.message.contains("clean/master.csv is read without being declared") == true)
        let allowed = TestSupport.context(config, layout: layout, root: layout.root, reads: [RunFiles.master])
        #expect(try RunFiles.master.read(allowed).isEmpty)
        let folder = TestSupport.context(config, layout: layout, root: layout.root, reads: [RunFolder("clean")])
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
            ])
    }
}
