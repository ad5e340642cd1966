import BansoCSV
import Foundation

/// The columns of ingest's canonical copies: where the row came from, then the kind's fields.
public enum IngestLayout {
    /// The input file's name as the pipeline shows it.
    public static let sourceFilePosition = 0
    /// The physical line of the input file the record starts on.
    public static let sourceLinePosition = 1
    /// The kind's canonical fields follow, in their declared order.
    public static let firstFieldPosition = 2

    /// The header of a copy of one kind.
    public static func header(_ kind: InputKind) -> [String] {
        ["source_file", "source_line"] + kind.fields.map(\.name)
    }
}

/// Ingest's canonical UTF-8 copy of one input file: `source_file`, `source_line`, then every canonical field of its
/// kind, values exactly as read.
///
/// Clean is its only reader.
public enum IngestCopy<Field: CanonicalField> {
    /// The header ingest writes.
    public static var header: [String] {
        ["source_file", "source_line"] + Field.allCases.map(\.rawValue)
    }

    /// The column of the original file's line number.
    public static var linePosition: Int { IngestLayout.sourceLinePosition }

    /// The column of a field.
    public static func position(_ field: Field) -> Int {
        IngestLayout.firstFieldPosition + Field.allCases.firstIndex(of: field)!
    }

    /// Streams the data records of a copy, checking its header first.
    public static func stream(path: String, _ body: (CSVRecord) throws -> Void) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StageFailure(.data, "\(path) does not exist; run ingest first")
        }
        try withoutActuallyEscaping(body) { body in
            var checked = false
            try CSVReader.read(path: path, options: CSVReadOptions(encoding: .utf8)) { r in
                if checked { return try body(r) }
                guard r.strings == header else {
                    throw StageFailure(.data, "\(path): not an ingest copy of a \(Field.self) file; run ingest again")
                }
                checked = true
            }
        }
    }

    /// Every row of a (small) copy: master, frame, model projects.
    public static func read(path: String) throws -> [IngestRow<Field>] {
        var rows: [IngestRow<Field>] = []
        try stream(path: path) { r in rows.append(IngestRow(cells: r.strings)) }
        return rows
    }
}

/// One row of an ingest copy, by field.
public struct IngestRow<Field: CanonicalField>: Sendable {
    let cells: [String]

    /// The value of a field as read (empty when the file had no such column).
    public subscript(_ field: Field) -> String { cells[IngestCopy<Field>.position(field)] }

    /// The physical line of the original file the row starts on.
    public var line: Int { Int(cells[IngestCopy<Field>.linePosition]) ?? 0 }
}
