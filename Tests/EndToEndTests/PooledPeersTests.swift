import BansoCore
import BansoTestSupport
import Foundation
import SystemPackage
import Testing

/// The peers' pooled figures on a generated prefecture, recomputed from the run's own weights and
/// clean establishments.
@Suite("the peers' pooled figures")
struct PooledPeersTests {
    @Test(
        "a pool is its group's respondents, without the municipality unless its value is suppressed; suppressed members enter together or not at all"
    )
    func pools() throws {
        let root = TestSupport.temporaryFolder("banso-pooled")
        let (status, _, err) = try TestSupport.run(
            Workspace.bin + "/banso-synth", ["--out", root + "/in", "--seed", "21", "--establishments", "500"])
        #expect(status == 0, "\(err)")
        TestSupport.write(
            TestSupport.pipeline(input: root + "/in", output: root + "/out", workers: false), to: root + "/p.toml")
        let (runStatus, _, runErr) = try TestSupport.run(
            Workspace.bin + "/banso", ["run", root + "/p.toml", "--quiet"])
        try #require(runStatus == 0, "\(runErr)")
        let layout = RunLayout(root: FilePath(root + "/out/latest"))
        let summary = try RunFiles.summary.read(in: layout)
        let groups = try RunFiles.groups.read(in: layout)
        var weight: [String: Double] = [:]
        for w in try RunFiles.weights.read(in: layout) { weight[w.establishmentID.text] = w.weight }
        // 離職率 = Σw(separations) ÷ Σw(staff a year ago), over establishments that gave all three.
        let clean = try CSVTable.read(layout.clean.appending("establishments.csv"))
        var parts: [String: (y: Double, x: Double)] = [:]
        for r in clean.rows {
            guard let a = Double(clean.value(r, "separations_regular")),
                let b = Double(clean.value(r, "separations_nonregular")),
                let x = Double(clean.value(r, "care_staff_year_ago"))
            else { continue }
            let w = weight[clean.value(r, "establishment_id")] ?? 1
            let code = clean.value(r, "municipality_code")
            parts[code, default: (0, 0)].y += w * (a + b)
            parts[code, default: (0, 0)].x += w * x
        }
        let turnover = summary.filter { $0.indicator == .turnoverRate }
        let row = Dictionary(uniqueKeysWithValues: turnover.map { ($0.code, $0) })
        var checked = 0
        for members in Dictionary(grouping: groups, by: \.group).values.map({ $0.map(\.code) }) {
            let hidden = members.filter { row[$0]!.suppressed && row[$0]!.n > 0 }
            let withHidden = members.contains { row[$0]!.peerPooledWithSelf == true }
            // One suppressed member alone would be revealed by its group: it never enters.
            if hidden.count < 2 { #expect(!withHidden) }
            for code in members {
                let r = row[code]!
                guard let pooled = r.peerPooled else { continue }
                var pool = members.filter { !hidden.contains($0) && $0 != code }
                if withHidden { pool += hidden }
                #expect(r.peerPooledWithSelf == pool.contains(code))
                let y = pool.reduce(0) { $0 + (parts[$1.text]?.y ?? 0) }
                let x = pool.reduce(0) { $0 + (parts[$1.text]?.x ?? 0) }
                #expect(abs(pooled - 100 * y / x) < 1e-9, "\(code.text)")
                #expect((r.peerPooledN ?? 0) >= 3)
                #expect((r.peerPooledLow ?? .infinity) <= pooled && pooled <= (r.peerPooledHigh ?? -.infinity))
                checked += 1
            }
        }
        // Municipalities that cannot publish their own rate still get their peers'.
        let suppressedWithPool = turnover.filter { $0.suppressed && $0.peerPooled != nil }.count
        #expect(suppressedWithPool > 0)
        #expect(checked > 20)
    }
}

@Suite("peer groups from the master's 類型")
struct PeerBasisTypeTests {
    @Test("[peers] basis = \"type\": one group per 類型 in code order, 類型なし for the rest, the report says so")
    func typeGroups() throws {
        let w = try Workspace()
        let masterPath = w.root + "/input/municipalities.csv"
        var lines = try String(contentsOfFile: masterPath, encoding: .utf8).components(separatedBy: "\r\n")
        for i in lines.indices where !lines[i].isEmpty {
            let code = lines[i].prefix(6)
            // Cities (code 2020xx–2022xx) one type, the first towns another, the rest left blank.
            lines[i] += i == 0 ? ",類型" : code < "202200" ? ",都市2-1" : code < "203600" ? ",町村4-2" : ","
        }
        try lines.joined(separator: "\r\n").write(toFile: masterPath, atomically: true, encoding: .utf8)
        let text = try String(contentsOfFile: w.pipeline, encoding: .utf8)
        try (text + "\n[peers]\nbasis = \"type\"\n").write(toFile: w.pipeline, atomically: true, encoding: .utf8)
        let (status, _, err) = try w.run()
        #expect(status == 0, "\(err)")
        let log = try String(contentsOfFile: w.output + "/banso.log", encoding: .utf8)
        #expect(err.contains("no 類型 in the master") || log.contains("no 類型 in the master"))
        let groups = try RunFiles.groups.read(in: RunLayout(root: FilePath(w.latest)))
        let label = Dictionary(uniqueKeysWithValues: groups.map { ($0.code.text, $0.label) })
        #expect(label["202011"] == "都市2-1")
        #expect(groups.filter { $0.code.text < "202200" }.allSatisfy { $0.group == 1 && $0.label == "都市2-1" })
        #expect(groups.filter { $0.code.text >= "203600" }.allSatisfy { $0.label == "類型なし" })
        #expect(Set(groups.map(\.label)) == ["都市2-1", "町村4-2", "類型なし"])
        let report = try String(contentsOfFile: w.latest + "/packets/202011/report.html", encoding: .utf8)
        #expect(report.contains("グループ 1「都市2-1」に属します（長野県が定めた類型で分類）"))

        // A master without any 類型: the peers stage stops, saying what to add.
        try (text + "\n[peers]\nbasis = \"type\"\n").write(toFile: w.pipeline, atomically: true, encoding: .utf8)
        let plain = lines.map { line -> String in
            guard let comma = line.lastIndex(of: ",") else { return line }
            return String(line[..<comma])
        }
        try plain.joined(separator: "\r\n").write(toFile: masterPath, atomically: true, encoding: .utf8)
        let (failed, _, failure) = try w.run()
        #expect(failed != 0 && failure.contains("類型 column, which is missing or empty"), "\(failure)")
    }
}
