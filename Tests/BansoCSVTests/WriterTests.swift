import BansoCSV
import BansoTestSupport
import Foundation
import SystemPackage
import Testing

@Suite("CSV writer")
struct WriterTests {
    static let awkward: [[String]] = [
        ["事業所名", "自由記述", "人数"],
        ["㈱髙橋ケア", "①夜勤\r\n②研修", "12"],
        ["ｶﾀｶﾅ \"quoted\"", "a, b", "-3.5"],
        [" leading space", "", "0"],
        ["=SUM(A1)", "+81", "@x"],
    ]

    @Test(
        "round trip through the reader", arguments: [TextEncoding.utf8, .utf8BOM, .cp932],
        [CSVWriteOptions.Newline.lf, .crlf])
    func roundTrip(_ encoding: TextEncoding, _ newline: CSVWriteOptions.Newline) throws {
        let bytes = try CSVWriter.encode(Self.awkward, options: CSVWriteOptions(encoding: encoding, newline: newline))
        let read = try CSVReader.readAll(bytes: bytes, options: CSVReadOptions(chunkSize: 3))
        #expect(read.records == Self.awkward)
        #expect(read.summary.encoding.encoding == encoding)
        #expect(read.summary.lineEnding == (newline == .lf ? .lf : .crlf))
    }

    @Test(
        "whole numbers appended as bytes read as String writes them",
        arguments: [0, 7, 9, 10, 99, 100, 1_000_000, -1, -10, -120, Int.max, Int.min])
    func integers(_ value: Int) {
        var out: [UInt8] = [0x41]
        CSVWriter.appendInteger(value, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "A" + String(value))
    }

    @Test("the formula guard prefixes text cells Excel would run, not numbers")
    func formulaGuard() throws {
        let cases: [(String, Bool)] = [
            ("=cmd|' /C calc'!A0", true), ("+81-3-0000", true), ("-2", false), ("-12.5", false),
            ("+3", false), ("@SUM(A1)", true), ("\tx", true), ("\rx", true), ("-", true),
            ("普通の文", false), ("12", false), ("", false), ("1-2", false),
        ]
        for (text, guarded) in cases {
            #expect(CSVWriter.needsFormulaGuard(text) == guarded, "\(text)")
        }
        let bytes = try CSVWriter.encode([["=1+1", "-5", "@a"]], options: .excel(.utf8))
        #expect(String(decoding: bytes, as: UTF8.self) == "'=1+1,-5,'@a\r\n")
    }

    @Test("a character CP932 cannot hold is an error naming the value, or replaced when asked")
    func unencodable() throws {
        #expect {
            _ = try CSVWriter.encode([["名前", "🍣寿司"]], options: CSVWriteOptions(encoding: .cp932))
        } throws: { error in
            (error as? TextEncoder.UnencodableError)?.value == "🍣寿司"
        }
        let replaced = try CSVWriter.encode(
            [["🍣寿司"]], options: CSVWriteOptions(encoding: .cp932, replaceUnencodable: true))
        #expect(TextEncoder.decodeCP932(replaced) == "?寿司\n")
    }

    @Test("AtomicFile leaves nothing behind when not committed")
    func atomic() throws {
        let path = NSTemporaryDirectory() + "banso-atomic-\(getpid()).csv"
        do {
            let f = try AtomicFile(path: FilePath(path))
            try f.write("half")
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter {
            $0.hasPrefix("banso-atomic-\(getpid()).csv.tmp")
        }
        #expect(leftovers.isEmpty)
        try AtomicFile.write(Array("whole".utf8), to: FilePath(path), permissions: 0o600)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "whole")
        let perms = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(perms == 0o600)
    }
}

/// No longer serialized: a staging folder's writes belong to the run that fills it, not to the process.
@Suite("atomic files in a staging folder")
struct StagingWriteTests {
    /// Runs `body` on a new folder, as a run fills its staging folder (with its own `StagingWrites`).
    func inStaging(_ body: (String, StagingWrites) throws -> Void) throws {
        let dir = NSTemporaryDirectory() + "banso-atomic-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try body(dir, StagingWrites())
    }

    @Test("a new file is written in place; one left uncommitted is removed")
    func inPlace() throws {
        try inStaging { dir, staging in
            let file = try AtomicFile(path: FilePath(dir + "/a.csv"), staging: staging)
            try file.write(Array("x,y\n".utf8))
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["a.csv"])
            try file.commit()
            #expect(FileManager.default.contents(atPath: dir + "/a.csv") == Data("x,y\n".utf8))
            do {
                let abandoned = try AtomicFile(path: FilePath(dir + "/b.csv"), staging: staging)
                try abandoned.write(Array("half".utf8))
            }
            #expect(!FileManager.default.fileExists(atPath: dir + "/b.csv"))
        }
    }

    @Test("an existing file is replaced, never written through: its hard links keep their bytes")
    func existingReplaced() throws {
        try inStaging { dir, staging in
            try Data("old".utf8).write(to: URL(fileURLWithPath: dir + "/published.csv"))
            try FileManager.default.linkItem(atPath: dir + "/published.csv", toPath: dir + "/staged.csv")
            try AtomicFile.write(Array("new".utf8), to: FilePath(dir + "/staged.csv"), staging: staging)
            #expect(FileManager.default.contents(atPath: dir + "/staged.csv") == Data("new".utf8))
            #expect(FileManager.default.contents(atPath: dir + "/published.csv") == Data("old".utf8))
        }
    }

    @Test("the digest taken while writing is the file's SHA-256, and is forgotten once the file is replaced")
    func digest() throws {
        try inStaging { dir, staging in
            let path = dir + "/w.csv"
            let file = try AtomicFile(path: FilePath(path), staging: staging)
            // More than one flush (1 MB each), so the digest covers every part.
            let bytes = (0..<2_500_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
            try file.write(bytes)
            try file.commit()
            // SHA-256 of the same bytes, from a tool outside the program.
            let shasum = Process()
            shasum.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
            shasum.arguments = [path]
            let pipe = Pipe()
            shasum.standardOutput = pipe
            try shasum.run()
            shasum.waitUntilExit()
            let expected = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile().prefix(64), as: UTF8.self)
            #expect(staging.recordedDigest(of: FilePath(path)) == expected)
            #expect(
                StagingWrites().recordedDigest(of: FilePath(path)) == nil, "another run's writes know nothing of it")
            // Replaced by another writer (a rename over it): the recorded digest no longer applies.
            try Data("other".utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            #expect(staging.recordedDigest(of: FilePath(path)) == nil)
        }
    }
}
