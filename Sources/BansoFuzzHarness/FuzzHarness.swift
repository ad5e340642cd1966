import BansoCSV
import BansoClean
import BansoCore
import BansoIngest
import BansoPackets
import Foundation

/// What the fuzz target runs on one input, shared with the regression tests so that every
/// crash the fuzzer found is replayed by `swift test`.
public enum FuzzHarness {
    /// The prefecture the rows are checked for (長野県, as in the sample).
    static let nagano = PrefectureCode("20")!

    /// Reads `bytes` as CSV (the first byte picks a chunk size of 1–16, so chunk boundaries land everywhere; the second
    /// picks comma or tab), maps the first record as the header of both survey kinds and checks up to 50 rows as clean
    /// would.
    ///
    /// Errors are expected; crashes are bugs. Returns how many rows were checked.
    @discardableResult
    public static func run(_ bytes: [UInt8]) -> Int {
        let chunk = bytes.isEmpty ? 1 : Int(bytes[0] % 16) + 1
        let delimiter: UInt8 = bytes.count > 1 && bytes[1] & 1 == 1 ? 0x09 : 0x2C
        var header: [String]?
        var rows = 0
        _ = try? CSVReader.read(
            bytes: bytes, options: CSVReadOptions(delimiter: delimiter, encoding: .auto, chunkSize: chunk)
        ) { record in
            guard let h = header else {
                header = record.strings
                return
            }
            rows += 1
            guard rows <= 50 else { return }
            _ = IngestStage.isNoteRow(record)
            _ = IngestStage.splitThousands(record)
            _ = DateParser.parse(record.string(0))
            // The byte fast paths must read every cell exactly as the String parsers do.
            if record.count > 0 {
                let cell = record[0], text = record.string(0)
                precondition(DateParser.parse(bytes: cell) == DateParser.parse(text), "date fast path")
                precondition(
                    NumberParser.parse(bytes: cell, allowMan: true) == NumberParser.parse(text, allowMan: true),
                    "number fast path")
            }
            for kind in [InputKind.establishments, .workers] {
                let mapping = HeaderMapping(header: h, kind: kind, custom: [:])
                var fields: [String: String] = [:]
                for (field, column) in mapping.columns where column < record.count {
                    fields[field] = record.string(column)
                }
                if kind == .establishments {
                    _ = RowCheck.establishment(
                        EstablishmentField.keyed(fields), line: record.line, prefecture: nagano,
                        known: [MunicipalityCode("202011")!])
                } else {
                    _ = RowCheck.worker(WorkerField.keyed(fields), line: record.line, prefecture: nagano)
                }
                _ = mapping.problem(kind: kind, header: h)
            }
        }
        return min(rows, 50)
    }

    /// Reads `bytes` as the prefecture's report template (the first byte picks which of the
    /// three it replaces) and renders it with no values: errors are expected, crashes and hangs
    /// are bugs (a template including itself once overflowed the stack).
    public static func runTemplate(_ bytes: [UInt8]) {
        let names = ["report.mustache", "prefecture_summary.mustache", "letter.mustache"]
        let name = names[Int(bytes.first ?? 0) % names.count]
        let source = String(decoding: bytes.dropFirst(), as: UTF8.self)
        guard let templates = try? Templates(sources: [name: source]) else { return }
        struct Empty: Encodable {}
        _ = templates.renderForTest(Empty(), String(name.dropLast(".mustache".count)))
    }

    /// Reads `bytes` as a GeoJSON or TopoJSON boundaries file: errors are expected, crashes are
    /// bugs (an arc index past the end once trapped).
    public static func runBoundaries(_ bytes: [UInt8]) {
        _ = try? Boundaries.load(
            data: Data(bytes), path: "<fuzz>",
            known: Set(["202011", "202029", "011002"].compactMap(MunicipalityCode.init)))
    }
}
