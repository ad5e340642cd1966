import BansoCSV
import SystemPackage

/// The columns of a file that keeps where each row came from: `source_file`, `source_line`,
/// then every canonical field of one kind of input, in declared order.
///
/// Ingest's copies have these columns with every value as read, and so does
/// `clean/establishments.csv` with typed values.
package enum SourcedColumn<Field: CanonicalField>: RunFileColumns {
    /// The input file's name as the pipeline shows it.
    case sourceFile
    /// The physical line of the input file the record starts on.
    case sourceLine
    case field(Field)

    package static var allCases: [Self] { [.sourceFile, .sourceLine] + Field.allCases.map(Self.field) }

    package init?(rawValue: String) {
        switch rawValue {
        case "source_file": self = .sourceFile
        case "source_line": self = .sourceLine
        default:
            guard let f = Field(rawValue: rawValue) else { return nil }
            self = .field(f)
        }
    }

    package var rawValue: String {
        switch self {
        case .sourceFile: "source_file"
        case .sourceLine: "source_line"
        case .field(let f): f.rawValue
        }
    }

    /// The column of a count field (establishment files).
    package static func count(_ field: CountField) -> Self where Field == EstablishmentField { .field(field.field) }
}

/// The columns of ingest's copy of one input file: where the row came from, the non-empty cells
/// it had beyond the header (a shifted row), then every canonical field of its kind.
package enum IngestColumn<Field: CanonicalField>: RunFileColumns {
    case sourceFile
    case sourceLine
    /// The row's non-empty cells past the header's last column, `,`-joined; empty for a normal row.
    case extraCells
    case field(Field)

    package static var allCases: [Self] { [.sourceFile, .sourceLine, .extraCells] + Field.allCases.map(Self.field) }

    package init?(rawValue: String) {
        switch rawValue {
        case "source_file": self = .sourceFile
        case "source_line": self = .sourceLine
        case "extra_cells": self = .extraCells
        default:
            guard let f = Field(rawValue: rawValue) else { return nil }
            self = .field(f)
        }
    }

    package var rawValue: String {
        switch self {
        case .sourceFile: "source_file"
        case .sourceLine: "source_line"
        case .extraCells: "extra_cells"
        case .field(let f): f.rawValue
        }
    }
}

/// The header of ingest's copy of one kind of input (the order of `IngestColumn`, which ingest
/// writes its rows in).
package func ingestCopyHeader(_ kind: InputKind) -> [String] {
    ["source_file", "source_line", "extra_cells"] + kind.fields.map(\.name)
}

/// Ingest's canonical UTF-8 copy of one input file, values exactly as read (clean is its only reader).
package enum IngestCopy<Field: CanonicalField> {
    package typealias Column = IngestColumn<Field>

    /// The column of a field.
    package static func position(_ field: Field) -> Int { Column.field(field).position }

    /// The column of the original file's line number.
    package static var linePosition: Int { Column.sourceLine.position }

    /// The column of the cells a row had beyond the header.
    package static var extraCellsPosition: Int { Column.extraCells.position }

    /// Streams the data records of a copy, checking its header first.
    package static func stream(path: FilePath, _ body: (CSVRecord) throws -> Void) throws {
        try StreamedCSVFile<Column>.stream(path: path, body)
    }

    /// Every row of a (small) copy: master, frame, model projects.
    package static func read(path: FilePath) throws -> [IngestRow<Field>] {
        var rows: [IngestRow<Field>] = []
        // Positions resolved once and shared by every row (a frame has 100,000 rows, each read by field).
        let positions = IngestRow<Field>.Positions(
            fields: Dictionary(uniqueKeysWithValues: Field.allCases.map { ($0, position($0)) }), line: linePosition,
            extraCells: extraCellsPosition)
        try stream(path: path) { r in rows.append(IngestRow(cells: r.strings, positions: positions)) }
        return rows
    }
}

/// One row of an ingest copy, by field.
package struct IngestRow<Field: CanonicalField>: Sendable {
    /// Where each field sits in the copy.
    final class Positions: Sendable {
        let fields: [Field: Int]
        let line: Int
        let extraCells: Int
        init(fields: [Field: Int], line: Int, extraCells: Int) {
            self.fields = fields
            self.line = line
            self.extraCells = extraCells
        }
    }

    let cells: [String]
    let positions: Positions

    /// The value of a field as read (empty when the file had no such column).
    package subscript(_ field: Field) -> String { cells[positions.fields[field]!] }

    /// The physical line of the original file the row starts on.
    package var line: Int { Int(cells[positions.line]) ?? 0 }

    /// The non-empty cells the row had beyond the header (empty for a normal row).
    package var extraCells: String { cells[positions.extraCells] }
}
