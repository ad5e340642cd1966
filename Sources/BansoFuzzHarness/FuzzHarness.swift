import BansoCSV
import BansoClean
import BansoCore
import BansoIngest

/// What the fuzz target runs on one input, shared with the regression tests so that every
/// crash the fuzzer found is replayed by `swift test`.
public enum FuzzHarness {
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
                        EstablishmentField.keyed(fields), line: record.line, prefecture: "20", known: ["202011"])
                } else {
                    _ = RowCheck.worker(WorkerField.keyed(fields), line: record.line, prefecture: "20")
                }
                _ = mapping.problem(kind: kind, header: h)
            }
        }
        return min(rows, 50)
    }
}
