import BansoCore
import BansoTestSupport
import Foundation
import Testing

@Suite("roadmap, end to end")
struct RoadmapEndToEndTests {
    @Test(
        "without a roadmap the stage writes an empty folder and says so; adding one runs it; support re-runs only packets"
    )
    func optional() throws {
        let w = try Workspace()
        #expect(try w.run().0 == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: w.latest + "/roadmap").isEmpty)
        let report = try String(contentsOfFile: w.latest + "/packets/202011/report.html", encoding: .utf8)
        #expect(!report.contains("地域診断カルテ"))
        let (status, out, err) = try TestSupport.run(Workspace.bin + "/banso-roadmap", [w.pipeline])
        #expect(status == 0, "\(err)")
        #expect((out + err).contains("no roadmap or context figures"))

        // The generator wrote the roadmap inputs beside the survey: name them in [inputs].
        var text = try String(contentsOfFile: w.pipeline, encoding: .utf8)
        text = text.replacingOccurrences(
            of: "model_projects = \"model_projects.csv\"\n",
            with: "model_projects = \"model_projects.csv\"\nroadmap = \"roadmap.csv\"\n"
                + "self_assessment = [\"self_assessment_*.csv\"]\ncontext = [\"context.csv\"]\n")
        text += "\n[roadmap.support]\n1 = [\"カルテの読み方研修\"]\n"
        try text.write(toFile: w.pipeline, atomically: true, encoding: .utf8)
        #expect(try w.run().0 == 0)
        let ran = try w.stageStatus()
        #expect(ran["roadmap"] == "ran" && ran["ingest"] == "ran" && ran["packets"] == "ran")
        for file in ["items.csv", "stages.csv", "overview.csv", "karte.csv", "previous.csv"] {
            #expect(FileManager.default.fileExists(atPath: w.latest + "/roadmap/" + file), "\(file)")
        }
        let withKarte = try String(contentsOfFile: w.latest + "/packets/202011/report.html", encoding: .utf8)
        #expect(withKarte.contains("地域診断カルテ"))

        try (text.replacingOccurrences(of: "カルテの読み方研修", with: "見える化セミナー")).write(
            toFile: w.pipeline, atomically: true, encoding: .utf8)
        #expect(try w.run().0 == 0)
        #expect(
            try w.stageStatus() == [
                "ingest": "skipped", "clean": "skipped", "aggregate": "skipped", "peers": "skipped",
                "roadmap": "skipped", "feedback": "skipped", "packets": "ran",
            ])
        let after = try String(contentsOfFile: w.latest + "/packets/prefecture_summary.html", encoding: .utf8)
        #expect(after.contains("見える化セミナー") && !after.contains("カルテの読み方研修"))

        // Support for an area the item list does not have would reach nobody: the run stops,
        // naming the key, and latest stays as it was.
        let latest = w.latestTarget()
        try (text + "\"介護人財.2\" = [\"連絡会議\"]\n").write(toFile: w.pipeline, atomically: true, encoding: .utf8)
        let (failed, _, failure) = try w.run()
        #expect(failed == 2, "\(failure)")
        #expect(failure.contains("roadmap.support.\"介護人財.2\": the item list has no area 介護人財"), "\(failure)")
        #expect(w.latestTarget() == latest)
    }
}
