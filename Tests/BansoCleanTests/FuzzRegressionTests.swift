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

    @Test("every crash the fuzzer found now runs through", arguments: inputs)
    func replay(_ name: String) throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Self.folder + "/" + name)))
        FuzzHarness.run(bytes)
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
