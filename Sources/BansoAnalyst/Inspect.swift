import BansoCSV
import BansoClean
import BansoCore
import BansoIngest
import Foundation
import SystemPackage

/// What `banso inspect` found in one file, read exactly as ingest reads it.
package struct InspectReport: Codable, Sendable {
    package struct Column: Codable, Sendable {
        package var position: Int
        package var header: String
        package var field: String?
        package var source: String?
    }
    package struct Problem: Codable, Sendable {
        package var line: Int
        package var field: String
        package var rule: String
        package var severity: String
        package var value: String
        package var message: String
    }
    package var file: String
    package var kind: String
    package var kindGuessed: Bool
    package var encoding: String
    package var encodingReason: String
    package var delimiter: String
    package var lineEnding: String
    package var bytes: Int
    package var header: [String]
    package var columns: [Column]
    package var unknownColumns: [String]
    package var missingRequired: [String]
    package var rowsRead: Int
    package var dataRows: Int
    package var blankRowsSkipped: Int
    package var rowsWithProblems: Int
    package var problems: [Problem]
    package var error: String?

    enum CodingKeys: String, CodingKey {
        case file, kind, encoding, delimiter, bytes, header, columns, problems, error
        case kindGuessed = "kind_guessed", encodingReason = "encoding_reason", lineEnding = "line_ending"
        case unknownColumns = "unknown_columns", missingRequired = "missing_required", rowsRead = "rows_read"
        case dataRows = "data_rows", blankRowsSkipped = "blank_rows_skipped", rowsWithProblems = "rows_with_problems"
    }
}

/// Reads one file as ingest would and checks its rows as clean would; writes nothing.
package enum Inspector {
    package struct Options: Sendable {
        package var kind: InputKind?
        package var encoding: EncodingChoice = .auto
        package var delimiter: UInt8 = UInt8(ascii: ",")
        package var config: PipelineConfig?
        package var maxProblems = 20
        package init() {}
    }

    /// Guesses the kind from the header: the kind whose required columns are all there, with most fields matched.
    package static func guessKind(_ header: [String], custom: [InputKind: [String: String]]) -> InputKind {
        let ranked = InputKind.allCases.map { kind -> (InputKind, Int, Int) in
            let m = HeaderMapping(header: header, kind: kind, custom: custom[kind] ?? [:])
            return (kind, m.missingRequired.isEmpty ? 1 : 0, m.columns.count)
        }
        return ranked.max { ($0.1, $0.2) < ($1.1, $1.2) }!.0
    }

    package static func inspect(path: String, options o: Options) -> InspectReport {
        var report = InspectReport(
            file: path, kind: o.kind?.rawValue ?? "", kindGuessed: o.kind == nil, encoding: "", encodingReason: "",
            delimiter: o.delimiter == 0x09 ? "tab" : String(UnicodeScalar(o.delimiter)), lineEnding: "", bytes: 0,
            header: [], columns: [], unknownColumns: [], missingRequired: [], rowsRead: 0, dataRows: 0,
            blankRowsSkipped: 0, rowsWithProblems: 0, problems: [], error: nil)
        var custom: [InputKind: [String: String]] = [:]
        if let c = o.config {
            custom[.establishments] = c.establishments.headers
            custom[.workers] = c.workers?.headers ?? [:]
            custom[.master] = c.master.headers
            custom[.frame] = c.frame?.headers ?? [:]
            custom[.modelProjects] = c.modelProjects?.headers ?? [:]
        }
        let prefecture = o.config?.prefectureCode
        var kind = o.kind
        var columns: [String: Int] = [:]
        var problems: [InspectReport.Problem] = []
        var withProblems = 0
        var dataRows = 0
        var inferredPrefecture: PrefectureCode?
        do {
            let summary = try CSVReader.read(
                path: FilePath(path), options: CSVReadOptions(delimiter: o.delimiter, encoding: o.encoding)
            ) { r in
                if report.header.isEmpty {
                    let header = r.strings
                    report.header = header
                    let k = kind ?? guessKind(header, custom: custom)
                    kind = k
                    report.kind = k.rawValue
                    let m = HeaderMapping(header: header, kind: k, custom: custom[k] ?? [:])
                    report.columns = header.enumerated().map { i, h in
                        InspectReport.Column(
                            position: i + 1, header: h, field: m.perColumn[i]?.field, source: m.perColumn[i]?.source)
                    }
                    report.unknownColumns = m.unknown
                    report.missingRequired = m.missingRequired
                    columns = m.columns
                    return
                }
                dataRows += 1
                guard report.missingRequired.isEmpty, let k = kind, k == .establishments || k == .workers else {
                    return
                }
                var fields: [String: String] = [:]
                for (f, i) in columns where i < r.count { fields[f] = r.string(i) }
                if inferredPrefecture == nil, let id = fields[EstablishmentField.establishmentID.rawValue] {
                    inferredPrefecture = PrefectureCode(String(Normalize.value(id).prefix(2)))
                }
                guard let pref = prefecture ?? inferredPrefecture else {
                    // No 事業所番号 so far starts with a prefecture's code: the row is checked
                    // once one does (every id of such a row is wrong anyway, and said so below).
                    withProblems += 1
                    if problems.count < o.maxProblems {
                        problems.append(
                            .init(
                                line: r.line, field: EstablishmentField.establishmentID.rawValue,
                                rule: Rule.establishmentIDFormat.rawValue,
                                severity: Rule.establishmentIDFormat.severity.rawValue,
                                value: fields[EstablishmentField.establishmentID.rawValue] ?? "",
                                message: "事業所番号 does not start with a prefecture's code (01–47), so the row "
                                    + "cannot be checked; give --pipeline to name the prefecture"))
                    }
                    return
                }
                let found =
                    k == .establishments
                    ? RowCheck.establishment(
                        EstablishmentField.keyed(fields), file: path, line: r.line, prefecture: pref, known: nil,
                        window: o.config?.surveyWindow)
                    : RowCheck.worker(WorkerField.keyed(fields), file: path, line: r.line, prefecture: pref)
                if found.contains(where: { $0.rule.severity == .error }) { withProblems += 1 }
                for f in found where problems.count < o.maxProblems {
                    problems.append(
                        .init(
                            line: f.line, field: f.field, rule: f.rule.rawValue, severity: f.rule.severity.rawValue,
                            value: f.value, message: f.message))
                }
            }
            report.encoding = summary.encoding.encoding.rawValue
            report.encodingReason = summary.encoding.reason
            report.lineEnding = summary.lineEnding.rawValue
            report.bytes = summary.bytes
            report.blankRowsSkipped = summary.blankRowsSkipped
        } catch {
            report.error = "\(error)"
        }
        report.dataRows = dataRows
        report.rowsRead = dataRows + report.blankRowsSkipped
        report.rowsWithProblems = withProblems
        report.problems = problems
        if report.header.isEmpty && report.error == nil { report.error = "empty file: no header row" }
        return report
    }

    /// The report as text for a terminal.
    package static func text(_ r: InspectReport) -> String {
        var s = "file: \(r.file)\n"
        if let e = r.error, r.header.isEmpty { return s + "error: \(e)\n" }
        s += "kind: \(r.kind)\(r.kindGuessed ? " (guessed from the header; set --kind to be sure)" : "")\n"
        s += "encoding: \(r.encoding) — \(r.encodingReason)\n"
        s += "delimiter: \(r.delimiter)   line endings: \(r.lineEnding)   bytes: \(r.bytes)\n"
        s += "rows read: \(r.rowsRead) (data rows \(r.dataRows), blank rows skipped \(r.blankRowsSkipped))\n"
        s += "columns:\n"
        for c in r.columns {
            s +=
                "  \(c.position). \"\(c.header)\" → \(c.field.map { "\($0) (\(c.source ?? ""))" } ?? "unknown, ignored")\n"
        }
        if !r.missingRequired.isEmpty {
            s +=
                "missing required columns: \(r.missingRequired.joined(separator: ", ")) — ingest would reject this file\n"
        }
        if let e = r.error { s += "error: \(e)\n" }
        if !r.problems.isEmpty {
            s += "rows clean would reject: \(r.rowsWithProblems); first problems:\n"
            for p in r.problems { s += "  line \(p.line) \(p.field) [\(p.rule), \(p.severity)] \(p.message)\n" }
        } else if r.kind == InputKind.establishments.rawValue || r.kind == InputKind.workers.rawValue {
            s += "no problems found in the rows (establishment and master look-ups need a run)\n"
        }
        return s
    }
}
