import BansoCore
import BansoSynth
import BansoTestSupport
import Foundation
import Mustache
import SystemPackage
import Testing

@testable import BansoPackets

/// The `<svg …>…</svg>` elements of a class in an HTML page.
func svgs(_ html: String, class name: String) -> [String] {
    html.components(separatedBy: "<svg class=\"\(name)\"").dropFirst().map { $0.components(separatedBy: "</svg>")[0] }
}

/// The municipality codes of the shapes in one SVG, in order.
func shapeCodes(_ svg: String) -> [String] {
    svg.components(separatedBy: "data-code=\"").dropFirst().map { String($0.prefix(6)) }
}

/// The fill of one municipality's shape.
func fill(of code: String, in svg: String) -> String? {
    svg.components(separatedBy: "data-code=\"\(code)\"").dropFirst().first?
        .components(separatedBy: "fill=\"").dropFirst().first?.components(separatedBy: "\"").first
}

/// Four generated municipalities in `root/input` of a new temporary folder; returns the root.
func tinyPrefecture(_ name: String) throws -> String {
    let root = TestSupport.temporaryFolder(name)
    var o = SynthOptions()
    o.municipalities = 4
    o.establishments = 40
    o.workers = 100
    _ = try Synth.generate(o, into: FilePath(root + "/input"))
    return root
}

@Suite("maps")
struct MapsTests {
    /// A generated prefecture run with its synthetic boundary file (or `boundaries`, if given).
    func mappedRun(municipalities: Int = 12, boundaries: ((String) -> String)? = nil) throws -> (
        run: String, input: String
    ) {
        let root = TestSupport.temporaryFolder("banso-maps")
        // The generator writes the synthetic boundary file beside the survey files.
        var o = SynthOptions()
        o.seed = 3
        o.municipalities = municipalities
        o.establishments = 500
        o.workers = 3000
        _ = try Synth.generate(o, into: FilePath(root + "/input"))
        var file = root + "/input/boundaries.geojson"
        if let boundaries {
            let edited = boundaries(try String(contentsOfFile: file, encoding: .utf8))
            file = root + "/edited.geojson"
            TestSupport.write(edited, to: file)
        }
        return try generatedRun(
            municipalities: municipalities,
            extra: "[packets]\nboundaries = \"\(file)\"\nboundaries_credit = \"テスト用の架空の境界\"\n", into: root)
    }

    @Test(
        "every report and the summary pass axe-core's WCAG 2.1 A and AA rules: no serious or critical violation",
        .enabled(
            if: AccessibilityCheck.available,
            "needs chromium, chromium-driver, python3-selenium and axe.min.js (scripts/check-accessibility --install)"))
    func accessibility() throws {
        let (run, _) = try mappedRun()
        let dir = run + "/packets"
        let reports = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.count == 6 }.sorted()
            .map { "\(dir)/\($0)/report.html" }
        let (status, out, err) = try TestSupport.run(
            TestSupport.packageRoot + "/scripts/check-accessibility", reports + [dir + "/prefecture_summary.html"])
        #expect(status == 0, "\(out)\(err)")
        #expect(out.components(separatedBy: ": 0 serious or critical").count - 1 == reports.count + 1, "\(out)")
    }

    @Test("the summary has a choropleth per headline indicator: one shape per municipality, a legend, the credit")
    func choropleths() throws {
        let (run, _) = try mappedRun()
        let codes = try FileManager.default.contentsOfDirectory(atPath: run + "/packets")
            .filter { $0.count == 6 && $0.allSatisfy(\.isNumber) }.sorted()
        #expect(codes.count == 12)
        let html = try String(contentsOfFile: run + "/packets/prefecture_summary.html", encoding: .utf8)
        let maps = svgs(html, class: "map")
        #expect(maps.count == PrefectureSummary.mapped.count)
        for map in maps {
            #expect(shapeCodes(map) == codes)
            #expect(map.contains("秘匿・回答なし"))
            // Four classes in the legend, each with its range.
            #expect(map.components(separatedBy: "〜").count - 1 == 4)
        }
        #expect(html.contains("地図の出典：テスト用の架空の境界"))
        #expect(!html.contains("境界データに形のない"))
        #expect(tagsBalanced(html))
    }

    @Test("each report has a locator map: the municipality dark, its peers grey, every shape drawn once")
    func locator() throws {
        let (run, _) = try mappedRun()
        let html = try String(contentsOfFile: run + "/packets/202011/report.html", encoding: .utf8)
        let maps = svgs(html, class: "locator")
        try #require(maps.count == 1)
        #expect(shapeCodes(maps[0]).count == 12)
        #expect(fill(of: "202011", in: maps[0]) == "#0b3d91")
        #expect(maps[0].components(separatedBy: "fill=\"#0b3d91\"").count - 1 == 1)
        #expect(html.contains("テスト用の架空の境界"))
        #expect(tagsBalanced(html))
    }

    @Test("a municipality without a shape is listed in the summary, not an error, and its report has no map")
    func missingShape() throws {
        // One feature per line in the generated file: drop 松本市 (20202).
        let (run, _) = try mappedRun { text in
            text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("\"20202\"") }
                .joined(separator: "\n")
        }
        let html = try String(contentsOfFile: run + "/packets/prefecture_summary.html", encoding: .utf8)
        #expect(html.contains("境界データに形のない市町村（地図に描いていません）：松本市"))
        for map in svgs(html, class: "map") { #expect(!shapeCodes(map).contains("202029")) }
        let report = try String(contentsOfFile: run + "/packets/202029/report.html", encoding: .utf8)
        #expect(svgs(report, class: "locator").isEmpty)
        #expect(
            svgs(try String(contentsOfFile: run + "/packets/202011/report.html", encoding: .utf8), class: "locator")
                .count == 1)
    }

    @Test("quantile classes light to dark; 秘匿 and 回答なし hatched")
    func classes() {
        let b = Boundaries(shapes: [
            "202011": [[(0, 0), (1, 0), (1, 1), (0, 0)]], "202029": [[(1, 0), (2, 0), (2, 1), (1, 0)]],
            "202037": [[(2, 0), (3, 0), (3, 1), (2, 0)]], "202045": [[(3, 0), (4, 0), (4, 1), (3, 0)]],
            "202053": [[(4, 0), (5, 0), (5, 1), (4, 0)]],
        ])
        let svg = Maps.choropleth(
            Maps.paths(b, width: 320),
            values: ["202011": 5, "202029": 10, "202037": 15, "202045": 20, "202053": nil], spec: .turnoverRate,
            width: 320)
        #expect(fill(of: "202011", in: svg) == Maps.classes[0])
        #expect(fill(of: "202045", in: svg) == Maps.classes[3])
        #expect(fill(of: "202053", in: svg) == "url(#hatch)")
        #expect(svg.contains("5.0〜8.8"))
    }

    @Test("an indicator nobody published (no worker survey) is all hatched, with no classes in the legend")
    func nothingPublished() {
        let b = Boundaries(shapes: [
            "202011": [[(0, 0), (1, 0), (1, 1), (0, 0)]], "202029": [[(1, 0), (2, 0), (2, 1), (1, 0)]],
        ])
        let svg = Maps.choropleth(
            Maps.paths(b, width: 320), values: ["202011": nil, "202029": nil], spec: .shortageShare, width: 320)
        #expect(fill(of: "202011", in: svg) == "url(#hatch)")
        #expect(fill(of: "202029", in: svg) == "url(#hatch)")
        #expect(!svg.contains("〜"))
        #expect(svg.contains("秘匿・回答なし"))
    }

    @Test("N03 GeoJSON: several polygons per code, a designated city's wards merged into the city, other codes ignored")
    func wards() throws {
        func square(_ x: Int) -> String { "[[[\(x),35],[\(x + 1),35],[\(x + 1),36],[\(x),35]]]" }
        let geojson = """
            {"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"N03_004":"京都市","N03_005":"北区","N03_007":"26101"},"geometry":{"type":"Polygon","coordinates":\(square(0))}},
            {"type":"Feature","properties":{"N03_004":"京都市","N03_005":"上京区","N03_007":"26102"},"geometry":{"type":"Polygon","coordinates":\(square(1))}},
            {"type":"Feature","properties":{"N03_004":"福知山市","N03_007":"26201"},"geometry":{"type":"MultiPolygon","coordinates":[\(square(2)),\(square(3))]}},
            {"type":"Feature","properties":{"N03_004":"大阪市","N03_007":"27100"},"geometry":{"type":"Polygon","coordinates":\(square(4))}},
            {"type":"Feature","properties":{"N03_004":"所属未定地","N03_007":null},"geometry":{"type":"Polygon","coordinates":\(square(5))}}
            ]}
            """
        let path = TestSupport.temporaryFolder("banso-geo") + "/n03.geojson"
        TestSupport.write(geojson, to: path)
        let b = try Boundaries.load(path: FilePath(path), known: ["261009", "262013"])
        #expect(b.shapes.keys.sorted() == ["261009", "262013"])
        #expect(b.shapes["261009"]?.count == 2)
        #expect(b.shapes["262013"]?.count == 2)
        #expect(b.rings("262013")[1].first.map { $0 == (3, 35) } == true)
    }

    @Test("TopoJSON: quantised, delta-encoded arcs decoded; a shared arc reversed for the neighbour")
    func topojson() throws {
        // Two unit squares sharing the edge x = 1: arc 0 is the shared edge, bottom to top.
        let topo = """
            {"type":"Topology","transform":{"scale":[0.5,0.5],"translate":[138,35]},
             "arcs":[[[2,0],[0,2]],[[2,2],[-2,0],[0,-2],[2,0]],[[2,0],[2,0],[0,2],[-2,0]]],
             "objects":{"N03":{"type":"GeometryCollection","geometries":[
               {"type":"Polygon","arcs":[[0,1]],"properties":{"N03_007":"20201"}},
               {"type":"Polygon","arcs":[[2,-1]],"properties":{"N03_007":"20202"}}]}}}
            """
        let path = TestSupport.temporaryFolder("banso-topo") + "/n03.topojson"
        TestSupport.write(topo, to: path)
        let b = try Boundaries.load(path: FilePath(path), known: ["202011", "202029"])
        let left = try #require(b.rings("202011").first)
        #expect(left.contains { $0 == (138, 35) } && left.contains { $0 == (139, 36) })
        #expect(left.allSatisfy { (138...139).contains($0.0) })
        let right = try #require(b.rings("202029").first)
        #expect(right.contains { $0 == (140, 36) })
        #expect(right.last.map { $0 == (139, 35) } == true)  // the shared arc, reversed
    }

    @Test("a missing or unreadable boundary file is a configuration error naming it")
    func errors() throws {
        let root = try tinyPrefecture("banso-maps-errors")
        TestSupport.write(
            TestSupport.pipeline(
                input: root + "/input", output: root + "/out",
                extra: "[packets]\nboundaries = \"\(root)/nope.geojson\"\n"),
            to: root + "/p.toml")
        let missing = #expect(throws: ConfigError.self) { try PipelineConfig.load(path: root + "/p.toml") }
        #expect("\(missing.map { String(describing: $0) } ?? "")".contains("packets.boundaries"))
        TestSupport.write("{\"type\": \"FeatureCollection\", \"features\": [", to: root + "/broken.geojson")
        let broken = #expect(throws: StageFailure.self) {
            try Boundaries.load(path: FilePath(root + "/broken.geojson"), known: [])
        }
        #expect(broken?.kind == .configuration)
        #expect(broken?.message.contains("broken.geojson") == true)
    }
}

@Suite("hostile boundaries")
struct HostileBoundariesTests {
    /// A TopoJSON file of one square municipality, 20201, edited.
    static func topo(
        arcs: String = "[[[0,0],[1,0],[0,1],[-1,0],[0,-1]]]", geometry: String = "\"arcs\":[[0]]",
        transform: String = "\"transform\":{\"scale\":[1,1],\"translate\":[138,36]},"
    ) -> String {
        """
        {"type":"Topology",\(transform)"arcs":\(arcs),"objects":{"m":{"type":"GeometryCollection","geometries":[
        {"type":"Polygon",\(geometry),"properties":{"N03_007":"20201"}}]}}}
        """
    }

    @Test(
        "a broken TopoJSON file is an error naming what is wrong, never a crash",
        arguments: [
            (topo(geometry: "\"arcs\":[[5]]"), "feature 20201 refers to arc 5, but the file has 1 arcs"),
            (topo(geometry: "\"arcs\":[[-7]]"), "feature 20201 refers to arc -7"),
            (
                topo(geometry: "\"type\":\"MultiPolygon\",\"arcs\":[[[0]],[[3]]]").replacingOccurrences(
                    of: "{\"type\":\"Polygon\",", with: "{"), "refers to arc 3"
            ),
            (topo(arcs: "[[[0,0],[1],[0,1]]]"), "arc 0 has a point with 1 coordinate(s)"),
            (
                topo(transform: "\"transform\":{\"scale\":[],\"translate\":[0,0]},"),
                "transform.scale must be two numbers"
            ),
            (
                topo(transform: "\"transform\":{\"scale\":[1],\"translate\":[0,0]},"),
                "transform.scale must be two numbers"
            ),
            (
                topo(transform: "\"transform\":{\"scale\":[1,1],\"translate\":[0]},"),
                "transform.translate must be two numbers"
            ),
        ])
    func brokenTopology(_ text: String, _ message: String) throws {
        let file = TestSupport.temporaryFolder("banso-topo") + "/b.topojson"
        TestSupport.write(text, to: file)
        let error = #expect(throws: StageFailure.self) { try Boundaries.load(path: FilePath(file), known: ["202011"]) }
        #expect(error?.kind == .configuration)
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "")")
    }

    @Test("the same file without the defect draws the municipality")
    func sound() throws {
        let file = TestSupport.temporaryFolder("banso-topo") + "/b.topojson"
        TestSupport.write(Self.topo(), to: file)
        #expect(try Boundaries.load(path: FilePath(file), known: ["202011"]).rings("202011").first?.count == 5)
    }

    @Test("boundaries with no polygon of the master's municipalities are refused, not drawn blank")
    func nothingMatches() throws {
        let file = TestSupport.temporaryFolder("banso-topo") + "/b.geojson"
        TestSupport.write(
            "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"N03_007\":\"13101\"},"
                + "\"geometry\":{\"type\":\"Point\",\"coordinates\":[139,35]}}]}", to: file)
        let error = #expect(throws: StageFailure.self) { try Boundaries.load(path: FilePath(file), known: ["202011"]) }
        #expect(error?.description.contains("no polygon belongs to a municipality of the master") == true)
    }

    @Test("boundaries naming a FIFO or a device are refused when the pipeline file is read, never read")
    func notAFile() throws {
        let root = try tinyPrefecture("banso-maps-fifo")
        mkfifo(root + "/pipe.geojson", 0o600)
        for (path, word) in [(root + "/pipe.geojson", "named pipe"), ("/dev/zero", "device")] {
            TestSupport.write(
                TestSupport.pipeline(
                    input: root + "/input", output: root + "/out", extra: "[packets]\nboundaries = \"\(path)\"\n"),
                to: root + "/p.toml")
            let error = #expect(throws: ConfigError.self) { try PipelineConfig.load(path: root + "/p.toml") }
            #expect(error?.key == "packets.boundaries")
            #expect(error?.description.contains(word) == true, "\(error?.description ?? "")")
        }
    }
}

@Suite("boundaries reader")
struct BoundaryReaderTests {
    func parse(_ text: String) throws -> BoundaryJSON {
        var reader = BoundaryJSONReader(bytes: Array(text.utf8))
        return try reader.document()
    }

    @Test(
        "arrays of number arrays are packed, ragged rows keep their lengths, a fraction or a large integer stays exact")
    func packing() throws {
        guard case .rows(let square) = try parse("[[0,0],[1,0],[1,1]]") else {
            Issue.record("not packed")
            return
        }
        #expect(square.count == 3 && square.row(1) == [1, 0])
        guard case .rows(let ragged) = try parse("[[1,2],[3],[4,5,6]]") else {
            Issue.record("not packed")
            return
        }
        #expect((0..<3).map(ragged.length) == [2, 1, 3])
        #expect(ragged.row(2) == [4, 5, 6])
        guard case .rows(let exact) = try parse("[[1,2],[0.1,16777217],[-139.123456789,35]]") else {
            Issue.record("not packed")
            return
        }
        #expect(exact.row(0) == [1, 2] && exact.row(1) == [0.1, 16_777_217])
        #expect(exact.value(2, 0) == -139.123456789)
        guard case .array(let mixed) = try parse("[[1,2],\"x\",3]") else {
            Issue.record("mixed array packed")
            return
        }
        #expect(mixed.count == 3)
        #expect(try parse("[1, 2.5]").elements?.count == 2)
    }

    @Test("strings with escapes and surrogate pairs; a code written as a number")
    func strings() throws {
        let value = try parse(#"{"a":"\u5317\u533a \ud83d\ude00 \"q\"\n","N03_007":26101}"#)
        #expect(value["a"]?.string == "北区 😀 \"q\"\n")
        #expect(value["N03_007"]?.propertyText == "26101")
    }

    @Test(
        "broken JSON is an error with the line, never a crash",
        arguments: [
            ("{\n\"type\":\n", "line 3: the file ends in the middle of a value"),
            (String(repeating: "[", count: 100), "nested deeper than 64 levels"),
            ("{\"a\":1} x", "unexpected text after the end"),
            ("{\"a\":1e999}", "1e999 is not a number"),
            ("{\"a\":tru}", "expected true"),
            ("{\"a\" 1}", "expected :"),
            ("[1 2]", "expected , or ]"),
            (#""a\u00"#, "expected four hex digits"),
        ])
    func syntax(_ text: String, _ message: String) {
        #expect {
            try parse(text)
        } throws: { error in
            let e = error as? BoundaryJSONReader.SyntaxError
            return e.map { "line \($0.line): \($0.message)".contains(message) } ?? false
        }
    }

    @Test("a file read block by block gives the same shapes as the same bytes in memory")
    func streamed() throws {
        // 20,000 points: about 400 KB, several 64 KiB blocks, numbers split across block ends.
        let ring = (0...20_000).map { i -> String in
            let a = Double(i) / 20_000 * 2 * .pi
            return "[\(138 + cos(a) * 0.3),\(36 + sin(a) * 0.2)]"
        }
        let text =
            "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"N03_007\":\"20201\"},"
            + "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[\(ring.joined(separator: ","))]]}}]}"
        let file = TestSupport.temporaryFolder("banso-stream") + "/b.geojson"
        TestSupport.write(text, to: file)
        let streamed = try Boundaries.load(path: FilePath(file), known: ["202011"])
        let inMemory = try Boundaries.load(data: Data(text.utf8), path: file, known: ["202011"])
        let points = streamed.rings("202011")[0]
        #expect(points.count == 20_001)
        #expect(points.map(\.0) == inMemory.rings("202011")[0].map(\.0))
        #expect(points[5_000].1 == 36 + sin(Double(5_000) / 20_000 * 2 * .pi) * 0.2)
        #expect(Maps.paths(streamed, width: 320).paths == Maps.paths(inMemory, width: 320).paths)
    }

    @Test("a broken file names its line in the message")
    func lineInMessage() throws {
        let file = TestSupport.temporaryFolder("banso-stream") + "/b.geojson"
        TestSupport.write("{\"type\": \"FeatureCollection\",\n\"features\": [\n{\"type\": Feature}]}", to: file)
        let error = #expect(throws: StageFailure.self) { try Boundaries.load(path: FilePath(file), known: ["202011"]) }
        #expect(error?.description.contains("b.geojson: not a readable GeoJSON or TopoJSON file (line 3: ") == true)
    }
}

@Suite("hostile templates")
struct HostileTemplateTests {
    func folder(_ files: [String: String]) -> String {
        let dir = TestSupport.temporaryFolder("banso-templates")
        for (name, text) in files { TestSupport.write(text, to: dir + "/" + name) }
        return dir
    }

    @Test(
        "a template that includes itself, directly or through another, is refused naming the chain",
        arguments: [
            (["report.mustache": "<p>{{> report}}</p>"], "report → report"),
            (
                ["report.mustache": "a\n{{> letter}}", "letter.mustache": "{{#x}}{{> report}}{{/x}}"],
                "letter → report → letter"
            ),
            (["letter.mustache": "{{=<% %>=}}<%> letter%>"], "letter → letter"),
        ])
    func recursion(_ files: [String: String], _ chain: String) throws {
        let error = #expect(throws: StageFailure.self) { try Templates(directory: FilePath(folder(files))) }
        #expect(error?.kind == .configuration)
        #expect(error?.description.contains(chain) == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("never finish") == true)
    }

    @Test("20,000 nested sections are refused with the line, not a stack overflow")
    func deepNesting() throws {
        let deep = String(repeating: "{{#a}}", count: 20_000) + String(repeating: "{{/a}}", count: 20_000)
        let error = #expect(throws: StageFailure.self) {
            try Templates(directory: FilePath(folder(["report.mustache": "<html>\n" + deep])))
        }
        #expect(error?.description.contains("report.mustache line 2: sections nested more than 64 deep") == true)
    }

    @Test("an empty template is a warning; the shipped templates have none")
    func empty() throws {
        #expect(Templates.standard.warnings.isEmpty)
        let t = try Templates(directory: FilePath(folder(["letter.mustache": "\n"])))
        #expect(t.warnings.count == 1 && t.warnings[0].contains("letter.mustache is empty"))
    }

    @Test("a letter saved by Notepad (BOM, CRLF) renders with plain line ends, so the mail draft has no \\r\\r\\n")
    func notepad() throws {
        struct V: Encodable { let municipality = "長野市" }
        let t = try Templates(
            directory: FilePath(folder(["letter.mustache": "\u{FEFF}{{municipality}} 御中\r\n\r\n本文\r\n"])))
        let text = t.render(V(), "letter")
        #expect(text == "長野市 御中\n\n本文\n")
    }

    @Test("includes of other templates without a loop are fine")
    func partials() throws {
        let t = try Templates(directory: FilePath(folder(["letter.mustache": "{{> report}}"])))
        #expect(t.warnings.isEmpty)
    }
}

@Suite("template values")
struct TemplateValuesTests {
    struct Line: Encodable {
        let label: String
        let note: String?
    }
    struct View: Encodable {
        let title: String
        let count: Int
        let flagged: Bool
        let missing: String?
        let lines: [Line]
        let tags: [String]
        let inner: Line?
        static let shared = "not a field"
    }

    @Test("a view becomes dictionaries, arrays and plain values; nil optionals and statics are left out")
    func values() throws {
        let view = View(
            title: "長野市", count: 3, flagged: true, missing: nil,
            lines: [Line(label: "a", note: nil), Line(label: "b", note: "注")], tags: ["x", "y"],
            inner: Line(label: "c", note: "d"))
        let d = try #require(TemplateValues.make(view) as? [String: Any])
        #expect(Set(d.keys) == ["title", "count", "flagged", "lines", "tags", "inner"])
        #expect(d["title"] as? String == "長野市" && d["count"] as? Int == 3 && d["flagged"] as? Bool == true)
        let lines = try #require(d["lines"] as? [Any]).compactMap { $0 as? [String: Any] }
        #expect(lines.count == 2 && lines[0].keys.sorted() == ["label"] && lines[1]["note"] as? String == "注")
        #expect((d["tags"] as? [Any])?.compactMap { $0 as? String } == ["x", "y"])
        #expect((d["inner"] as? [String: Any])?["note"] as? String == "d")
        // What the templates then render from it.
        let template = try MustacheTemplate(
            string: "{{title}} {{count}}{{#flagged}}!{{/flagged}}{{^missing}}-{{/missing}}"
                + "{{#lines}}[{{label}}{{#note}}:{{.}}{{/note}}]{{/lines}}{{#tags}}{{.}}{{/tags}}")
        #expect(template.render(d) == "長野市 3!-[a][b:注]xy")
    }
}

/// Whether this machine can run `scripts/check-accessibility` (the tests skip it otherwise).
enum AccessibilityCheck {
    static let available: Bool = {
        let fm = FileManager.default
        let cache = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"] ?? (NSHomeDirectory() + "/.cache")
        let axe = ProcessInfo.processInfo.environment["AXE_JS"] ?? (cache + "/banso/axe/axe.min.js")
        return fm.isExecutableFile(atPath: "/usr/bin/chromedriver")
            && fm.fileExists(atPath: "/usr/lib/python3/dist-packages/selenium") && fm.fileExists(atPath: axe)
    }()
}
