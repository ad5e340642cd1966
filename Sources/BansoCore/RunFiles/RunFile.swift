import BansoCSV
import Foundation
import SystemPackage

/// A path inside a run folder that a stage reads: what the runner fingerprints.
///
/// Stages declare their reads as a list of these, built from the same descriptors their code
/// reads through, so the runner's up-to-date decision and the code cannot disagree.
package struct RunFileID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Relative to the run folder; a folder stands for every file under it.
    package let path: String
    package init(_ path: String) { self.path = path }
    package static func < (a: RunFileID, b: RunFileID) -> Bool { a.path < b.path }
    package var description: String { path }
}

/// Anything that names a file or folder in a run folder.
package protocol RunFileDescriptor: Sendable {
    var id: RunFileID { get }
}

extension RunFileDescriptor {
    /// The absolute path in a run folder.
    package func path(in layout: RunLayout) -> FilePath { layout.path(id.path) }
}

/// A folder of a run (ingest's canonical copies, whose names depend on the inputs).
package struct RunFolder: RunFileDescriptor {
    package let id: RunFileID
    package init(_ path: String) { id = RunFileID(path) }
}

/// The columns of a CSV file that crosses a stage boundary, in the order they are written.
public protocol RunFileColumns: RawRepresentable<String>, CaseIterable, Hashable, Sendable where AllCases == [Self] {}

extension RunFileColumns {
    /// The header row.
    package static var header: [String] { allCases.map(\.rawValue) }
    /// Where the column sits in every file written with this header.
    package var position: Int { Self.allCases.firstIndex(of: self)! }
}

/// One record of a typed run file, read by column name.
package struct TypedRow<Column: RunFileColumns> {
    package let record: CSVRecord
    /// The run file's path, for messages.
    package let file: String

    func malformed(_ column: Column, _ text: String, _ expected: String) -> StageFailure {
        StageFailure(
            .data, at: .init(file: file, line: record.line, field: column.rawValue),
            "\"\(text)\" is not \(expected); "
                + "the file was changed by hand or written by another version: run the stage that writes it again")
    }
}

/// Checks a header row against the declared columns.
func checkHeader<Column: RunFileColumns>(_ record: CSVRecord, _ type: Column.Type, file: String) throws {
    let found = record.strings
    guard found == Column.header else {
        throw StageFailure(
            .data, at: .init(file: file),
            "columns are \(found.joined(separator: ",")), expected \(Column.header.joined(separator: ",")); "
                + "run the stage that writes it again")
    }
}

/// A small CSV file of typed rows that one stage writes and later stages read whole.
package struct CSVRunFile<Row: RunFileRow>: RunFileDescriptor {
    package let id: RunFileID
    /// 0600 for files that hold establishment numbers or unsuppressed values.
    package let permissions: mode_t

    package init(_ path: String, permissions: mode_t = 0o644) {
        id = RunFileID(path)
        self.permissions = permissions
    }

    /// True when the run folder has the file (optional inputs give optional files).
    package func exists(in layout: RunLayout) -> Bool {
        FileManager.default.fileExists(atPath: path(in: layout).string)
    }

    /// Every row; an error naming the stage to run when the file is missing.
    package func read(in layout: RunLayout) throws -> [Row] { try read(file: path(in: layout)) }

    /// Every row of a file with these columns anywhere (an earlier wave's published file, say).
    package func read(file path: FilePath) throws -> [Row] {
        let full = path.string
        guard FileManager.default.fileExists(atPath: full) else {
            throw StageFailure(.data, at: .init(file: full), "does not exist; run the stage that writes it first")
        }
        var rows: [Row] = []
        var header = false
        let positions = ColumnPositions<Row.Column>()
        try CSVReader.read(path: path, options: CSVReadOptions(encoding: .utf8)) { r in
            if header {
                rows.append(try Row(TypedRow(record: r, file: full), positions: positions))
            } else {
                try checkHeader(r, Row.Column.self, file: full)
                header = true
            }
        }
        return rows
    }

    /// The rows, or none when the file is absent (an optional input was not given).
    package func readIfPresent(in layout: RunLayout) throws -> [Row] {
        exists(in: layout) ? try read(in: layout) : []
    }

    /// Reads the file a stage declared; an internal error when it did not declare it.
    package func read(_ ctx: StageContext) throws -> [Row] {
        try ctx.checkDeclared(self)
        return try read(in: ctx.layout)
    }

    /// Reads an optional file a stage declared.
    package func readIfPresent(_ ctx: StageContext) throws -> [Row] {
        try ctx.checkDeclared(self)
        return try readIfPresent(in: ctx.layout)
    }

    /// Writes every row (header first), atomically.
    package func write(_ rows: [Row], in layout: RunLayout) throws {
        let w = try CSVWriter(
            path: path(in: layout), options: CSVWriteOptions(permissions: permissions, staging: layout.staging))
        try w.write(Row.Column.header)
        let positions = ColumnPositions<Row.Column>()
        for r in rows { try w.write(r.cells(positions)) }
        try w.finish()
    }
}

/// A large CSV run file read as a stream of byte records (no String per cell on the hot path).
package struct StreamedCSVFile<Column: RunFileColumns>: RunFileDescriptor {
    package let id: RunFileID
    package let permissions: mode_t

    package init(_ path: String, permissions: mode_t = 0o644) {
        id = RunFileID(path)
        self.permissions = permissions
    }

    /// A writer with the header already written; rows are added with `writeRaw`/`writeBytes`.
    package func writer(in layout: RunLayout) throws -> CSVWriter {
        let w = try CSVWriter(
            path: path(in: layout), options: CSVWriteOptions(permissions: permissions, staging: layout.staging))
        try w.write(Column.header)
        return w
    }

    /// Streams the data records of a file with this header (any path: clean also reads ingest's copies).
    package static func stream(path file: FilePath, _ body: (CSVRecord) throws -> Void) throws {
        let path = file.string
        guard FileManager.default.fileExists(atPath: path) else {
            throw StageFailure(.data, at: .init(file: path), "does not exist; run the stage that writes it first")
        }
        try withoutActuallyEscaping(body) { body in
            var header = false
            try CSVReader.read(path: file, options: CSVReadOptions(encoding: .utf8)) { r in
                if header {
                    try body(r)
                } else {
                    try checkHeader(r, Column.self, file: path)
                    header = true
                }
            }
        }
    }

    /// Streams the records of the file a stage declared.
    package func stream(_ ctx: StageContext, _ body: (CSVRecord) throws -> Void) throws {
        try ctx.checkDeclared(self)
        try Self.stream(path: path(in: ctx.layout), body)
    }

    /// Streams the records in a finished run (analyst tools).
    package func stream(in layout: RunLayout, _ body: (CSVRecord) throws -> Void) throws {
        try Self.stream(path: path(in: layout), body)
    }
}

extension CSVRecord {
    /// The bytes of a named column (empty when the record is shorter).
    @inlinable package subscript<Column: RunFileColumns>(_ column: ColumnIndex<Column>) -> ArraySlice<UInt8> {
        column.position < count ? self[column.position] : []
    }
}

extension CSVFields {
    /// The bytes of a named column (empty when the record is shorter).
    @inlinable package subscript<Column: RunFileColumns>(_ column: ColumnIndex<Column>) -> UnsafeBufferPointer<UInt8> {
        self[column.position]
    }
}

/// A column's position, resolved once before a hot loop.
public struct ColumnIndex<Column: RunFileColumns>: Sendable {
    public let position: Int
    public init(_ column: Column) { position = column.position }
}

/// A JSON file one stage writes and later stages or tools read.
package struct JSONRunFile<Value: Codable>: RunFileDescriptor {
    package let id: RunFileID
    package let permissions: mode_t

    package init(_ path: String, permissions: mode_t = 0o644) {
        id = RunFileID(path)
        self.permissions = permissions
    }

    package func read(in layout: RunLayout) throws -> Value { try JSONFile.read(Value.self, from: path(in: layout)) }

    package func read(_ ctx: StageContext) throws -> Value {
        try ctx.checkDeclared(self)
        return try read(in: ctx.layout)
    }

    package func write(_ value: Value, in layout: RunLayout) throws {
        try JSONFile.write(value, to: path(in: layout), permissions: permissions, staging: layout.staging)
    }
}
