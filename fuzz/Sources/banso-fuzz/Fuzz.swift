import BansoClean
import BansoCore
import BansoCSV
import BansoIngest

/// One input: read as CSV (small chunks, so boundaries land everywhere), map the first record as
/// a header of both survey kinds, and check up to 50 rows as clean would. Any crash is a bug;
/// thrown errors are the expected answer to bad input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let chunk = size > 0 ? Int(bytes[0] % 16) + 1 : 1
    let delimiter: UInt8 = size > 1 && bytes[1] & 1 == 1 ? 0x09 : 0x2C
    var header: [String]?
    var rows = 0
    _ = try? CSVReader.read(bytes: bytes, options: CSVReadOptions(delimiter: delimiter, encoding: .auto, chunkSize: chunk)) { record in
        guard let h = header else { header = record.strings; return }
        rows += 1
        guard rows <= 50 else { return }
        for kind in [InputKind.establishments, .workers] {
            let mapping = HeaderMapping(header: h, kind: kind, custom: [:])
            var fields: [String: String] = [:]
            for (field, column) in mapping.columns where column < record.count { fields[field] = record.string(column) }
            if kind == .establishments {
                _ = RowCheck.establishment(fields, line: record.line, prefecture: "20", known: ["202011"])
            } else {
                _ = RowCheck.worker(fields, line: record.line, prefecture: "20")
            }
            _ = mapping.problem(kind: kind, header: h)
        }
    }
    return 0
}
