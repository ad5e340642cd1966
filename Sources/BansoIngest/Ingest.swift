import BansoCSV
import BansoCore
import Foundation
import Logging
import SystemPackage

/// Stage ingest: reads every input as received and writes canonical UTF-8 files, one per kind,
/// with `source_file` and `source_line` first so later stages can name the original line.
package enum IngestStage: PipelineStage {
    /// What ingest reads from the pipeline file: every input file with its read options, and
    /// what to do with a file refused whole.
    package struct Settings: StageSettings {
        /// One input file, in the order ingest numbers them.
        package struct Input: Codable, Equatable, Sendable {
            package var kind: InputKind
            package var path: InputPath
            package var encoding: EncodingChoice
            package var delimiter: UInt8
            /// Header text → canonical field (`[inputs.<kind>.headers]`).
            package var headers: [String: String]
        }
        package var inputs: [Input]
        /// `inputs.on_file_error`: go on when a file is refused whole (never for the master).
        package var continueOnFileError: Bool

        package init(_ c: PipelineConfig) {
            var out: [Input] = []
            func add(
                _ kind: InputKind, _ files: [String], _ encoding: EncodingChoice, _ delimiter: UInt8,
                _ h: [String: String]
            ) {
                for f in files {
                    out.append(
                        Input(
                            kind: kind, path: InputPath(f, in: c), encoding: encoding, delimiter: delimiter, headers: h)
                    )
                }
            }
            add(
                .establishments, c.establishments.files, c.establishments.encoding, c.establishments.delimiter,
                c.establishments.headers)
            for (kind, input) in [
                (InputKind.workers, c.workers), (.selfAssessment, c.selfAssessment), (.context, c.context),
                (.support, c.support), (.prefectureComments, c.prefectureComments), (.ownItems, c.ownItems),
            ] {
                if let input { add(kind, input.files, input.encoding, input.delimiter, input.headers) }
            }
            for (kind, input) in [
                (InputKind.master, Optional(c.master)), (.frame, c.frame), (.modelProjects, c.modelProjects),
                (.roadmap, c.roadmap),
            ] {
                if let i = input { add(kind, [i.path], i.encoding, i.delimiter, i.headers) }
            }
            inputs = out
            continueOnFileError = c.continueOnFileError
        }
    }

    package static let name = StageName.ingest
    /// Ingest reads the input files, not the run folder (their digests are its inputs).
    package static let reads: [RunFileDescriptor] = []

    /// Every input file of the pipeline, absolute, with its kind (for the runner's input digests).
    package static func inputs(_ c: PipelineConfig) -> [(kind: InputKind, path: FilePath)] {
        Settings(c).inputs.map { ($0.kind, $0.path.absolute(in: FilePath(c.inputBase))) }
    }

    /// Runs ingest into `ctx.layout.ingest`.
    package static func run(_ ctx: StageContext, _ settings: Settings) throws -> StageResult {
        let dir = ctx.layout.ingest
        try RunLayout.makeDirectory(dir, permissions: 0o700)
        let all = settings.inputs.map { i in
            (
                kind: i.kind, path: i.path.absolute(in: ctx.inputFolder),
                options: CSVReadOptions(delimiter: i.delimiter, encoding: i.encoding), headers: i.headers,
                display: i.path.path
            )
        }
        // Output names are fixed before reading, so files can be read on all cores in any order.
        var perKind: [InputKind: Int] = [:]
        var jobs:
            [(
                kind: InputKind, path: FilePath, options: CSVReadOptions, headers: [String: String], display: String,
                name: String
            )] = []
        for input in all {
            perKind[input.kind, default: 0] += 1
            let n = perKind[input.kind]!
            jobs.append(
                (
                    input.kind, input.path, input.options, input.headers, input.display,
                    "\(input.kind.rawValue).\(n < 10 ? "00" : n < 100 ? "0" : "")\(n).csv"
                ))
        }
        let logger = ctx.logger
        let progress = ctx.progress
        let digests = ctx.inputDigests
        let staging = ctx.layout.staging
        let jobList = jobs
        let results = parallelMap(jobList.indices) { i -> Result<IngestFileReport, Error> in
            let job = jobList[i]
            let display = job.display
            return Result {
                let report = try ingestFile(
                    path: job.path, display: display, kind: job.kind, options: job.options,
                    custom: job.headers, output: dir.appending(job.name), outputName: job.name,
                    sha256: digests[job.path], staging: staging)
                logger.info("\(display): \(report.status.rawValue), \(report.dataRows) rows, \(report.encoding)")
                for warning in report.warnings { logger.warning("\(display): \(warning)") }
                progress(report.dataRows)
                return report
            }
        }
        var reports: [IngestFileReport] = []
        var failures: [String] = []
        var rows = 0
        for r in results {
            let report = try r.get()
            if let e = report.error { failures.append("\(report.path): \(e)") }
            rows += report.dataRows
            reports.append(report)
        }
        try RunFiles.ingestReport.write(IngestReport(files: reports), in: ctx.layout)
        let masterRejected = reports.contains { $0.kind == .master && $0.status != .ok }
        if !failures.isEmpty && (!settings.continueOnFileError || masterRejected) {
            throw StageFailure(
                .data, "ingest: \(failures.count) file(s) rejected whole:\n  " + failures.joined(separator: "\n  "))
        }
        return StageResult(counts: ["files": reports.count, "rows": rows, "files_rejected": failures.count])
    }

    /// A hint when a quote error comes from reading a tab- or semicolon-separated file (a TSV
    /// saved as .csv) with commas: its first line has those and no comma.
    static func delimiterHint(path: FilePath, delimiter: UInt8) -> String {
        guard delimiter == UInt8(ascii: ","), let file = try? FileDescriptor.open(path, .readOnly) else { return "" }
        defer { try? file.close() }
        var head = [UInt8](repeating: 0, count: 4096)
        let n = (try? head.withUnsafeMutableBytes { try file.read(into: $0) }) ?? 0
        return HeaderMapping.delimiterSuggestion(firstLine: head[..<n].prefix { $0 != 0x0A })
    }

    /// How many rows are tried as the header before the file is refused.
    static let headerSearchRows = 10

    /// Words that make a row a note or a total rather than an answer, when they open it.
    static let noteWords: Set<String> = ["合計", "計", "総計", "小計", "合計欄", "備考"]

    /// A row whose first non-empty cell is a note (`※記入上の注意`, `注)`) or a total (`合計`).
    package static func isNoteRow(_ record: CSVRecord) -> Bool {
        // Byte views of the cells: a slice per cell would retain the record (every row is checked).
        record.withFields { fields in
            for i in 0..<fields.count {
                let cell = fields[i]
                if cell.allSatisfy({ $0 == 0x20 }) { continue }
                // Plain ASCII (a number, a code) is an answer: no String needed on the common path.
                if cell.allSatisfy({ $0 < 0x80 }) { return false }
                let text = Normalize.value(String(decoding: cell, as: UTF8.self))
                return text.hasPrefix("※") || text.hasPrefix("注)") || text.hasPrefix("注:") || noteWords.contains(text)
            }
            return false
        }
    }

    /// Two neighbouring cells that look like one number cut at its thousands comma.
    ///
    /// That is 1–3 digits, then exactly 3 digits (`1`, `008`); returned as written (`1,008`).
    package static func splitThousands(_ record: CSVRecord) -> [UInt8]? {
        func digits(_ b: ArraySlice<UInt8>) -> Bool { !b.isEmpty && b.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        guard record.count > 1 else { return nil }
        for i in 0..<(record.count - 1) {
            let a = record[i], b = record[i + 1]
            if digits(a) && a.count <= 3 && digits(b) && b.count == 3 {
                return Array(a) + [0x2C] + Array(b)
            }
        }
        return nil
    }

    /// Reads one file, mapping its header; data rows go to `writer`.
    ///
    /// Never throws for bad data: a file that cannot be read is reported as rejected.
    package static func ingestFile(
        path: FilePath, display: String, kind: InputKind, options: CSVReadOptions,
        custom: [String: String], output: FilePath?, outputName: String?,
        sha256 known: String? = nil, staging: StagingWrites? = nil
    ) throws -> IngestFileReport {
        var report = IngestFileReport(
            path: display, kind: kind, sha256: "", bytes: 0, encoding: "", encodingReason: "",
            delimiter: options.delimiter == 0x09 ? "tab" : String(UnicodeScalar(options.delimiter)),
            lineEnding: "", rowsRead: 0, dataRows: 0, blankRowsSkipped: 0, rowsWithExtraCells: 0, header: [],
            mapping: [:], unknownColumns: [], status: .ok, error: nil, output: nil)
        // Each file gets its own output, published only when the whole file was read.
        let writer = try output.map {
            try CSVWriter(path: $0, options: CSVWriteOptions(permissions: 0o600, staging: staging))
        }
        try writer?.write(ingestCopyHeader(kind))
        do {
            report.sha256 = try known ?? Hashing.sha256(file: path)
        } catch {
            report.status = .rejected
            report.error = "cannot read the file: \(error)"
            return report
        }
        let fields = kind.fields
        let fileBytes = Array(display.utf8)
        var mapping: HeaderMapping?
        /// Data rows are written on another thread while this one parses, in file order.
        var copy: Box<CopyRows>?
        var handOff: SerialHandOff<CSVRecord>?
        /// The first row tried as a header, for the message when no row of the first few is one.
        var firstCandidate: (header: [String], mapping: HeaderMapping)?
        var candidates = 0
        struct HeaderProblem: Error { let message: String }
        do {
            defer { try? handOff?.finish() }
            let summary = try CSVReader.read(path: path, options: options) { record in
                if let handOff {
                    try handOff.add(record)
                    return
                }
                guard mapping != nil else {
                    // The header is the first row holding every required column: Excel files often
                    // have a title row or two above it (令和7年度 介護人材実態調査 事業所票).
                    let header = record.strings
                    let hm = HeaderMapping(header: header, kind: kind, custom: custom)
                    candidates += 1
                    if firstCandidate == nil { firstCandidate = (header, hm) }
                    if !hm.missingRequired.isEmpty && candidates < Self.headerSearchRows { return }
                    let (chosen, chosenMapping) = hm.missingRequired.isEmpty ? (header, hm) : firstCandidate!
                    report.header = chosen
                    for (i, pc) in chosenMapping.perColumn.enumerated() {
                        if let pc { report.mapping[chosen[i]] = pc.field }
                    }
                    report.unknownColumns = chosenMapping.unknown
                    if let problem = chosenMapping.problem(kind: kind, header: chosen) {
                        throw HeaderProblem(message: problem)
                    }
                    report.headerLine = record.line
                    report.titleRowsSkipped = candidates - 1
                    if candidates > 1 {
                        report.warnings.append(
                            "the header is on line \(record.line); the \(candidates - 1) row(s) above it were skipped as a title"
                        )
                    }
                    for (header, field) in chosenMapping.lookalikes {
                        report.suggestedMappings[header] = field
                        report.warnings.append(
                            "column \"\(header)\" is ignored but looks like \(field): map it under "
                                + "[inputs.\(kind.rawValue).headers] as \"\(header)\" = \"\(field)\"")
                    }
                    if !chosenMapping.missingCounts.isEmpty {
                        report.warnings.append(
                            "no column for \(chosenMapping.missingCounts.joined(separator: ", ")): "
                                + "the indicators that need them will be empty")
                    }
                    mapping = chosenMapping
                    let rows = Box(
                        CopyRows(
                            file: fileBytes, headerCount: chosen.count,
                            columns: fields.map { chosenMapping.columns[$0.name] ?? -1 }))
                    copy = rows
                    handOff = SerialHandOff { records in try rows.value.add(records, to: writer) }
                    return
                }
            }
            try handOff?.finish()
            let dataRows = copy?.value.dataRows ?? 0
            let notes = copy?.value.notes ?? 0
            let extra = copy?.value.extra ?? 0
            report.bytes = summary.bytes
            report.encoding = summary.encoding.encoding.rawValue
            report.encodingReason = summary.encoding.reason
            report.lineEnding = summary.lineEnding.rawValue
            report.blankRowsSkipped = summary.blankRowsSkipped
            report.noteRowsSkipped = notes
            report.dataRows = dataRows
            report.rowsRead = dataRows + summary.blankRowsSkipped + report.titleRowsSkipped + notes
            report.rowsWithExtraCells = extra
            if mapping == nil, let first = firstCandidate,
                let problem = first.mapping.problem(kind: kind, header: first.header)
            {
                // Fewer rows than the header search: the first row was not a header.
                report.status = .rejected
                report.error = problem
            } else if mapping == nil {
                report.status = .rejected
                report.error = "empty file: no header row (\(summary.blankRowsSkipped) blank rows)"
            }
        } catch let e as HeaderProblem {
            report.status = .rejected
            report.error = e.message
        } catch let e as CSVReadError {
            report.status = .rejected
            report.error = e.location.isEmpty ? e.message : "\(e.location): \(e.message)"
            if e.kind == .malformedQuote || e.kind == .unterminatedQuote {
                report.error! += delimiterHint(path: path, delimiter: options.delimiter)
            }
            report.dataRows = 0
        }
        if report.status == .ok {
            try writer?.finish()
            report.output = outputName
        } else {
            report.dataRows = 0
            report.rowsRead = 0
        }
        return report
    }
}

/// Writes the data rows of one input to its ingest copy, counting notes and extra cells.
///
/// Used by one thread at a time (the reader hands it rows in file order, a batch at a time). A
/// struct reached once per batch, with each batch's rows gathered in a buffer and written at
/// once: a class's stored properties, and the writer's buffer, were checked for exclusive
/// access at every row.
struct CopyRows {
    let file: [UInt8]
    let headerCount: Int
    /// Canonical position → source column (-1 = absent).
    let columns: [Int]
    var dataRows = 0, notes = 0, extra = 0
    private var batch: [UInt8] = []

    init(file: [UInt8], headerCount: Int, columns: [Int]) {
        self.file = file
        self.headerCount = headerCount
        self.columns = columns
    }

    /// Checks and writes a batch of rows, in order.
    mutating func add(_ records: [CSVRecord], to writer: CSVWriter?) throws {
        batch.removeAll(keepingCapacity: true)
        file.withUnsafeBufferPointer { file in
            columns.withUnsafeBufferPointer { columns in
                for r in records { add(r, file: file, columns: columns) }
            }
        }
        try writer?.writeRaw(batch)
    }

    private mutating func add(
        _ record: CSVRecord, file: UnsafeBufferPointer<UInt8>, columns: UnsafeBufferPointer<Int>
    ) {
        if IngestStage.isNoteRow(record) {
            notes += 1
            return
        }
        dataRows += 1
        // Non-empty cells past the header: usually an unquoted comma (1,008) that shifted the row.
        var extraCells: [UInt8] = []
        if record.count > headerCount {
            for i in headerCount..<record.count where !record[i].allSatisfy({ $0 == 0x20 }) {
                if !extraCells.isEmpty { extraCells.append(0x2C) }
                extraCells += record[i]
            }
            // Only empty cells past the header may be a trailing delimiter, unless two
            // neighbouring cells read as one number split at its thousands comma (1 | 008).
            if extraCells.isEmpty, let pair = IngestStage.splitThousands(record) { extraCells = pair }
            if !extraCells.isEmpty { extra += 1 }
        }
        // Written straight from the record's bytes, in the order of the copy's header.
        CSVWriter.appendMapped(file, line: record.line, extraCells, record: record, columns: columns, to: &batch)
    }
}
