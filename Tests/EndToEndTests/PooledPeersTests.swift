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
