import BansoCSV
import BansoCore
import BansoTestSupport
import Foundation
import SystemPackage
import Testing

/// What a bad file should produce: the exit status and a phrase of the message.
struct BadInput: CustomTestStringConvertible, Sendable {
    let name: String
    /// The file under input/ to replace, and its new bytes.
    let file: String
    let bytes: @Sendable () -> [UInt8]
    let status: Int32
    let phrase: String
    var testDescription: String { name }
}

let estHeader = "事業所番号,事業所名,市区町村コード,サービス種別,回答日,介護職員数_正規,自由記述\r\n"
let estRow = "2010001007,さくら,202011,15,2025-10-01,5,なし\r\n"

let badInputs: [BadInput] = [
    BadInput(
        name: "a tab-separated file saved as .csv, with quotes", file: "establishments_01.csv",
        bytes: {
            Array(
                (estHeader.replacingOccurrences(of: ",", with: "\t")
                    + "2010001007\t\"さくら\"\t202011\t15\t2025-10-01\t5\t\"な\"し\"\r\n").utf8)
        }, status: 1, phrase: "the file is tab-separated; set delimiter = \"\\t\""),
    BadInput(
        name: "two byte-order marks", file: "establishments_01.csv",
        bytes: { [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF] + Array((estHeader + estRow).utf8) }, status: 1,
        phrase: "The file starts with two byte-order marks (BOM)"),
    BadInput(
        name: "empty file", file: "establishments_01.csv", bytes: { [] }, status: 1, phrase: "empty file: no header row"
    ),
    BadInput(
        name: "only delimiters", file: "establishments_01.csv", bytes: { Array(",,,,\r\n,,,,\r\n".utf8) }, status: 1,
        phrase: "empty file: no header row (2 blank rows)"),
    BadInput(
        name: "header only", file: "establishments_01.csv", bytes: { Array(estHeader.utf8) }, status: 0, phrase: ""),
    BadInput(
        name: "CP932 in the middle of a UTF-8 file", file: "establishments_01.csv",
        bytes: {
            Array((estHeader + estRow).utf8) + Array(repeating: 0x20, count: 5000) + Array("\r\n".utf8)
                + (try! TextEncoder.encode("2010001015,髙橋,202011,15,2025-10-01,5,x\r\n", as: .cp932))
        },
        status: 1, phrase: "invalid UTF-8 byte"),
    BadInput(
        name: "invalid UTF-8, not CP932 either", file: "establishments_01.csv",
        bytes: { Array(estHeader.utf8) + [0x80, 0xFF, 0xFE] + Array(estRow.utf8) },
        status: 1, phrase: "invalid UTF-8 byte: the file reads as UTF-8 up to here"),
    BadInput(
        name: "CP932 lead byte at the end", file: "establishments_01.csv",
        bytes: { (try! TextEncoder.encode(estHeader + estRow, as: .cp932)) + [0x82] },
        status: 1, phrase: "ends inside a CP932 character"),
    BadInput(
        name: "NUL bytes", file: "establishments_01.csv",
        bytes: { Array(estHeader.utf8) + [0, 0] + Array(estRow.utf8) }, status: 1, phrase: "NUL byte"),
    BadInput(
        name: "unterminated quote at the end", file: "establishments_01.csv",
        bytes: { Array((estHeader + estRow + "2010001015,\"never closed").utf8) },
        status: 1, phrase: "unterminated quoted field"),
    BadInput(
        name: "duplicate header names", file: "establishments_01.csv",
        bytes: {
            Array(("事業所番号,市区町村コード,サービス種別,回答日,事業所 番号\r\n" + "2010001007,202011,15,2025-10-01,2010001007\r\n").utf8)
        },
        status: 1, phrase: "both map to establishment_id"),
    BadInput(
        name: "another prefecture's wording without a mapping", file: "establishments_01.csv",
        bytes: { Array(("事業所コード,市区町村コード,サービス種別,回答日\r\n2010001007,202011,15,2025-10-01\r\n").utf8) },
        status: 1, phrase: "required column missing: 事業所番号 (establishment_id); headers seen: \"事業所コード\""),
    BadInput(
        name: "a master with a duplicated code", file: "municipalities.csv",
        bytes: {
            Array(
                "市区町村コード,市区町村名,人口,65歳以上人口,75歳以上人口,面積,担当者メール\n202011,長野市,370000,110000,60000,834.81,a@x.jp\n202011,長野市,370000,110000,60000,834.81,a@x.jp\n"
                    .utf8)
        },
        status: 1, phrase: "市区町村コード 202011 appears again (first on line 2)"),
    BadInput(
        name: "100,000 columns in a row", file: "establishments_01.csv",
        bytes: { Array((estHeader + estRow.dropLast(2) + String(repeating: ",x", count: 100_000) + "\r\n").utf8) },
        status: 0, phrase: ""),
    BadInput(
        name: "a 50 MB field", file: "establishments_01.csv",
        bytes: {
            Array(
                (estHeader + "2010001007,さくら,202011,15,2025-10-01,5,\""
                    + String(repeating: "長い自由記述,", count: 50_000_000 / 19) + "\"\r\n").utf8)
        },
        status: 0, phrase: ""),
]

@Suite("bad input", .serialized)
struct BadInputTests {
    @Test("each bad file: a specific message, the documented exit status, latest untouched", arguments: badInputs)
    func bad(_ b: BadInput) throws {
        let w = try Workspace(establishments: 60, workers: 200)
        #expect(try w.run(["--quiet"]).0 == 0)
        let before = w.latestTarget()
        TestSupport.write(b.bytes(), to: w.root + "/input/" + b.file)
        let (status, _, err) = try w.run(["--quiet"])
        #expect(status == b.status, "\(err)")
        if !b.phrase.isEmpty { #expect(err.contains(b.phrase), "\(err.prefix(600))") }
        if b.status != 0 {
            #expect(err.contains(b.file))
            #expect(w.latestTarget() == before)
            let staging = try FileManager.default.contentsOfDirectory(atPath: w.output + "/runs").filter {
                $0.hasPrefix(".staging")
            }
            #expect(staging.isEmpty)
        }
    }

    @Test(
        "pipeline files pointing at a directory or a missing file exit 2",
        arguments: [
            ("master = \"municipalities.csv\"", "master = \".\"", "is a directory"),
            ("master = \"municipalities.csv\"", "master = \"nowhere.csv\"", "no such file"),
            ("paths = [\"establishments_*.csv\"]", "paths = [\"nothing_*.csv\"]", "matches no file"),
        ])
    func badPipeline(_ find: String, _ replace: String, _ phrase: String) throws {
        let w = try Workspace(establishments: 60, workers: 200)
        let text = try String(contentsOfFile: w.pipeline, encoding: .utf8)
        try text.replacingOccurrences(of: find, with: replace).write(
            toFile: w.pipeline, atomically: true, encoding: .utf8)
        let (status, _, err) = try w.run(["--quiet"])
        #expect(status == 2)
        #expect(err.contains(phrase) && err.contains("p.toml: key 'inputs."), "\(err)")
        #expect(!FileManager.default.fileExists(atPath: w.output + "/latest"))
    }

    @Test("on_file_error = continue keeps going without the bad file, and says so")
    func continueMode() throws {
        let w = try Workspace(establishments: 60, workers: 200, extra: "")
        let text = try String(contentsOfFile: w.pipeline, encoding: .utf8)
        try text.replacingOccurrences(of: "[inputs]\n", with: "[inputs]\non_file_error = \"continue\"\n").write(
            toFile: w.pipeline, atomically: true, encoding: .utf8)
        TestSupport.write([0, 1, 2], to: w.root + "/input/establishments_02.csv")
        let (status, _, err) = try w.run(["--quiet"])
        #expect(status == 0, "\(err)")
        let report = try String(contentsOfFile: w.latest + "/clean/report.json", encoding: .utf8)
        #expect(report.contains("rejected whole"))
    }
}
