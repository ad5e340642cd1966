import BansoCSV
import BansoCore
import Foundation
import Logging
import SystemPackage

/// Stage clean: normalise, validate, de-duplicate; nothing is lost.
///
/// One file per table: `CleanMaster`, `CleanFrame`, `CleanModelProjects`, `CleanEstablishments`
/// (with de-duplication) and `CleanWorkers`; this file holds what they share and the accounting.
package enum CleanStage: PipelineStage {
    /// What clean reads from the pipeline file.
    package struct Settings: StageSettings {
        /// `prefecture_code`: codes of other prefectures are refused.
        package var prefectureCode: PrefectureCode
        /// `[survey_window]`: answers dated outside it get a warning.
        package var surveyWindow: ClosedRange<Day>?
        /// The wave, and the dates its self-assessments may bear (`[roadmap] answers_from`,
        /// `answers_to`; the wave's 年度 by default): last year's form sent again, or a typo such as
        /// 2031, is not counted for the wave.
        package var wave: Wave
        package var answersWindow: ClosedRange<Day>

        package init(_ c: PipelineConfig) {
            prefectureCode = c.prefectureCode
            surveyWindow = c.surveyWindow
            wave = c.wave
            answersWindow = c.roadmapSettings.answersWindow(wave: c.wave)
        }

        /// The prefecture's own code with check digit.
        var prefectureMunicipalityCode: MunicipalityCode { prefectureCode.municipalityCode }
    }

    package static let name = StageName.clean

    /// Clean reads ingest's report and every canonical copy it lists.
    package static let reads: [RunFileDescriptor] = [RunFiles.ingestFolder]

    package static func run(_ ctx: StageContext, _ settings: Settings) throws -> StageResult {
        var cleaner = try Cleaner(ctx: ctx, settings: settings)
        return try cleaner.run()
    }
}

/// One ingest output being cleaned.
struct SourceFile {
    let report: IngestFileReport
    let order: Int
    var accepted = 0
    var rejected = 0
    var withWarnings = 0
}

/// Rejected rows are counted per municipality, kind of file and rule for the packets.
struct QualityKey: Hashable, Comparable {
    let municipality: MunicipalityCode
    let kind: InputKind
    let rule: Rule

    static func < (a: QualityKey, b: QualityKey) -> Bool {
        (a.municipality, a.kind.rawValue, a.rule.rawValue) < (b.municipality, b.kind.rawValue, b.rule.rawValue)
    }
}

struct Cleaner {
    let ctx: StageContext
    let c: CleanStage.Settings
    var sources: [SourceFile] = []
    var rejects: [Finding] = []
    var warnings: [Finding] = []
    var quality: [QualityKey: Int] = [:]
    var masterCodes: Set<MunicipalityCode> = []
    /// The ids of the context figures (objective items may name them).
    var contextIDs: Set<String> = []
    /// The roadmap's items by id (self-assessments must answer a 主観 one).
    var roadmapItems: [String: RoadmapItem] = [:]

    init(ctx: StageContext, settings: CleanStage.Settings) throws {
        self.ctx = ctx
        self.c = settings
        let report = try RunFiles.ingestReport.read(ctx)
        sources = report.files.enumerated().map { SourceFile(report: $1, order: $0) }
    }

    mutating func run() throws -> StageResult {
        try RunLayout.makeDirectory(ctx.layout.clean, permissions: 0o700)
        try cleanMaster()
        let frame = try cleanFrame()
        try cleanModelProjects()
        let establishments = try cleanEstablishments(frame: indices(of: .frame).isEmpty ? nil : frame)
        try cleanWorkers(establishments: establishments, frame: frame)
        try cleanContext()
        try cleanRoadmapItems()
        try cleanSelfAssessments()
        try cleanSupport()
        try cleanPrefectureComments()
        try cleanOwnItems()
        return try finish()
    }

    /// The sources of one kind that ingest could read.
    func indices(of kind: InputKind) -> [Int] {
        sources.indices.filter { sources[$0].report.kind == kind && sources[$0].report.output != nil }
    }

    /// The path of source `i`'s ingest copy.
    func copyPath(_ i: Int) throws -> FilePath {
        try ctx.checkDeclared(RunFiles.ingestFolder)
        return ctx.layout.ingest.appending(sources[i].report.output!)
    }

    /// The problem of a row with non-empty cells past the header (nil for a normal row).
    static func extraCells(_ extra: String) -> CellProblem? {
        guard !extra.isEmpty else { return nil }
        return CellProblem(
            .extraCells,
            "the row has more cells than the header (extra: \(extra)): an unquoted comma, as in 1,008, shifts every "
                + "later cell; quote such numbers or remove the separator")
    }

    /// Fails the stage when a table every result hangs on (the master, the roadmap's items) has
    /// problems, listing the first 20 with file, line, field, message and rule.
    static func refuse(_ problems: [Finding], _ table: String) throws {
        guard !problems.isEmpty else { return }
        let lines = problems.prefix(20).map {
            "\($0.file):\($0.line): \($0.field): \($0.message) (rule \($0.rule.rawValue))"
        }
        let more = problems.count > lines.count ? "\n  … and \(problems.count - lines.count) more" : ""
        throw StageFailure(.data, "clean: \(table) cannot be used:\n  " + lines.joined(separator: "\n  ") + more)
    }

    /// The checks every row of a small table with a municipality starts with: cells past the
    /// header, then the code (returned, nil when it is not usable).
    func municipalityRow<Field: CanonicalField>(
        _ i: Int, _ cells: IngestRow<Field>, code: Field, known: Set<MunicipalityCode>, into found: inout [Finding]
    ) -> MunicipalityCode? {
        if let p = Cleaner.extraCells(cells.extraCells) {
            found.append(finding(i, line: cells.line, id: "", field: "extra_cells", value: cells.extraCells, p))
        }
        switch Values.municipality(cells[code], known: known) {
        case .success(let m): return m
        case .failure(let p):
            found.append(finding(i, line: cells.line, id: "", field: code.rawValue, value: cells[code], p))
            return nil
        }
    }

    func finding(_ i: Int, line: Int, id: String, field: String, value: String, _ p: CellProblem) -> Finding {
        Finding(
            file: sources[i].report.path, line: line, establishmentID: id, field: field, rule: p.rule, value: value,
            message: p.message, fileOrder: sources[i].order)
    }

    mutating func countQuality(_ municipality: MunicipalityCode?, kind: InputKind, rules: Set<Rule>) {
        guard let m = municipality else { return }
        for r in rules { quality[QualityKey(municipality: m, kind: kind, rule: r), default: 0] += 1 }
    }

    // MARK: outputs

    mutating func finish() throws -> StageResult {
        rejects.sort(by: Finding.fileOrder)
        warnings.sort(by: Finding.fileOrder)
        try RunFiles.rejects.write(rejects, in: ctx.layout)
        try RunFiles.warnings.write(warnings, in: ctx.layout)
        try RunFiles.quality.write(
            quality.keys.sorted().map {
                QualityCount(municipality: $0.municipality, kind: $0.kind, rule: $0.rule, rows: quality[$0]!)
            }, in: ctx.layout)

        var files: [CleanFileReport] = []
        var unbalanced: [String] = []
        for s in sources {
            let r = s.report
            let read = r.rowsRead
            let other = r.titleRowsSkipped + r.noteRowsSkipped
            let balanced = r.status != .ok || read == s.accepted + s.rejected + r.blankRowsSkipped + other
            if !balanced {
                unbalanced.append(
                    "\(r.path): read \(read) ≠ accepted \(s.accepted) + rejected \(s.rejected) + skipped "
                        + "\(r.blankRowsSkipped) blank and \(other) title or note rows")
            }
            var report = CleanFileReport(
                path: r.path, kind: r.kind, status: r.status == .ok ? .ok : .rejectedWhole, rowsRead: read,
                accepted: s.accepted, rejected: s.rejected, blankRowsSkipped: r.blankRowsSkipped,
                rowsWithWarnings: s.withWarnings, balanced: balanced)
            report.otherRowsSkipped = other
            files.append(report)
        }
        var byRule: [String: Int] = [:]
        for f in rejects { byRule[f.rule.rawValue, default: 0] += 1 }
        var warnByRule: [String: Int] = [:]
        for f in warnings { warnByRule[f.rule.rawValue, default: 0] += 1 }
        try RunFiles.cleanReport.write(
            CleanReport(files: files, rejectsByRule: byRule, warningsByRule: warnByRule), in: ctx.layout)
        if !unbalanced.isEmpty {
            throw StageFailure(
                .internal, "clean: rows were lost (a bug; please report it):\n  " + unbalanced.joined(separator: "\n  ")
            )
        }
        let accepted = sources.reduce(0) { $0 + $1.accepted }
        let rejected = sources.reduce(0) { $0 + $1.rejected }
        ctx.logger.info(
            "\(accepted) rows accepted, \(rejected) rejected (\(rejects.count) findings), \(warnings.count) warnings")
        return StageResult(counts: ["accepted": accepted, "rejected": rejected, "warnings": warnings.count])
    }
}
