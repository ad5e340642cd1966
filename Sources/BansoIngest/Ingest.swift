import BansoCSV
import BansoCore
import Foundation
import Logging

/// Stage ingest: reads every input as received and writes canonical UTF-8 files, one per kind,
/// with `source_file` and `source_line` first so later stages can name the original line.
public enum IngestStage {
    /// The parameters ingest depends on (for the runner's up-to-date decision).
    public static func parameters(_ c: PipelineConfig) -> [String: String] {
        var p: [String: String] = [:]
        func add(_ name: String, _ i: SurveyInput?) {
            guard let i else { return }
            p["\(name).files"] = i.files.map(c.displayPath).joined(separator: ";")
            p["\(name).encoding"] = i.encoding.rawValue
            p["\(name).delimiter"] = String(i.delimiter)
            p["\(name).headers"] = i.headers.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
                separator: ";")
        }
        func add(_ name: String, _ f: FileInput?) {
            guard let f else { return }
            p["\(name).file"] = c.displayPath(f.path)
            p["\(name).encoding"] = f.encoding.rawValue
            p["\(name).delimiter"] = String(f.delimiter)
            p["\(name).headers"] = f.headers.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
                separator: ";")
        }
        add("establishments", c.establishments)
        add("workers", c.workers)
        add("master", c.master)
        add("frame", c.frame)
        add("model_projects", c.modelProjects)
        p["on_file_error"] = c.continueOnFileError ? "continue" : "fail"
        return p
    }

    /// Every input file of the pipeline, with its kind and read options.
    public static func inputs(_ c: PipelineConfig) -> [(
        kind: InputKind, path: String, options: CSVReadOptions, headers: [String: String]
    )] {
        var out: [(InputKind, String, CSVReadOptions, [String: String])] = []
        for f in c.establishments.files {
            out.append(
                (
                    .establishments, f,
                    CSVReadOptions(delimiter: c.establishments.delimiter, encoding: c.establishments.encoding),
                    c.establishments.headers
                ))
        }
        if let w = c.workers {
            for f in w.files {
                out.append((.workers, f, CSVReadOptions(delimiter: w.delimiter, encoding: w.encoding), w.headers))
            }
        }
        for (kind, input) in [
            (InputKind.master, Optional(c.master)), (.frame, c.frame), (.modelProjects, c.modelProjects),
        ] {
            if let i = input {
                out.append((kind, i.path, CSVReadOptions(delimiter: i.delimiter, encoding: i.encoding), i.headers))
            }
        }
        return out
    }

    /// Runs ingest into `ctx.layout.ingest`.
    public static func run(_ ctx: StageContext) throws -> StageResult {
        let c = ctx.config
        let dir = ctx.layout.ingest
        try RunLayout.makeDirectory(dir, permissions: 0o700)
        let all = inputs(c)
        // Output names are fixed before reading, so files can be read on all cores in any order.
        var perKind: [InputKind: Int] = [:]
        var jobs: [(kind: InputKind, path: String, options: CSVReadOptions, headers: [String: String], name: String)] =
            []
        for input in all {
            perKind[input.kind, default: 0] += 1
            let n = perKind[input.kind]!
            jobs.append(
                (
                    input.kind, input.path, input.options, input.headers,
                    "\(input.kind.rawValue).\(n < 10 ? "00" : n < 100 ? "0" : "")\(n).csv"
                ))
        }
        let logger = ctx.logger
        let progress = ctx.progress
        let digests = ctx.inputDigests
        let jobList = jobs
        let results = parallelMap(jobList.indices) { i -> Result<IngestFileReport, Error> in
            let job = jobList[i]
            let display = c.displayPath(job.path)
            return Result {
                let report = try ingestFile(
                    path: job.path, display: display, kind: job.kind, options: job.options,
                    custom: job.headers, output: "\(dir)/\(job.name)", outputName: job.name,
                    sha256: digests[job.path])
                logger.info("\(display): \(report.status.rawValue), \(report.dataRows) rows, \(report.encoding)")
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
        if !failures.isEmpty && (!c.continueOnFileError || masterRejected) {
            throw StageFailure(
                .data, "ingest: \(failures.count) file(s) rejected whole:\n  " + failures.joined(separator: "\n  "))
        }
        return StageResult(counts: ["files": reports.count, "rows": rows, "files_rejected": failures.count])
    }

    /// Reads one file, mapping its header; data rows go to `writer`.
    ///
    /// Never throws for bad data: a file that cannot be read is reported as rejected.
    public static func ingestFile(
        path: String, display: String, kind: InputKind, options: CSVReadOptions,
        custom: [String: String], output: String?, outputName: String?,
        sha256 known: String? = nil
    ) throws -> IngestFileReport {
        var report = IngestFileReport(
            path: display, kind: kind, sha256: "", bytes: 0, encoding: "", encodingReason: "",
            delimiter: options.delimiter == 0x09 ? "tab" : String(UnicodeScalar(options.delimiter)),
            lineEnding: "", rowsRead: 0, dataRows: 0, blankRowsSkipped: 0, rowsWithExtraCells: 0, header: [],
            mapping: [:], unknownColumns: [], status: .ok, error: nil, output: nil)
        // Each file gets its own output, published only when the whole file was read.
        let writer = try output.map { try CSVWriter(path: $0, options: CSVWriteOptions(permissions: 0o600)) }
        try writer?.write(ingestCopyHeader(kind))
        do {
            report.sha256 = try known ?? Hashing.sha256(file: path)
        } catch {
            report.status = .rejected
            report.error = "cannot read the file: \(error)"
            return report
        }
        let fields = kind.fields
        let fileBytes = Array(display.utf8)[...]
        var mapping: HeaderMapping?
        var columnOf: [Int] = []  // canonical position → source column (-1 = absent)
        var headerCount = 0
        var dataRows = 0
        var extra = 0
        var rowFields: [ArraySlice<UInt8>] = Array(repeating: [], count: fields.count + 2)
        let empty: ArraySlice<UInt8> = []
        struct HeaderProblem: Error { let message: String }
        do {
            let summary = try CSVReader.read(path: path, options: options) { record in
                guard mapping != nil else {
                    let header = record.strings
                    let hm = HeaderMapping(header: header, kind: kind, custom: custom)
                    report.header = header
                    for (i, pc) in hm.perColumn.enumerated() { if let pc { report.mapping[header[i]] = pc.field } }
                    report.unknownColumns = hm.unknown
                    if let problem = hm.problem(kind: kind, header: header) { throw HeaderProblem(message: problem) }
                    columnOf = fields.map { hm.columns[$0.name] ?? -1 }
                    headerCount = header.count
                    mapping = hm
                    return
                }
                dataRows += 1
                rowFields[IngestLayout.sourceFilePosition] = fileBytes
                rowFields[IngestLayout.sourceLinePosition] = Array(String(record.line).utf8)[...]
                for (i, col) in columnOf.enumerated() {
                    rowFields[IngestLayout.firstFieldPosition + i] =
                        col >= 0 && col < record.count ? record[col] : empty
                }
                if record.count > headerCount {
                    for i in headerCount..<record.count where !record[i].allSatisfy({ $0 == 0x20 }) {
                        extra += 1
                        break
                    }
                }
                try writer?.writeBytes(rowFields)
            }
            report.bytes = summary.bytes
            report.encoding = summary.encoding.encoding.rawValue
            report.encodingReason = summary.encoding.reason
            report.lineEnding = summary.lineEnding.rawValue
            report.blankRowsSkipped = summary.blankRowsSkipped
            report.dataRows = dataRows
            report.rowsRead = dataRows + summary.blankRowsSkipped
            report.rowsWithExtraCells = extra
            if mapping == nil {
                report.status = .rejected
                report.error = "empty file: no header row (\(summary.blankRowsSkipped) blank rows)"
            }
        } catch let e as HeaderProblem {
            report.status = .rejected
            report.error = e.message
        } catch let e as CSVReadError {
            report.status = .rejected
            report.error = e.location.isEmpty ? e.message : "\(e.location): \(e.message)"
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
