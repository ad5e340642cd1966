import BansoCSV
import BansoCore
import BansoIngest
import Foundation

/// Row accounting for one input file: read = accepted + rejected + blank rows skipped.
public struct CleanFileReport: Codable, Sendable, Equatable {
    public var path: String
    public var kind: String
    public var status: String
    public var rowsRead: Int
    public var accepted: Int
    public var rejected: Int
    public var blankRowsSkipped: Int
    public var rowsWithWarnings: Int
    public var balanced: Bool

    enum CodingKeys: String, CodingKey {
        case path, kind, status, accepted, rejected, balanced
        case rowsRead = "rows_read", blankRowsSkipped = "blank_rows_skipped", rowsWithWarnings = "rows_with_warnings"
    }
}

/// `clean/report.json`.
public struct CleanReport: Codable, Sendable {
    public var files: [CleanFileReport]
    /// Rule → number of findings (one row may have several).
    public var rejectsByRule: [String: Int]
    public var warningsByRule: [String: Int]

    enum CodingKeys: String, CodingKey {
        case files
        case rejectsByRule = "rejects_by_rule", warningsByRule = "warnings_by_rule"
    }
}

/// The canonical, typed columns clean writes.
public enum CleanColumns {
    public static let countFields = FieldSpec.establishmentCounts
    public static let establishments = ["source_file", "source_line", "establishment_id", "establishment_name",
                                        "municipality_code", "service_type", "response_date"]
        + countFields + ["shortage_perception", "comment"]
    public static let workers = ["source_file", "source_line", "establishment_id", "municipality_code", "occupation",
                                 "employment_type", "sex", "age", "tenure_years", "monthly_wage", "intention_to_continue"]
    public static let master = ["municipality_code", "municipality_name", "population", "population_65_plus",
                                "population_75_plus", "area_km2", "contact_email"]
    public static let frame = ["establishment_id", "municipality_code", "service_type"]
    public static let modelProjects = ["municipality_code", "project_name", "theme", "fiscal_year", "summary"]
    /// Rejected rows per municipality and rule (feeds the packets' data-quality section).
    public static let quality = ["municipality_code", "kind", "rule", "rows"]
}

/// Stage clean: normalise, validate, de-duplicate; nothing is lost.
public enum CleanStage {
    public static func parameters(_ c: PipelineConfig) -> [String: String] {
        ["prefecture_code": c.prefectureCode,
         "survey_window": c.surveyWindow.map { "\($0.lowerBound)..\($0.upperBound)" } ?? ""]
    }

    public static func run(_ ctx: StageContext) throws -> StageResult {
        var cleaner = try Cleaner(ctx: ctx)
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

/// Master data the survey rows are checked against.
struct Master {
    var codes: Set<String> = []
}

/// An establishment row that passed its own checks, waiting for de-duplication.
struct EstablishmentRow: Sendable {
    let sourceIndex: Int
    let line: Int
    let id: String
    let date: Day
    /// The row as it will be written (UTF-8 CSV bytes): compact while de-duplication waits.
    let encoded: [UInt8]
    let municipality: String
    let warnings: [Finding]
}

struct Cleaner {
    let ctx: StageContext
    let c: PipelineConfig
    var sources: [SourceFile] = []
    var rejects: [Finding] = []
    var warnings: [Finding] = []
    /// (municipality, kind, rule) → rejected rows.
    var quality: [String: Int] = [:]
    var masterCodes: Set<String> = []

    init(ctx: StageContext) throws {
        self.ctx = ctx
        self.c = ctx.config
        let report = try IngestReport.load(from: ctx.layout)
        sources = report.files.enumerated().map { SourceFile(report: $1, order: $0) }
    }

    var dir: String { ctx.layout.clean }

    mutating func run() throws -> StageResult {
        try RunLayout.makeDirectory(dir, permissions: 0o700)
        try cleanMaster()
        let frame = try cleanFrame()
        try cleanModelProjects()
        let establishments = try cleanEstablishments()
        try cleanWorkers(establishments: establishments, frame: frame)
        return try finish()
    }

    // MARK: shared

    func indices(of kind: InputKind) -> [Int] {
        sources.indices.filter { sources[$0].report.kind == kind.rawValue && sources[$0].report.output != nil }
    }

    /// Reads the (small) ingest output of source `i` whole: master, frame, model projects.
    func table(_ i: Int) throws -> CSVTable {
        try CSVTable.read(ctx.layout.ingest + "/" + sources[i].report.output!)
    }

    mutating func finding(_ i: Int, line: Int, id: String, field: String, value: String, _ p: CellProblem) -> Finding {
        Finding(file: sources[i].report.path, line: line, establishmentID: id, field: field, rule: p.rule,
                value: value, message: p.message, fileOrder: sources[i].order)
    }

    mutating func countQuality(_ municipality: String?, kind: InputKind, rules: Set<Rule>) {
        guard let m = municipality else { return }
        for r in rules { quality["\(m)|\(kind.rawValue)|\(r.rawValue)", default: 0] += 1 }
    }

    // MARK: master

    mutating func cleanMaster() throws {
        var rows: [[String]] = []
        var problems: [String] = []
        var seen: [String: Int] = [:]
        for i in indices(of: .master) {
            let file = sources[i].report.path
            let t = try table(i)
            for cells in t.rows {
                func cell(_ f: String) -> String { t.value(cells, f) }
                let line = Int(cell("source_line")) ?? 0
                var row: [String] = []
                switch Values.municipality(cell("municipality_code"), known: nil) {
                case .failure(let p): problems.append("\(file):\(line): \(p.message)")
                case .success(let code):
                    if !code.hasPrefix(c.prefectureCode) {
                        problems.append("\(file):\(line): 市区町村コード \(code) belongs to prefecture \(code.prefix(2)), not \(c.prefectureCode) (rule wrong_prefecture)")
                    }
                    if let other = seen[code] {
                        problems.append("\(file):\(line): 市区町村コード \(code) appears again (first on line \(other)); each municipality must be listed once")
                    }
                    seen[code] = line
                    row.append(code)
                }
                let name = Normalize.value(cell("municipality_name"))
                if name.isEmpty { problems.append("\(file):\(line): 市区町村名 is empty") }
                row.append(name)
                for f in ["population", "population_65_plus", "population_75_plus"] {
                    switch Values.count(Array(cell(f).utf8)[...], label: f) {
                    case .success(let v?): row.append(formatNumber(v))
                    case .success(nil): problems.append("\(file):\(line): \(f) is missing; populations are required in the master"); row.append("")
                    case .failure(let p): problems.append("\(file):\(line): \(p.message)"); row.append("")
                    }
                }
                switch Values.decimal(Array(cell("area_km2").utf8)[...], label: "面積") {
                case .success(let v?) where v > 0: row.append(formatNumber(v))
                case .failure(let p): problems.append("\(file):\(line): \(p.message)"); row.append("")
                default: problems.append("\(file):\(line): 面積 must be a positive number of km²"); row.append("")
                }
                row.append(Normalize.value(cell("contact_email")))
                if row.count == CleanColumns.master.count { rows.append(row) }
            }
            sources[i].accepted = t.rows.count
        }
        if !problems.isEmpty {
            throw StageFailure(.data, "clean: the municipality master cannot be used:\n  " + problems.prefix(20).joined(separator: "\n  "))
        }
        guard !rows.isEmpty else { throw StageFailure(.data, "clean: the municipality master has no rows") }
        rows.sort { $0[0] < $1[0] }
        masterCodes = Set(rows.map { $0[0] })
        try CSVTable.write(dir + "/master.csv", header: CleanColumns.master, rows: rows, permissions: 0o600)
    }

    // MARK: frame

    /// Returns establishment id → municipality code for the frame's accepted rows.
    mutating func cleanFrame() throws -> [String: String] {
        var byID: [String: String] = [:]
        var rows: [[String]] = []
        for i in indices(of: .frame) {
            let t = try table(i)
            for cells in t.rows {
                func cell(_ f: String) -> String { t.value(cells, f) }
                let line = Int(cell("source_line")) ?? 0
                var found: [Finding] = []
                let idRaw = cell("establishment_id")
                var id = Normalize.value(idRaw)
                if Values.isMissing(Array(idRaw.utf8)[...]) {
                    found.append(finding(i, line: line, id: "", field: "establishment_id", value: idRaw, CellProblem(.required, "事業所番号 is required")))
                } else {
                    switch Values.establishmentID(idRaw, prefecture: c.prefectureCode) {
                    case .success(let v): id = v
                    case .failure(let p): found.append(finding(i, line: line, id: id, field: "establishment_id", value: idRaw, p))
                    }
                }
                var muni = ""
                switch Values.municipality(cell("municipality_code"), known: masterCodes) {
                case .success(let m): muni = m
                case .failure(let p): found.append(finding(i, line: line, id: id, field: "municipality_code", value: cell("municipality_code"), p))
                }
                let st = Values.serviceType(cell("service_type"))
                if let p = st.problem, p.rule.severity == .error {
                    found.append(finding(i, line: line, id: id, field: "service_type", value: cell("service_type"), p))
                }
                if found.isEmpty, byID[id] != nil {
                    found.append(finding(i, line: line, id: id, field: "establishment_id", value: idRaw,
                                         CellProblem(.duplicate, "事業所番号 \(id): listed twice in the frame; the first listing is kept")))
                }
                if found.isEmpty {
                    byID[id] = muni
                    rows.append([id, muni, st.code ?? ""])
                    sources[i].accepted += 1
                } else {
                    rejects += found
                    sources[i].rejected += 1
                }
            }
        }
        if !indices(of: .frame).isEmpty {
            try CSVTable.write(dir + "/frame.csv", header: CleanColumns.frame, rows: rows, permissions: 0o600)
        }
        return byID
    }

    // MARK: model projects

    mutating func cleanModelProjects() throws {
        var rows: [[String]] = []
        for i in indices(of: .modelProjects) {
            let t = try table(i)
            for cells in t.rows {
                func cell(_ f: String) -> String { t.value(cells, f) }
                let line = Int(cell("source_line")) ?? 0
                var found: [Finding] = []
                var muni = ""
                switch Values.municipality(cell("municipality_code"), known: masterCodes) {
                case .success(let m): muni = m
                case .failure(let p): found.append(finding(i, line: line, id: "", field: "municipality_code", value: cell("municipality_code"), p))
                }
                let name = Normalize.value(cell("project_name"))
                let theme = Normalize.value(cell("theme"))
                if name.isEmpty { found.append(finding(i, line: line, id: "", field: "project_name", value: "", CellProblem(.required, "事業名 is required"))) }
                if theme.isEmpty { found.append(finding(i, line: line, id: "", field: "theme", value: "", CellProblem(.required, "テーマ is required"))) }
                if found.isEmpty {
                    rows.append([muni, name, theme, Normalize.value(cell("fiscal_year")), Normalize.value(cell("summary"))])
                    sources[i].accepted += 1
                } else {
                    rejects += found
                    sources[i].rejected += 1
                }
            }
        }
        if !indices(of: .modelProjects).isEmpty {
            rows.sort { ($0[0], $0[2], $0[1]) < ($1[0], $1[2], $1[1]) }
            try CSVTable.write(dir + "/model_projects.csv", header: CleanColumns.modelProjects, rows: rows, permissions: 0o600)
        }
    }

    // MARK: establishments

    /// Returns accepted establishment id → municipality code.
    mutating func cleanEstablishments() throws -> [String: String] {
        // Files are independent until de-duplication: parse them on all cores, combine in order.
        let files = indices(of: .establishments)
        let jobs = files.map { (i: $0, path: ctx.layout.ingest + "/" + sources[$0].report.output!, file: sources[$0].report.path, order: sources[$0].order) }
        let pref = c.prefectureCode
        let known = masterCodes
        let window = c.surveyWindow
        let parsed = parallelMap(jobs.indices) { k in
            Result { () throws -> EstablishmentFileResult in
                var out = EstablishmentFileResult()
                var columns: [Int] = []
                let job = jobs[k]
                try CSVTable.stream(job.path) { cols, r in
                    if columns.isEmpty { columns = EstablishmentParser.columns(cols) }
                    switch EstablishmentParser.parse(r, columns: columns, file: job.file, order: job.order, sourceIndex: job.i,
                                                     prefecture: pref, known: known, window: window) {
                    case .accepted(let row): out.rows.append(row)
                    case .rejected(let found, let muni):
                        out.findings += found
                        out.rejected += 1
                        out.quality.append((muni, Set(found.map(\.rule))))
                    }
                }
                return out
            }
        }
        var candidates: [EstablishmentRow] = []
        for (k, r) in parsed.enumerated() {
            let result = try r.get()
            let i = jobs[k].i
            rejects += result.findings
            sources[i].rejected += result.rejected
            for (m, rules) in result.quality { countQuality(m, kind: .establishments, rules: rules) }
            candidates += result.rows
            ctx.progress(result.rows.count + result.rejected)
        }
        // De-duplicate: latest 回答日 wins; on a tie, the row read last.
        var winner: [String: Int] = [:]
        for (n, row) in candidates.enumerated() {
            if let w = winner[row.id], candidates[w].date > row.date { continue }
            winner[row.id] = n
        }
        var accepted: [String: String] = [:]
        let writer = try CSVWriter(path: dir + "/establishments.csv", options: CSVWriteOptions(permissions: 0o600))
        try writer.write(CleanColumns.establishments)
        for (n, row) in candidates.enumerated() {
            let w = winner[row.id]!
            if w == n {
                try writer.writeRaw(row.encoded)
                accepted[row.id] = row.municipality
                sources[row.sourceIndex].accepted += 1
                if !row.warnings.isEmpty { sources[row.sourceIndex].withWarnings += 1 }
                warnings += row.warnings
            } else {
                let kept = candidates[w]
                let p = CellProblem(.duplicate, "事業所番号 \(row.id): answered more than once; kept the row at \(sources[kept.sourceIndex].report.path):\(kept.line) (回答日 \(kept.date)), this one has 回答日 \(row.date)")
                rejects.append(finding(row.sourceIndex, line: row.line, id: row.id, field: "establishment_id", value: row.id, p))
                sources[row.sourceIndex].rejected += 1
                countQuality(row.municipality, kind: .establishments, rules: [.duplicate])
            }
        }
        try writer.finish()
        return accepted
    }

    // MARK: workers

    mutating func cleanWorkers(establishments: [String: String], frame: [String: String]) throws {
        let workerSources = indices(of: .workers)
        let writer = try CSVWriter(path: dir + "/workers.csv", options: CSVWriteOptions(permissions: 0o600))
        try writer.write(CleanColumns.workers)
        let pref = c.prefectureCode
        let ingestDir = ctx.layout.ingest
        // Files are independent: clean them on all cores, a batch at a time (bounded memory),
        // and write each file's rows in input order (same bytes as a serial run).
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        var start = 0
        while start < workerSources.count {
            let batch = Array(workerSources[start..<min(start + cores, workerSources.count)])
            start += batch.count
            let jobs = batch.map { (ingestDir + "/" + sources[$0].report.output!, sources[$0].report.path, sources[$0].order) }
            let results = parallelMap(jobs.indices) { k in
                Result { try Self.cleanWorkerFile(path: jobs[k].0, file: jobs[k].1, order: jobs[k].2, prefecture: pref,
                                                  establishments: establishments, frame: frame) }
            }
            for (k, r) in results.enumerated() {
                let result = try r.get()
                try writer.writeRaw(result.bytes)
                for f in result.findings { if f.rule.severity == .error { rejects.append(f) } else { warnings.append(f) } }
                for (m, rules) in result.quality { countQuality(m, kind: .workers, rules: rules) }
                ctx.progress(result.accepted + result.rejected)
                let i = batch[k]
                sources[i].accepted += result.accepted
                sources[i].rejected += result.rejected
                sources[i].withWarnings += result.warned
            }
        }
        try writer.finish()
    }

    /// What parsing one establishment file produced (before de-duplication).
    struct EstablishmentFileResult: Sendable {
        var rows: [EstablishmentRow] = []
        var findings: [Finding] = []
        var quality: [(String?, Set<Rule>)] = []
        var rejected = 0
    }

    /// What cleaning one worker file produced.
    struct WorkerFileResult: Sendable {
        var bytes: [UInt8] = []
        var findings: [Finding] = []
        var quality: [(String, Set<Rule>)] = []
        var accepted = 0, rejected = 0, warned = 0
    }

    /// Cleans one ingest worker file into encoded rows (no shared state: safe on any thread).
    static func cleanWorkerFile(path: String, file: String, order: Int, prefecture: String,
                                establishments: [String: String], frame: [String: String]) throws -> WorkerFileResult {
        var out = WorkerFileResult()
        out.bytes.reserveCapacity(1 << 20)
        var parser = WorkerParser(file: file, order: order, prefecture: prefecture, establishments: establishments, frame: frame)
        try CSVTable.stream(path) { cols, r in
            switch parser.parse(r, cols: cols) {
            case .accepted(let cells, let w):
                CSVWriter.appendRow(cells, to: &out.bytes)
                out.accepted += 1
                if !w.isEmpty { out.warned += 1; out.findings += w }
            case .rejected(let f, let muni):
                out.rejected += 1
                out.findings += f
                if let muni { out.quality.append((muni, Set(f.map(\.rule)))) }
            }
        }
        return out
    }

    // MARK: outputs

    mutating func finish() throws -> StageResult {
        let order: (Finding, Finding) -> Bool = { a, b in
            (a.fileOrder, a.line, a.field, a.rule.rawValue) < (b.fileOrder, b.line, b.field, b.rule.rawValue)
        }
        rejects.sort(by: order)
        warnings.sort(by: order)
        try CSVTable.write(dir + "/rejects.csv", header: Finding.header, rows: rejects.map(\.csvRow), permissions: 0o600)
        try CSVTable.write(dir + "/warnings.csv", header: Finding.header, rows: warnings.map(\.csvRow), permissions: 0o600)
        let qualityRows = quality.keys.sorted().map { key -> [String] in
            let parts = key.split(separator: "|").map(String.init)
            return parts + [String(quality[key]!)]
        }
        try CSVTable.write(dir + "/quality.csv", header: CleanColumns.quality, rows: qualityRows, permissions: 0o600)

        var files: [CleanFileReport] = []
        var unbalanced: [String] = []
        for s in sources {
            let r = s.report
            let read = r.rowsRead
            let balanced = r.status != "ok" || read == s.accepted + s.rejected + r.blankRowsSkipped
            if !balanced { unbalanced.append("\(r.path): read \(read) ≠ accepted \(s.accepted) + rejected \(s.rejected) + skipped \(r.blankRowsSkipped)") }
            files.append(CleanFileReport(path: r.path, kind: r.kind, status: r.status == "ok" ? "ok" : "rejected whole",
                                         rowsRead: read, accepted: s.accepted, rejected: s.rejected,
                                         blankRowsSkipped: r.blankRowsSkipped, rowsWithWarnings: s.withWarnings, balanced: balanced))
        }
        var byRule: [String: Int] = [:]
        for f in rejects { byRule[f.rule.rawValue, default: 0] += 1 }
        var warnByRule: [String: Int] = [:]
        for f in warnings { warnByRule[f.rule.rawValue, default: 0] += 1 }
        try JSONFile.write(CleanReport(files: files, rejectsByRule: byRule, warningsByRule: warnByRule),
                           to: dir + "/report.json", permissions: 0o600)
        if !unbalanced.isEmpty {
            throw StageFailure(.internal, "clean: rows were lost (a bug; please report it):\n  " + unbalanced.joined(separator: "\n  "))
        }
        let accepted = sources.reduce(0) { $0 + $1.accepted }
        let rejected = sources.reduce(0) { $0 + $1.rejected }
        ctx.log("clean: \(accepted) rows accepted, \(rejected) rejected (\(rejects.count) findings), \(warnings.count) warnings")
        return StageResult(counts: ["accepted": accepted, "rejected": rejected, "warnings": warnings.count])
    }
}
