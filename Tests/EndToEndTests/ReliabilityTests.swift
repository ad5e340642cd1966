import BansoCSV
import BansoCore
import BansoTestSupport
import Foundation
import SystemPackage
import Testing
import ZIPFoundation

#if canImport(Glibc)
    import Glibc
#endif

/// Total bytes of the files under a folder.
func folderSize(_ path: String) -> Int {
    var total = 0
    let e = FileManager.default.enumerator(atPath: path)
    while let rel = e?.nextObject() as? String {
        total += ((try? FileManager.default.attributesOfItem(atPath: path + "/" + rel))?[.size] as? Int) ?? 0
    }
    return total
}

@Suite("reliability and security", .serialized)
struct ReliabilityTests {
    @Test("a full disk gives a clear error, status 4, and no published half-output")
    func diskFull() throws {
        let w = try Workspace(establishments: 60, workers: 300)
        #expect(try w.run(["--quiet"]).0 == 0)
        let runSize = folderSize(w.output + "/" + w.latestTarget()!) + folderSize(w.history)
        // A small tmpfs that holds one run but not two (root only; CI runs as root).
        let mountPoint = TestSupport.temporaryFolder("banso-full")
        let size = runSize * 3 / 2 + 256 * 1024
        let (mounted, _, _) = try TestSupport.run(
            "/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", mountPoint])
        var args = ["--quiet", "--output", mountPoint + "/out"]
        var environment: [String: String]?
        if mounted != 0 {
            // No mount here: simulate with a file-size limit (writes then fail with EFBIG).
            environment = ProcessInfo.processInfo.environment
            args = ["--quiet"]
        }
        defer { if mounted == 0 { _ = try? TestSupport.run("/bin/umount", [mountPoint]) } }
        let banso = Workspace.bin + "/banso"
        if mounted == 0 {
            let (first, _, err) = try TestSupport.run(banso, ["run", w.pipeline] + args)
            #expect(first == 0, "\(err)")
        }
        let outputRoot = mounted == 0 ? mountPoint + "/out" : w.output
        let before = try FileManager.default.destinationOfSymbolicLink(atPath: outputRoot + "/latest")
        let (status, _, err): (Int32, String, String)
        if mounted == 0 {
            (status, _, err) = try TestSupport.run(banso, ["run", w.pipeline, "--force"] + args)
        } else {
            (status, _, err) = try TestSupport.run(
                "/bin/bash",
                ["-c", "ulimit -f 64; trap '' XFSZ; exec \"$0\" run \"$1\" --force --quiet", banso, w.pipeline],
                environment: environment)
        }
        #expect(status == 4, "\(err)")
        #expect(err.contains("stage ") && err.contains("failed"), "\(err)")
        #expect(["No space left on device", "File too large", "disk is full"].contains { err.contains($0) }, "\(err)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: outputRoot + "/latest") == before)
        let staging = try FileManager.default.contentsOfDirectory(atPath: outputRoot + "/runs").filter {
            $0.hasPrefix(".staging")
        }
        #expect(staging.isEmpty)
    }

    @Test("internal data is not readable by other users")
    func permissions() throws {
        let w = try Workspace(establishments: 60, workers: 300)
        #expect(try w.run(["--quiet"]).0 == 0)
        let run = w.output + "/" + w.latestTarget()!
        func mode(_ p: String) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: p)[.posixPermissions] as? Int) ?? -1
        }
        for dir in ["ingest", "clean", "internal"] { #expect(try mode(run + "/" + dir) == 0o700, "\(dir)") }
        for file in [
            "clean/workers.csv", "clean/establishments.csv", "clean/rejects.csv", "internal/indicators.csv",
            "ingest/report.json",
        ] {
            #expect(try mode(run + "/" + file) == 0o600, "\(file)")
        }
        #expect(try mode(w.history) == 0o600)
    }

    @Test("no packet of a generated prefecture holds an establishment number, a free-text answer or a suppressed value")
    func packetScan() throws {
        let w = try Workspace(establishments: 400, workers: 2000)
        #expect(try w.run(["--quiet"]).0 == 0)
        let run = w.output + "/" + w.latestTarget()!
        let frame = try CSVTable.read(FilePath(run + "/clean/frame.csv")).rows.map { $0[0] }
        let est = try CSVTable.read(FilePath(run + "/clean/establishments.csv"))
        let freeText = Set(est.rows.map { est.value($0, "comment") }.filter { $0.count >= 4 })
        // Suppressed cells (as the unsuppressed file knows them) must be empty in the packet's table.
        let internalRows = try CSVTable.read(FilePath(run + "/internal/indicators.csv"))
        var hidden: [String: Set<String>] = [:]
        for r in internalRows.rows
        where internalRows.value(r, "suppressed") == "true" && !internalRows.value(r, "value").isEmpty {
            hidden[internalRows.value(r, "municipality_code"), default: []].insert(internalRows.value(r, "indicator"))
        }
        #expect(!hidden.isEmpty)
        let packets = run + "/packets"
        var scanned = 0
        var checkedHidden = 0
        for code in try FileManager.default.contentsOfDirectory(atPath: packets) where code.count == 6 {
            for name in try FileManager.default.contentsOfDirectory(atPath: packets + "/" + code) {
                let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: "\(packets)/\(code)/\(name)")))
                // A workbook is a zip of XML: scan what is inside it.
                let text = name.hasSuffix(".xlsx") ? try unzippedText(bytes) : String(decoding: bytes, as: UTF8.self)
                for id in frame { #expect(!text.contains(id), "\(code)/\(name): \(id)") }
                for t in freeText { #expect(!text.contains(t), "\(code)/\(name) holds free text") }
                if name == "indicators.csv" {
                    let table = try CSVReader.readAll(bytes: bytes).records
                    let column = { (name: String) in table[0].firstIndex(of: name)! }
                    let (key, value, low, high, withheld) = (
                        column("指標キー"), column("値"), column("95%信頼区間_下限"), column("95%信頼区間_上限"), column("秘匿")
                    )
                    for row in table.dropFirst() where hidden[code]?.contains(row[key]) == true {
                        checkedHidden += 1
                        #expect(
                            row[value] == "" && row[low] == "" && row[high] == "" && row[withheld] == "秘匿",
                            "\(code): \(row[key]) published")
                    }
                }
                #expect(!name.contains("sqlite") && !name.contains("internal"))
                scanned += 1
            }
        }
        #expect(scanned == 77 * 7)
        #expect(checkedHidden == hidden.values.reduce(0) { $0 + $1.count })
    }
}

/// The entries of a zip (a workbook), concatenated as text.
func unzippedText(_ bytes: [UInt8]) throws -> String {
    let archive = try Archive(data: Data(bytes), accessMode: .read)
    var text = ""
    for entry in archive {
        var part = Data()
        _ = try archive.extract(entry) { part.append($0) }
        text += String(decoding: part, as: UTF8.self)
    }
    return text
}
