import BansoCSV
import BansoTestSupport
import Foundation
import SystemPackage
import Testing

/// Reads bytes with the given chunk size and returns (records, lines, summary).
func read(_ bytes: [UInt8], chunk: Int = 4096, encoding: EncodingChoice = .auto, delimiter: UInt8 = 0x2C) throws -> (
    [[String]], [Int], CSVReadSummary
) {
    let r = try CSVReader.readAll(
        bytes: bytes, options: CSVReadOptions(delimiter: delimiter, encoding: encoding, chunkSize: chunk))
    return (r.records, r.lines, r.summary)
}

func cp932(_ text: String) -> [UInt8] { try! TextEncoder.encode(text, as: .cp932) }

@Suite("CSV reader")
struct ReaderTests {
    @Test("line ends", arguments: [("\r\n", LineEnding.crlf), ("\n", .lf), ("\r", .cr)])
    func lineEnds(_ nl: String, _ expected: LineEnding) throws {
        let text = "a,b\(nl)1,2\(nl)3,4\(nl)"
        let (records, lines, summary) = try read(Array(text.utf8))
        #expect(records == [["a", "b"], ["1", "2"], ["3", "4"]])
        #expect(lines == [1, 2, 3])
        #expect(summary.lineEnding == expected)
        #expect(summary.blankRowsSkipped == 0)
    }

    @Test("quoted commas, doubled quotes and line breaks keep physical line numbers", arguments: [1, 2, 3, 7, 4096])
    func quoting(chunk: Int) throws {
        let text =
            "id,comment\r\n1,\"a, b\"\r\n2,\"say \"\"hi\"\"\"\r\n3,\"two\r\nlines\"\r\n4,\"lf\nonly\"\r\n5,end\r\n"
        let (records, lines, _) = try read(Array(text.utf8), chunk: chunk)
        #expect(
            records == [
                ["id", "comment"], ["1", "a, b"], ["2", "say \"hi\""], ["3", "two\r\nlines"], ["4", "lf\nonly"],
                ["5", "end"],
            ])
        #expect(lines == [1, 2, 3, 4, 6, 8])
    }

    @Test("UTF-8 byte-order mark is detected and stripped")
    func bom() throws {
        let (records, _, summary) = try read([0xEF, 0xBB, 0xBF] + Array("事業所番号,人数\n0112345678,12\n".utf8))
        #expect(records[0] == ["事業所番号", "人数"])
        #expect(summary.encoding.encoding == .utf8BOM)
    }

    @Test("CP932 with ①, ㈱, 髙 and half-width katakana, split at every chunk size", arguments: [1, 2, 3, 7, 4096])
    func cp932File(chunk: Int) throws {
        let text = "事業所名,備考\r\n㈱髙橋ケア,①夜勤②研修\r\nｶﾀｶﾅ,\"改行\r\nあり\"\r\n"
        let (records, lines, summary) = try read(cp932(text), chunk: chunk)
        #expect(summary.encoding.encoding == .cp932)
        #expect(records == [["事業所名", "備考"], ["㈱髙橋ケア", "①夜勤②研修"], ["ｶﾀｶﾅ", "改行\r\nあり"]])
        #expect(lines == [1, 2, 3])
    }

    @Test("a UTF-8 character split across chunks", arguments: [1, 2, 3, 7])
    func utf8Split(chunk: Int) throws {
        let (records, _, summary) = try read(Array("名前,値\n髙橋,１２人\n".utf8), chunk: chunk)
        #expect(records == [["名前", "値"], ["髙橋", "１２人"]])
        #expect(summary.encoding.encoding == .utf8)
    }

    @Test("blank rows, delimiter-only rows and a last row without a newline")
    func blanks() throws {
        let text = "\n\na,b\n1,2\n,,\n\n ,\n3,4"
        let (records, lines, summary) = try read(Array(text.utf8))
        #expect(records == [["a", "b"], ["1", "2"], ["3", "4"]])
        #expect(lines == [3, 4, 8])
        #expect(summary.blankRowsSkipped == 5)
        #expect(summary.records == 3)
    }

    @Test("tab delimiter")
    func tab() throws {
        let (records, _, _) = try read(Array("a\tb\n1,5\t2\n".utf8), delimiter: 0x09)
        #expect(records == [["a", "b"], ["1,5", "2"]])
    }

    @Test("an unterminated quote names the line where the record starts")
    func unterminated() throws {
        let text = "a,b\n1,2\n3,\"never closed\n4,5\n"
        #expect {
            _ = try read(Array(text.utf8))
        } throws: { error in
            guard let e = error as? CSVReadError else { return false }
            return e.kind == .unterminatedQuote && e.line == 3 && e.byteOffset == text.utf8.count
        }
    }

    @Test("a quote inside an unquoted field is a strict error with line and offset")
    func malformed() throws {
        #expect {
            _ = try read(Array("a,b\n1,2\"x\n".utf8))
        } throws: { error in
            guard let e = error as? CSVReadError else { return false }
            return e.kind == .malformedQuote && e.line == 2 && e.byteOffset == 7
        }
    }

    @Test("an empty file has no records")
    func empty() throws {
        let (records, _, summary) = try read([])
        #expect(records.isEmpty)
        #expect(summary.encoding.reason == "empty file")
    }

    @Test("a header-only file has one record")
    func headerOnly() throws {
        let (records, _, _) = try read(Array("事業所番号,市区町村コード\r\n".utf8))
        #expect(records == [["事業所番号", "市区町村コード"]])
    }

    @Test("a NUL byte is refused with its offset")
    func nul() throws {
        #expect {
            _ = try read(Array("a,b\n1,".utf8) + [0] + Array("2\n".utf8))
        } throws: { error in
            (error as? CSVReadError).map { $0.kind == .nulByte && $0.byteOffset == 6 } ?? false
        }
    }

    @Test("a 5 MB field")
    func bigField() throws {
        let big = String(repeating: "あいう,", count: 5 * 1024 * 1024 / 10)
        let (records, _, _) = try read(Array("a,b\n1,\"\(big)\"\n".utf8), chunk: 65536)
        #expect(records[1][1] == big)
    }

    @Test("neither UTF-8 nor CP932 is rejected with the first bad offset")
    func neither() throws {
        // 0x80 is not a CP932 lead byte and not valid UTF-8.
        let bytes = Array("a,b\n1,".utf8) + [0x80, 0x80] + Array("\n".utf8)
        #expect {
            _ = try read(bytes)
        } throws: { error in
            (error as? CSVReadError).map { $0.kind == .encoding && $0.byteOffset == 6 } ?? false
        }
    }

    @Test("UTF-8 that turns into CP932 mid-file is refused")
    func mixed() throws {
        let bytes =
            Array("名前\n髙橋\n".utf8) + Array(repeating: UInt8(ascii: "x"), count: 5000) + Array("\n".utf8) + cp932("髙橋\n")
        #expect {
            _ = try read(bytes, chunk: 1024)
        } throws: { error in
            (error as? CSVReadError).map { $0.kind == .encoding && $0.byteOffset == bytes.count - 5 } ?? false
        }
    }

    @Test("a CP932 lead byte at the end of the file")
    func leadByteAtEnd() throws {
        let bytes = cp932("名前\n髙橋\n") + [0x82]
        #expect {
            _ = try read(bytes)
        } throws: { error in
            (error as? CSVReadError).map { $0.kind == .encoding && $0.byteOffset == bytes.count - 1 } ?? false
        }
    }

    @Test("forcing an encoding overrides detection")
    func forced() throws {
        let (_, _, summary) = try read(Array("a\nb\n".utf8), encoding: .cp932)
        #expect(summary.encoding.encoding == .cp932)
    }

    @Test("reading from a file streams it and names it in errors")
    func fromFile() throws {
        let path = NSTemporaryDirectory() + "banso-reader-\(getpid()).csv"
        try Data("a,b\n1,\"x\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try CSVReader.read(path: FilePath(path)) { _ in }
        } throws: { error in
            (error as? CSVReadError).map { $0.description.hasPrefix(path + ": line 2") } ?? false
        }
        #expect(throws: CSVReadError.self) { try CSVReader.read(path: FilePath(NSTemporaryDirectory())) { _ in } }
    }
}

/// Decoding ahead on another thread must not change a single record, line or error.
@Suite("decoding ahead")
struct DecodeAheadTests {
    /// Records with their lines and the summary, or the error, as text to compare.
    static func outcome(_ bytes: [UInt8], chunk: Int, ahead: Bool, stopAt: Int? = nil) -> String {
        struct Stop: Error {}
        var out: [String] = []
        do {
            let summary = try CSVReader.read(
                bytes: bytes, options: CSVReadOptions(chunkSize: chunk, decodeAhead: ahead)
            ) { r in
                if r.line == stopAt { throw Stop() }
                out.append("\(r.line): \(r.strings)")
            }
            out.append("\(summary)")
        } catch {
            out.append("error: \(error)")
        }
        return out.joined(separator: "\n")
    }

    static let long = (1...300).map { "\($0),髙橋 ①,\"二行\n目\",１２人" }.joined(separator: "\r\n")
    static let inputs: [(String, [UInt8])] = [
        ("CP932", cp932("番号,氏名,備考,人数\r\n" + long + "\r\n")),
        ("UTF-8 with BOM", [0xEF, 0xBB, 0xBF] + Array(("番号,氏名,備考,人数\n" + long + "\n").utf8)),
        ("a bad byte late in a CP932 file", cp932("番号,氏名\r\n" + long) + [0x82, 0x0A]),
        ("a NUL byte", Array(("a,b\n" + long).utf8) + [0, 0x0A]),
        ("an unterminated quote", Array(("a,b\n" + long + "\n9,\"open").utf8)),
        ("a quote inside a field", cp932("a,b\r\n" + long + "\r\n9,x\"y\r\n")),
    ]

    @Test("same records, lines, summary and errors", arguments: inputs.indices)
    func same(_ k: Int) {
        let (_, bytes) = Self.inputs[k]
        for chunk in [1, 7, 500, 1 << 20] {
            let serial = Self.outcome(bytes, chunk: chunk, ahead: false)
            #expect(Self.outcome(bytes, chunk: chunk, ahead: true) == serial, "\(Self.inputs[k].0), chunk \(chunk)")
        }
    }

    @Test("a handler that throws stops the read the same way")
    func handlerThrows() {
        let bytes = Self.inputs[0].1
        let serial = Self.outcome(bytes, chunk: 64, ahead: false, stopAt: 200)
        #expect(serial.hasPrefix("1: ") && serial.hasSuffix("error: Stop()"))
        #expect(Self.outcome(bytes, chunk: 64, ahead: true, stopAt: 200) == serial)
    }
}

@Suite("field views")
struct FieldViewTests {
    @Test(
        "withFields gives every field's bytes as the subscript does, and empty past the last",
        arguments: [
            [], [""], ["a"], ["", "", ""], ["0110000001", "訪問介護員", "", "29.3万円", "\"引用\", 改行\nあり"],
            Array(repeating: "x", count: 300),
        ] as [[String]])
    func views(_ fields: [String]) {
        let r = CSVRecord(line: 9, fields: fields)
        r.withFields { f in
            #expect(f.count == fields.count)
            for i in 0..<fields.count { #expect(Array(f[i]) == Array(r[i]), "field \(i)") }
            #expect(f[fields.count].isEmpty)
            #expect(f[-1].isEmpty)
        }
    }
}
