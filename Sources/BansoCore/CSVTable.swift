import BansoCSV
import Foundation
import SystemPackage

/// A small CSV table of any columns read fully into memory (analyst tools and tests; stages use
/// the typed descriptors of `RunFiles`).
package struct CSVTable: Sendable {
    package var header: [String]
    package var rows: [[String]]
    private var index: [String: Int]

    package init(header: [String], rows: [[String]]) {
        self.header = header
        self.rows = rows
        index = Dictionary(header.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// A cell by column name ("" when absent).
    package func value(_ row: [String], _ name: String) -> String {
        guard let i = index[name], i < row.count else { return "" }
        return row[i]
    }

    /// Reads a UTF-8 CSV written by Bansō (header first).
    package static func read(_ path: FilePath) throws -> CSVTable {
        guard FileManager.default.fileExists(atPath: path.string) else {
            throw StageFailure(
                .data, at: .init(file: path.string), "does not exist; run the stage that writes it first")
        }
        var header: [String]?
        var rows: [[String]] = []
        try CSVReader.read(path: path, options: CSVReadOptions(encoding: .utf8)) { r in
            if header == nil { header = r.strings } else { rows.append(r.strings) }
        }
        return CSVTable(header: header ?? [], rows: rows)
    }

    /// Writes rows (header first) as UTF-8 CSV, atomically.
    package static func write(_ path: FilePath, header: [String], rows: [[String]], permissions: mode_t = 0o644) throws
    {
        let w = try CSVWriter(path: path, options: CSVWriteOptions(permissions: permissions))
        try w.write(header)
        for r in rows { try w.write(r) }
        try w.finish()
    }
}
