import BansoCore
import BansoTestSupport
import Foundation
import Testing

@Suite("municipality codes")
struct MunicipalityCodeTests {
    static let referenceCodes: [String] = {
        // The authoritative list, kept beside the tests (Reference/README.md: source and licence).
        let text = try! String(
            contentsOfFile: TestSupport.packageRoot + "/Tests/BansoCoreTests/Reference/lg-codes-2014.csv",
            encoding: .utf8)
        return text.split(separator: "\n").map { String($0.prefix(6)) }.filter {
            $0.allSatisfy(\.isNumber) && $0.count == 6
        }
    }()

    @Test("every authoritative code validates, and every other last digit does not")
    func reference() {
        #expect(Self.referenceCodes.count == 1963)
        for code in Self.referenceCodes {
            #expect(MunicipalityCode.isValid(code), "\(code)")
            for d in 0...9 where String(d) != String(code.last!) {
                #expect(!MunicipalityCode.isValid(String(code.prefix(5)) + String(d)), "\(code) with \(d)")
            }
            #expect((try? MunicipalityCode.normalize(String(code.prefix(5))).get()) == code)
        }
    }

    @Test("examples from the contract")
    func examples() {
        #expect(MunicipalityCode.isValid("011002"))
        #expect(MunicipalityCode.isValid("012025"))
        #expect(MunicipalityCode.isValid("131016"))
        #expect(MunicipalityCode.prefecture("01") == "010006")
        #expect(MunicipalityCode.prefecture("13") == "130001")
        #expect(MunicipalityCode.normalize("442012") == .failure(.checkDigit(expected: 1)))
        #expect(MunicipalityCode.normalize("44201x") == .failure(.malformed))
    }
}

@Suite("normalisation")
struct NormalizeTests {
    @Test(
        "dates in every accepted form",
        arguments: [
            ("2025-10-01", "2025-10-01"), ("2025/10/1", "2025-10-01"), ("2025年10月1日", "2025-10-01"),
            ("令和7年10月1日", "2025-10-01"), ("R7.10.1", "2025-10-01"), ("R7/10/1", "2025-10-01"),
            ("平成31年4月30日", "2019-04-30"), ("H31.4.30", "2019-04-30"), ("令和元年5月1日", "2019-05-01"),
            ("４５９３１", "2025-10-01"), ("45931", "2025-10-01"), ("２０２５／１０／０１", "2025-10-01"),
            ("2025/10/01 9:30", "2025-10-01"),
        ])
    func dates(_ text: String, _ iso: String) {
        #expect((try? DateParser.parse(text).get())?.description == iso)
    }

    @Test(
        "impossible or out-of-era dates are refused",
        arguments: ["2025-13-45", "2025-02-29", "平成31年5月1日", "令和1年4月1日", "明日", "R7.10", "2025/10-01"])
    func badDates(_ text: String) {
        #expect((try? DateParser.parse(text).get()) == nil)
    }

    @Test(
        "numbers as people type them",
        arguments: [
            ("12", 12.0), ("１２", 12), ("12人", 12), ("12名", 12), ("40歳", 40), ("3年", 3), ("1,234", 1234),
            ("250,000円", 250_000), ("３．５", 3.5), (" 7 ", 7),
        ])
    func numbers(_ text: String, _ value: Double) {
        #expect(NumberParser.parse(text) == .value(value))
    }

    @Test("wages in 万円")
    func man() {
        #expect(NumberParser.parse("25万円", allowMan: true) == .value(250_000))
        #expect(NumberParser.parse("25.3万円", allowMan: true) == .value(253_000))
        #expect(NumberParser.parse("25万円") == .invalid("25万円"))
    }

    @Test(
        "missing-value markers are missing, never zero",
        arguments: ["", "-", "―", "ー", "－", "不明", "無回答", "NA", "N/A", "#N/A", "*", "　"])
    func markers(_ text: String) {
        #expect(NumberParser.parse(text) == .missing)
    }

    @Test("text is not a number", arguments: ["たくさん", "1,2,3.4.5", "12x", "--1"])
    func notNumbers(_ text: String) {
        guard case .invalid = NumberParser.parse(text) else {
            Issue.record("\(text) parsed")
            return
        }
    }

    @Test("headers match after NFKC, trimming and space removal")
    func headers() {
        let want = Normalize.headerKey("事業所番号")
        for h in [" 事業所番号 ", "事業所 番号", "事業所　番号", "\t事業所番号"] { #expect(Normalize.headerKey(h) == want) }
        #expect(Normalize.nfkc("ｶﾀｶﾅ") == "カタカナ")
    }
}

@Suite("pipeline files")
struct PipelineFileTests {
    static func setUp() -> String {
        let dir = TestSupport.temporaryFolder("banso-config")
        for f in ["municipalities.csv", "frame.csv", "est_1.csv", "est_2.csv"] {
            TestSupport.write("x\n", to: dir + "/in/" + f)
        }
        return dir
    }

    static let good = """
        name = "t"
        wave = "2025"
        prefecture_code = "20"
        output = "out"
        [inputs]
        master = "in/municipalities.csv"
        frame = "in/frame.csv"
        [inputs.establishments]
        paths = ["in/est_*.csv"]
        [inputs.establishments.headers]
        "介護職員（正規）" = "care_staff_regular"
        [peers]
        k = 4
        """

    func load(_ text: String, in dir: String) throws -> PipelineConfig {
        TestSupport.write(text, to: dir + "/p.toml")
        return try PipelineConfig.load(path: dir + "/p.toml")
    }

    @Test("a good file: paths resolved against the file, globs sorted, mappings normalised")
    func good() throws {
        let dir = Self.setUp()
        let c = try load(Self.good, in: dir)
        #expect(c.establishments.files.map { ($0 as NSString).lastPathComponent } == ["est_1.csv", "est_2.csv"])
        #expect(c.output.hasSuffix("/out"))
        #expect(c.peerK == 4)
        #expect(c.establishments.headers[Normalize.headerKey("介護職員(正規)")] == "care_staff_regular")
        #expect(c.prefectureMunicipalityCode == "200000")
        #expect(c.packetEncoding == .utf8BOM)
    }

    @Test(
        "each kind of mistake is one error naming the key",
        arguments: [
            ("name = \"t\"", "name = \"t\"\ncolour = \"blue\"", "colour", "unknown key"),
            ("wave = \"2025\"\n", "wave = 2025\n", "wave", "expected a string"),
            ("name = \"t\"\n", "", "name", "missing"),
            (
                "paths = [\"in/est_*.csv\"]", "paths = [\"in/nothing_*.csv\"]", "inputs.establishments.paths",
                "matches no file"
            ),
            ("prefecture_code = \"20\"", "prefecture_code = \"48\"", "prefecture_code", "2-digit prefecture code"),
            ("k = 4", "k = \"many\"", "peers.k", "expected \"auto\""),
            ("master = \"in/municipalities.csv\"", "master = \"in/missing.csv\"", "inputs.master", "no such file"),
            ("master = \"in/municipalities.csv\"", "master = \"in\"", "inputs.master", "is a directory"),
            ("= \"care_staff_regular\"", "= \"care_staff_regualr\"", "inputs.establishments.headers", "is not a field"),
        ])
    func mistakes(_ find: String, _ replace: String, _ key: String, _ phrase: String) throws {
        let dir = Self.setUp()
        let text = Self.good.replacingOccurrences(of: find, with: replace)
        #expect(text != Self.good)
        #expect {
            _ = try load(text, in: dir)
        } throws: { error in
            guard let e = error as? ConfigError else { return false }
            return e.key.hasPrefix(key) && e.description.contains(phrase) && e.description.hasPrefix(dir + "/p.toml")
        }
    }

    // Root reads everything (CI runs as root), so this only runs for other users.
    @Test("an unreadable input file is refused", .enabled(if: getuid() != 0))
    func unreadable() throws {
        let dir = Self.setUp()
        chmod(dir + "/in/frame.csv", 0)
        #expect(throws: ConfigError.self) { _ = try load(Self.good, in: dir) }
    }

    @Test("TOML syntax errors name the line")
    func syntax() throws {
        let dir = Self.setUp()
        #expect {
            _ = try load("name = \"t\nwave = 1", in: dir)
        } throws: { error in
            (error as? ConfigError)?.description.contains("line 1") ?? false
        }
    }
}
