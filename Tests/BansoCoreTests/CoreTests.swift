import BansoTestSupport
import Foundation
import Testing

@testable import BansoCore

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
            #expect(MunicipalityCode(code) != nil, "\(code)")
            for d in 0...9 where String(d) != String(code.last!) {
                #expect(MunicipalityCode(String(code.prefix(5)) + String(d)) == nil, "\(code) with \(d)")
            }
            #expect((try? MunicipalityCode.normalize(String(code.prefix(5))).get())?.text == code)
        }
    }

    @Test("examples from the contract")
    func examples() {
        #expect(MunicipalityCode(String("011002")) != nil)
        #expect(MunicipalityCode(String("012025")) != nil)
        #expect(MunicipalityCode(String("131016")) != nil)
        #expect(PrefectureCode(stringLiteral: "01").municipalityCode.text == "010006")
        #expect(PrefectureCode(stringLiteral: "13").municipalityCode.text == "130001")
        #expect(["00", "48", "1", "１３"].allSatisfy { PrefectureCode(String($0)) == nil })
        #expect(
            MunicipalityCode(String("20201")) == nil, "a 5-digit code is completed only where an office's file is read")
        #expect(MunicipalityCode.completing(fiveDigits: "20201")?.text == "202011")
        #expect(MunicipalityCode.normalize("442012") == .failure(.checkDigit(expected: 1)))
        #expect(MunicipalityCode.normalize("44201x") == .failure(.malformed))
    }
}

@Suite("normalisation")
struct NormalizeTests {
    @Test(
        "formatFixed writes what String(format:) writes",
        arguments: [
            0, -0.0, 0.05, 0.15, 0.25, 0.35, 0.5, 1.5, 2.5, 0.125, 0.375, 1.005, 2.675, -2.5, -0.001, 12.345, 999.95,
            999_999_999_999_999.9, 1e15, -1e300, 1e-9, 5e-324, 123_456.789,
            .infinity, -.infinity, .nan,
        ] as [Double])
    func fixed(_ value: Double) {
        for digits in 0...4 {
            #expect(formatFixed(value, digits: digits) == String(format: "%.\(digits)f", value), "\(value) \(digits)")
        }
    }

    /// Random values of every magnitude the packets show (rates, yen, coordinates), with the
    /// exact ties a chart meets (multiples of 1/2^k), against printf.
    @Test(
        "formatFixed writes what String(format:) writes, on 20,000 values", arguments: [1e-3, 1, 100, 1e5, 1e9, 1e14])
    func fixedRandom(_ magnitude: Double) {
        var rng = SplitMix(seed: UInt64(magnitude.exponent + 1100))
        for n in 0..<20_000 {
            var v = Double(rng.next() % 2_000_001) / 1_000_000 * magnitude
            if n % 3 == 0 { v = (v * 16).rounded() / 16 }  // binary ties: x.5, x.25, x.125 …
            if n % 2 == 1 { v = -v }
            let digits = n % 5
            #expect(formatFixed(v, digits: digits) == String(format: "%.\(digits)f", v), "\(v) \(digits)")
        }
    }

    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(
        "numbers appended as bytes read as formatNumber writes them",
        arguments: [
            0, -0.0, 1, 7, 10, 12, 305, -5, -120, 2_000_000, 999_999_999_999_999, 1e15, 2.5, -0.25, 1e-7, 1e20,
            .infinity, .nan,
        ] as [Double])
    func appendedNumbers(_ value: Double) {
        var out: [UInt8] = Array("x,".utf8)
        appendNumber(value, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "x," + formatNumber(value))
        var none: [UInt8] = []
        appendNumber(nil, to: &none)
        #expect(none.isEmpty)
    }

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
        for f in ["municipalities.csv", "frame.csv", "est_1.csv", "est_2.csv", "roadmap.csv", "sa_1.csv", "ctx.csv"] {
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

    static let roadmap = """
        name = "t"
        wave = "2025"
        prefecture_code = "20"
        output = "out"
        [inputs]
        master = "in/municipalities.csv"
        roadmap = "in/roadmap.csv"
        self_assessment = ["in/sa_*.csv"]
        context = ["in/ctx.csv"]
        [inputs.establishments]
        paths = ["in/est_*.csv"]
        [peers]
        context_features = ["certification_rate"]
        [peers.weights]
        certification_rate = 2.0
        turnover_rate = 0.5
        [roadmap]
        priorities = ["介護人材の確保", "介護予防"]
        [roadmap.targets]
        "介護人材.2" = { share = 0.6, by = "2027" }
        "在宅医療・介護連携.第3段階" = { share = 0.3, by = "2028" }
        [roadmap.support]
        1 = ["セミナー", "研修"]
        3 = ["専門職派遣"]
        "介護人材.3" = [
          { id = "HR3", name = "先進地視察（人材確保）", kind = "先進地視察", date = "2025-11-10", capacity = 10 },
          { id = "HR3b", name = "説明資料の雛形", kind = "雛形" },
        ]
        """

    @Test("peers group on the situation unless the file weighs an outcome; zero-weight features are not listed")
    func peerDefaults() throws {
        let plain = try load(Self.good, in: Self.setUp())
        #expect(plain.groupingFeatures == [.logPopulation, .aged65Share, .aged75Share, .logDensity])
        #expect(plain.peerWeight(.turnoverRate) == 0 && plain.peerWeight(.logDensity) == 1)
        let outcome = try load(
            Self.good + "\n[peers.weights]\nturnover_rate = 2.0\nlog_density = 0\n", in: Self.setUp())
        #expect(outcome.groupingFeatures == [.logPopulation, .aged65Share, .aged75Share, .turnoverRate])
        let roadmap = try load(
            Self.roadmap.replacingOccurrences(of: "certification_rate = 2.0", with: "certification_rate = 0"),
            in: Self.setUp())
        #expect(roadmap.contextFeatures == ["certification_rate"] && roadmap.groupingContextFeatures.isEmpty)
    }

    @Test("the roadmap keys: inputs, targets sorted, support per stage, context features with weights")
    func roadmapKeys() throws {
        let c = try load(Self.roadmap, in: Self.setUp())
        #expect(c.roadmap?.path.hasSuffix("/in/roadmap.csv") == true)
        #expect(c.selfAssessment?.files.map { ($0 as NSString).lastPathComponent } == ["sa_1.csv"])
        #expect(c.context?.files.count == 1)
        #expect(c.roadmapSettings.targets.map(\.area) == ["介護人材", "在宅医療・介護連携"])
        #expect(c.roadmapSettings.targets.map(\.stage) == [.share, .act])
        #expect(c.roadmapSettings.targets[0].share == 0.6 && c.roadmapSettings.targets[0].by == "2027")
        let support = c.roadmapSettings
        #expect(support.priorities == ["介護人材の確保", "介護予防"])
        // A stage-only key is every area's default; an area's own list replaces it for that area only.
        #expect(support.offers(area: "生活支援", stage: .assess).map(\.name) == ["セミナー", "研修"])
        #expect(support.offers(area: "生活支援", stage: .assess).map(\.id) == ["セミナー", "研修"])
        #expect(support.offers(area: "生活支援", stage: .share).isEmpty)
        #expect(support.offers(area: "生活支援", stage: .act).map(\.name) == ["専門職派遣"])
        let own = support.offers(area: "介護人材", stage: .act)
        #expect(own.map(\.id) == ["HR3", "HR3b"])
        #expect(
            own[0]
                == SupportOffer(id: "HR3", name: "先進地視察（人材確保）", kind: .visit, date: Day.iso("2025-11-10"), capacity: 10)
        )
        // How a packet shows them: the kind, the date in 令和, the capacity; not the kind the name already says.
        #expect(own.map(\.japanese) == ["先進地視察（人材確保）（令和7年11月10日・定員10名）", "説明資料の雛形"])
        #expect(SupportOffer(id: "a", name: "連絡会議", kind: .meeting).japanese == "連絡会議")
        #expect(SupportOffer(id: "a", name: "説明会", kind: .meeting, capacity: 30).japanese == "説明会（会議・定員30名）")
        #expect(c.contextFeatures == ["certification_rate"] && c.contextWeights["certification_rate"] == 2)
        #expect(c.peerWeights[.turnoverRate] == 0.5)
    }

    @Test(
        "each roadmap mistake is one error naming the key",
        arguments: [
            ("roadmap = \"in/roadmap.csv\"\n", "", "inputs.self_assessment", "need the item list"),
            ("\"介護人材.2\" = {", "\"介護人材\" = {", "roadmap.targets", "<領域>.<段階>"),
            ("\"介護人材.2\" = {", "\"介護人材.4\" = {", "roadmap.targets", "stage 1, 2 or 3"),
            ("share = 0.6", "share = 60", "roadmap.targets", "from 0.0 to 1.0"),
            ("share = 0.6, by = \"2027\"", "share = 0.6", "roadmap.targets", "missing"),
            ("3 = [\"専門職派遣\"]", "4 = [\"専門職派遣\"]", "roadmap.support.\"4\"", "unknown stage"),
            ("3 = [\"専門職派遣\"]", "\"介護人材\" = [\"専門職派遣\"]", "roadmap.support.\"介護人材\"", "<領域>.<段階>"),
            ("1 = [\"セミナー\", \"研修\"]", "1 = \"セミナー\"", "roadmap.support.1", "a list"),
            ("kind = \"先進地視察\"", "kind = \"視察\"", "roadmap.support.\"介護人材.3\"[1].kind", "研修・会議・専門家派遣"),
            ("date = \"2025-11-10\"", "date = \"令和7年11月10日\"", "roadmap.support.\"介護人材.3\"[1].date", "YYYY-MM-DD"),
            ("capacity = 10", "capacity = 0", "roadmap.support.\"介護人材.3\"[1].capacity", "at least 1"),
            ("id = \"HR3b\"", "id = \"HR3\"", "roadmap.support.\"介護人材.3\"[2]", "used twice"),
            ("\"介護予防\"]", "\"\"]", "roadmap.priorities", "item 2 is empty"),
            ("capacity = 10", "seats = 10", "roadmap.support.\"介護人材.3\"[1].seats", "unknown key"),
            ("context = [\"in/ctx.csv\"]\n", "", "peers.context_features", "need context figures"),
            ("[\"certification_rate\"]", "[\"認定率\"]", "peers.context_features", "not a context indicator id"),
            ("certification_rate = 2.0", "kayoi = 2.0", "peers.weights.kayoi", "unknown key"),
        ])
    func roadmapMistakes(_ find: String, _ replace: String, _ key: String, _ phrase: String) throws {
        try expectMistake(in: Self.roadmap, find, replace, key, phrase)
    }

    static let weighted =
        good + """

            [weights]
            method = "frame"
            min_respondents = 3
            [weights.service_groups]
            "入所" = ["51", "52"]
            "在宅" = ["11", "15"]
            """

    @Test("[weights]: the method, the collapsing threshold and the prefecture's own service groups")
    func weights() throws {
        let c = try load(Self.weighted, in: Self.setUp())
        #expect(c.weighting.method == .frame && c.weighting.minRespondents == 3 && c.weighting.maxWorkerFactor == 20)
        #expect(c.weighting.serviceGroups.map(\.name) == ["入所", "在宅"].sorted())
        #expect(c.weighting.group(of: "52") == "入所" && c.weighting.group(of: "73") == "その他")
        #expect(try load(Self.good, in: Self.setUp()).weighting == WeightingParameters())
    }

    @Test(
        "each [weights] mistake is one error naming the key",
        arguments: [
            ("method = \"frame\"", "method = \"raking\"", "weights.method", "\"frame\" or \"none\""),
            ("min_respondents = 3", "min_respondents = 1", "weights.min_respondents", "2"),
            ("min_respondents = 3", "minimum = 3", "weights.minimum", "unknown key"),
            ("[\"11\", \"15\"]", "[\"11\", \"99\"]", "weights.service_groups.在宅", "not a care-insurance service code"),
            ("[\"11\", \"15\"]", "[\"11\", \"51\"]", "weights.service_groups", "already in the group"),
            ("\"在宅\" = [", "\"その他\" = [", "weights.service_groups.その他", "the group of every code not listed"),
            ("[\"11\", \"15\"]", "\"11\"", "weights.service_groups.在宅", "a list of service codes"),
        ])
    func weightsMistakes(_ find: String, _ replace: String, _ key: String, _ phrase: String) throws {
        try expectMistake(in: Self.weighted, find, replace, key, phrase)
    }

    @Test("[peers] basis: cluster by default, type from the master's 類型, anything else an error naming the key")
    func peerBasis() throws {
        #expect(try load(Self.good, in: Self.setUp()).peerGrouping == .cluster)
        let typed = Self.good.replacingOccurrences(of: "k = 4", with: "k = 4\nbasis = \"type\"")
        #expect(try load(typed, in: Self.setUp()).peerGrouping == .type)
        try expectMistake(in: typed, "basis = \"type\"", "basis = \"ward\"", "peers.basis", "\"cluster\" or \"type\"")
    }

    static let packets =
        good + """

            [packets]
            attach = ["workbook", "csv"]
            max_mail_mb = 5
            """

    @Test("[packets] attach and max_mail_mb: the PDF and workbook by default with PDFs, else the zip")
    func attach() throws {
        let c = try load(Self.packets, in: Self.setUp())
        #expect(c.packetAttach == [.workbook, .csv] && c.maxMailBytes == 5_000_000)
        #expect(try load(Self.good, in: Self.setUp()).packetAttach == [.zip])
        let pdf = try load(Self.good + "\n[packets]\npdf = true\n", in: Self.setUp())
        #expect(pdf.packetAttach == [.pdf, .workbook] && pdf.maxMailBytes == 10_000_000)
    }

    @Test(
        "each [packets] attach mistake is one error naming the key",
        arguments: [
            ("[\"workbook\", \"csv\"]", "[\"workbook\", \"excel\"]", "packets.attach", "unknown attachment \"excel\""),
            ("[\"workbook\", \"csv\"]", "[\"pdf\"]", "packets.attach", "needs pdf = true"),
            ("[\"workbook\", \"csv\"]", "[]", "packets.attach", "at least one"),
            ("max_mail_mb = 5", "max_mail_mb = 0", "packets.max_mail_mb", "from 0.01 to 1000"),
        ])
    func attachMistakes(_ find: String, _ replace: String, _ key: String, _ phrase: String) throws {
        try expectMistake(in: Self.packets, find, replace, key, phrase)
    }

    /// `base` with `find` replaced is refused with one error naming the file, the key and the problem.
    func expectMistake(in base: String, _ find: String, _ replace: String, _ key: String, _ phrase: String) throws {
        let dir = Self.setUp()
        let text = base.replacingOccurrences(of: find, with: replace)
        #expect(text != base)
        #expect {
            _ = try load(text, in: dir)
        } throws: { error in
            guard let e = error as? ConfigError else { return false }
            return e.key.hasPrefix(key) && e.description.contains(phrase) && e.description.hasPrefix(dir + "/p.toml")
        }
    }

    @Test("a [roadmap] section without inputs.roadmap is refused")
    func roadmapWithoutItems() throws {
        let text = Self.good + "\n[roadmap.support]\n1 = [\"研修\"]\n"
        #expect {
            _ = try load(text, in: Self.setUp())
        } throws: { error in
            (error as? ConfigError)?.key == "roadmap"
        }
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
            ("k = 4", "k = 60", "peers.k", "an integer from 2 to 50, found 60"),
            ("master = \"in/municipalities.csv\"", "master = \"in/missing.csv\"", "inputs.master", "no such file"),
            ("master = \"in/municipalities.csv\"", "master = \"in\"", "inputs.master", "is a directory"),
            ("= \"care_staff_regular\"", "= \"care_staff_regualr\"", "inputs.establishments.headers", "is not a field"),
            // Types, as the decoder of each section finds them.
            ("k = 4", "k = 4\nneighbours = \"5\"", "peers.neighbours", "expected an integer, found string"),
            ("[peers]", "[packets]\npdf = \"yes\"\n[peers]", "packets.pdf", "expected true or false, found string"),
            ("frame = \"in/frame.csv\"", "frame = 5", "inputs.frame", "expected a path (string) or a table"),
            (
                "frame = \"in/frame.csv\"", "frame = { path = \"in/frame.csv\", encodng = \"cp932\" }",
                "inputs.frame.encodng", "unknown key"
            ),
            (
                "paths = [\"in/est_*.csv\"]", "paths = \"in/est_*.csv\"", "inputs.establishments.paths",
                "expected an array"
            ),
            (
                "[peers]", "[[reference]]\nindicator = \"turnover_rate\"\nsource = \"x\"\nyear = \"R6\"\n[peers]",
                "reference[1].value", "missing"
            ),
            (
                "[peers]", "[disclosure]\ndominance_share = \"high\"\n[peers]", "disclosure.dominance_share",
                "expected a number"
            ),
        ])
    func mistakes(_ find: String, _ replace: String, _ key: String, _ phrase: String) throws {
        try expectMistake(in: Self.good, find, replace, key, phrase)
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

@Suite("packed code keys")
struct CodeKeyTests {
    @Test(
        "establishment numbers and municipality codes pack and unpack",
        arguments: ["0112345678", "01A2345678", "011002", "1", "ZZZZZZZZZZZZ", "000000000000"])
    func roundTrip(_ code: String) throws {
        let key = try #require(CodeKey.pack(Array(code.utf8)[...]))
        #expect(CodeKey.unpack(key) == code)
    }

    @Test("keys sort as the codes do, a prefix before its extensions")
    func order() throws {
        let codes = ["0112345678", "011234567", "01A0000000", "0199999999", "0100000000", "01", "9", "Z"]
        let keys = try codes.map { try #require(CodeKey.pack(Array($0.utf8)[...])) }
        #expect(zip(codes, keys).sorted { $0.1 < $1.1 }.map(\.0) == codes.sorted())
    }

    @Test("text that is not a short code has no key", arguments: ["", "0112345678901", "01a2345678", "０１", "01-2"])
    func rejected(_ text: String) {
        #expect(CodeKey.pack(Array(text.utf8)[...]) == nil)
    }
}

@Suite("CodeKeyIndex")
struct CodeKeyIndexTests {
    @Test("agrees with a Dictionary through growth, with neighbouring and colliding keys")
    func model() throws {
        var index = CodeKeyIndex(capacity: 4)
        var model: [Int: Int32] = [:]
        // Establishment numbers in runs (neighbouring keys) and far apart, each set twice.
        var codes: [String] = (0..<3_000).map { "01\(String(format: "%08d", $0 * 7))" }
        codes += (0..<500).map { "01A\(String(format: "%07d", $0))" }
        codes += ["011002", "1", "ZZZZZZZZZZZZ"]
        for (n, code) in codes.enumerated() {
            let key = try #require(CodeKey.pack(Array(code.utf8)[...]))
            index.set(key, Int32(n))
            model[key] = Int32(n)
        }
        for (n, code) in codes.enumerated() where n % 3 == 0 {
            let key = try #require(CodeKey.pack(Array(code.utf8)[...]))
            index.set(key, -Int32(n))
            model[key] = -Int32(n)
        }
        #expect(index.count == model.count)
        for (key, value) in model { #expect(index[key] == value) }
        for absent in ["0199999999", "02", "01B0000000"] {
            #expect(index[try #require(CodeKey.pack(Array(absent.utf8)[...]))] == nil)
        }
    }
}

@Suite("SerialHandOff")
struct SerialHandOffTests {
    final class Seen: @unchecked Sendable {
        var items: [Int] = []
        var batches = 0
    }

    @Test("the consumer sees every item once, in the order added, a batch at a time", arguments: [1, 7, 4_096])
    func order(batchSize: Int) throws {
        let seen = Seen()
        let handOff = SerialHandOff<Int>(batchSize: batchSize, inFlight: 2) { batch in
            seen.batches += 1
            seen.items += batch
        }
        for i in 0..<10_000 { try handOff.add(i) }
        try handOff.finish()
        #expect(seen.items == Array(0..<10_000))
        #expect(seen.batches == (10_000 + batchSize - 1) / batchSize)
    }

    struct Stop: Error, Equatable { let at: Int }

    @Test("the consumer's first error is thrown and nothing after it is consumed")
    func failure() {
        let seen = Seen()
        let handOff = SerialHandOff<Int>(batchSize: 10, inFlight: 1) { batch in
            for i in batch {
                if i == 25 { throw Stop(at: i) }
                seen.items.append(i)
            }
        }
        #expect(throws: Stop(at: 25)) {
            for i in 0..<1_000 { try handOff.add(i) }
            try handOff.finish()
        }
        #expect(seen.items == Array(0..<25))
    }
}

@Suite("code lists read labels from bytes")
struct CodeListTests {
    static let lists: [CodeList] = [
        Categories.shortage, Categories.occupation, Categories.employment, Categories.sex, Categories.selfAssessment,
        Categories.intention,
    ]

    @Test("every listed label is found by its bytes, as the normalised text finds it", arguments: lists.indices)
    func labels(_ k: Int) {
        let list = Self.lists[k]
        #expect(list.labelBytes.count == list.labels.count)
        for (code, label) in list.labels {
            #expect(list.code(ofLabel: Array(label.utf8)[...]) == code)
            #expect(list.codes[Normalize.value(label)] == code)
        }
    }

    @Test("anything but the exact bytes is left to the String path", arguments: ["やや不足 ", " 不足", "ﾔﾔ不足", "3", "", "不"])
    func others(_ text: String) {
        #expect(Categories.shortage.code(ofLabel: Array(text.utf8)[...]) == nil)
    }
}

@Suite("byte fast paths agree with the String parsers")
struct FastPathTests {
    @Test(
        "dates",
        arguments: [
            "2025-10-01", "2025/10/1", "2025-1-1", "2025-02-30", "1988-04-01", "2100-01-01", "0999-01-01",
            "2025-10-", "2025-10-1-", "2025/10-01", "20251001", "2025-100-1", "25-10-01", "令和7年10月1日",
            "R7.10.1", "2025-10-01 9:00", "２０２５-10-01", "45931", "2025年10月28日", "2025年9月7日", "2025年09月07日",
            "2025年2月30日", "0999年1月1日", "2100年1月1日", "2025年10月28", "2025年10月028日", "2025年10月1日(水)",
            "2025年１0月1日", "25年10月1日", "2025年10月1日日", "R7/10/1", "R7.10.01", "R7-9-30", "R7/10.1", "R1/4/30",
            "R1/5/1", "R0/10/1", "R81/1/1", "R82/1/1", "R7/2/29", "R7/10/1/", "R007/10/1", "R7/100/1", "r7/10/1",
            "令和7年10月1日", "令和元年5月1日", "令和1年4月30日", "令和7年10月1", "令和7年2月29日", "45931", "32509", "32508",
            "73415", "73416", "100000", "4593", "45931.5", "2041277777777777777777777777777777777777779",
            "2041277777777777777777777年1月1日", "令和77777777777777777777777年1月1日", "R77777777777777777777/1/1",
        ])
    func dates(_ text: String) {
        #expect(DateParser.parse(bytes: Array(text.utf8)[...]) == DateParser.parse(text))
    }

    @Test(
        "numbers with a unit",
        arguments: [
            "12人", "3名", "0人", "007人", "12 人", "1.5人", "１２人", "12人人", "人", "250000円", "25万円", "3km²", "4㎢",
            "２０", "０", "1２名", "５km²", "１２３４５６７８９", "1234567890", "１２万", "１２.５", "１２ ", "５ヶ月", "－５", "１２人\u{301}",
            "12",
        ])
    func numbers(_ text: String) {
        for allowMan in [false, true] {
            #expect(
                NumberParser.parse(bytes: Array(text.utf8)[...], allowMan: allowMan)
                    == NumberParser.parse(text, allowMan: allowMan))
        }
    }

    @Test("the forms most answers take are read on the fast path, to the right values")
    func values() {
        #expect(DateParser.parse(bytes: Array("2025/9/7".utf8)[...]) == .success(Day(year: 2025, month: 9, day: 7)!))
        #expect(DateParser.parse(bytes: Array("2025-02-30".utf8)[...]) == .failure(.noSuchDay))
        #expect(NumberParser.parse(bytes: Array("12人".utf8)[...]) == .value(12))
        // The byte readers themselves, so that a form silently falling back to the String parser fails here.
        #expect(DateParser.kanjiForm(Array("2025年10月28日".utf8)[...]) ?? (0, 0, 0) == (2025, 10, 28))
        #expect(DateParser.kanjiForm(Array("2025年10月28日(火)".utf8)[...]) == nil)
        #expect(DateParser.reiwaOrSerial(Array("R7/10/1".utf8)[...]) == Day(year: 2025, month: 10, day: 1))
        #expect(DateParser.reiwaOrSerial(Array("令和7年9月30日".utf8)[...]) == Day(year: 2025, month: 9, day: 30))
        #expect(DateParser.reiwaOrSerial(Array("45931".utf8)[...]) == Day(year: 2025, month: 10, day: 1))
        #expect(DateParser.reiwaOrSerial(Array("R1/4/30".utf8)[...]) == nil)
        #expect(NumberParser.wholeWithUnit(Array("２０".utf8)[...]) == 20)
        #expect(NumberParser.wholeWithUnit(Array("1２名".utf8)[...]) == 12)
        #expect(NumberParser.wholeWithUnit(Array("１２万".utf8)[...]) == nil)
    }
}
