import BansoClean
import BansoCore
import BansoFuzzHarness
import BansoTestSupport
import Foundation
import Testing

@Suite("fuzz regressions")
struct FuzzRegressionTests {
    static let folder = TestSupport.packageRoot + "/Tests/FuzzRegressions"
    /// The crash inputs; none when the folder is missing (which `corpus()` reports as a failure).
    static let inputs: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()

    @Test("the regression corpus is there (a missing folder would replay nothing and pass)")
    func corpus() {
        #expect(FileManager.default.fileExists(atPath: Self.folder), "\(Self.folder) is missing")
        #expect(!Self.inputs.isEmpty, "no crash inputs in \(Self.folder)")
    }

    /// Replays one input through the target its name says (`templates-…`, `boundaries-…`, else rows).
    static func replay(_ name: String, _ bytes: [UInt8]) {
        if name.hasPrefix("templates-") {
            FuzzHarness.runTemplate(bytes)
        } else if name.hasPrefix("boundaries-") {
            FuzzHarness.runBoundaries(bytes)
        } else {
            FuzzHarness.run(bytes)
        }
    }

    @Test("every crash the fuzzer found now runs through", arguments: inputs)
    func replay(_ name: String) throws {
        Self.replay(name, Array(try Data(contentsOf: URL(fileURLWithPath: Self.folder + "/" + name))))
    }

    @Test("the template and boundaries targets run what once crashed: self-inclusion, deep nesting, arcs past the end")
    func newTargets() {
        FuzzHarness.runTemplate([0] + Array("{{#a}}{{> report}}{{/a}}".utf8))
        FuzzHarness.runTemplate([2] + Array(String(repeating: "{{#a}}", count: 20_000).utf8))
        FuzzHarness.runBoundaries(
            Array(
                "{\"type\":\"Topology\",\"arcs\":[[[0,0]]],\"objects\":{\"m\":{\"geometries\":[{\"type\":\"Polygon\",\"arcs\":[[9]]}]}}}"
                    .utf8))
    }

    @Test("long digit runs are not dates (crash-59ad8169: Int overflow in the date parser)")
    func longDigits() {
        #expect((try? DateParser.parse("2025/10/99999999999999999999999").get()) == nil)
        #expect((try? DateParser.parse("令和99999999999999999999年1月1日").get()) == nil)
        #expect((try? DateParser.parse("12025-01-01").get()) == nil)
    }

    @Test("the harness reads rows of the sample")
    func harness() throws {
        let bytes = Array(
            try Data(contentsOf: URL(fileURLWithPath: TestSupport.packageRoot + "/input/sample/establishments_03.csv"))
                .prefix(3000))
        #expect(FuzzHarness.run(bytes) > 0)
    }
}
