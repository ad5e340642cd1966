import BansoCore
import BansoTestSupport
import Foundation
import Testing

/// A change to a pipeline's setup: edits of the pipeline file, or of a file it names.
struct SetupChange: CustomTestStringConvertible, Sendable {
    /// The documented key it changes (`peers.k`), or a description of an external input.
    var key: String
    /// Text replacements in the pipeline file, each of which must match.
    var edits: [(old: String, new: String)] = []
    /// Files (relative to the workspace) written with new content.
    var files: [(path: String, content: String)] = []

    var testDescription: String { key }
}

/// For every key of docs/pipeline-file.md: after a run, changing the key and running again
/// (only what is out of date runs) gives the same bytes as a forced run of the changed setup.
///
/// A stage reads only its `StageSettings`, so a key it reads is in its fingerprint; this test
/// catches a stage that reads something its fingerprint misses (run.json aside, which records
/// what ran).
@Suite("incremental run = forced run, for every documented key")
struct IncrementalEqualsForcedTests {
    /// A small generated prefecture with every optional input, run once with `base`.
    static let prepared: Result<String, Error> = Result {
        let root = TestSupport.temporaryFolder("banso-incremental")
        let (status, _, err) = try TestSupport.run(
            TestSupport.binaries + "/banso-synth",
            ["--out", root + "/in", "--municipalities", "12", "--establishments", "200", "--workers", "1000"])
        guard status == 0 else { throw StageFailure(.internal, "banso-synth failed: \(err)") }
        // A second context file that differs (identical inputs are refused as copies): its last
        // line left out, byte for byte (the generator writes it in CP932).
        let context = Array(try Data(contentsOf: URL(fileURLWithPath: root + "/in/context.csv")))
        let lastLine = context.dropLast().lastIndex(of: 0x0A)!
        TestSupport.write(Array(context[...lastLine]), to: root + "/in/context_b.csv")
        let inputCopy = try TestSupport.run("/bin/cp", ["-a", root + "/in", root + "/in_copy"])
        guard inputCopy.0 == 0 else { throw StageFailure(.internal, "cp failed: \(inputCopy.2)") }
        let master = try String(contentsOfFile: root + "/in/municipalities.csv", encoding: .utf8)
        TestSupport.write(master, to: root + "/master_copy/municipalities.csv")
        let css = try String(
            contentsOfFile: TestSupport.packageRoot + "/Sources/BansoPackets/Templates/report.css", encoding: .utf8)
        TestSupport.write(css, to: root + "/tpl-a/report.css")
        TestSupport.write(css + "\nh1 { letter-spacing: 0.1em; }\n", to: root + "/tpl-b/report.css")
        for name in ["chromium-a", "chromium-b"] {
            // A stand-in browser: prints its version and writes a tiny PDF naming it, so a new
            // version prints differently.
            TestSupport.write(
                """
                #!/bin/sh
                here="$(dirname "$0")"
                for a in "$@"; do
                  case "$a" in
                    --version) cat "$here/\(name).version"; exit 0 ;;
                    --print-to-pdf=*) out="${a#--print-to-pdf=}" ;;
                  esac
                done
                printf '%%PDF-1.4\\n%% %s\\n%%%%EOF\\n' "$(cat "$here/\(name).version")" > "$out"

                """, to: root + "/" + name)
            chmod(root + "/" + name, 0o755)
            TestSupport.write("Stand-in Chromium \(name)\n", to: root + "/\(name).version")
        }
        for name in ["qpdf-a", "qpdf-b"] {
            // A stand-in qpdf: prints its version, copies its input to its output (the last two arguments).
            TestSupport.write(
                """
                #!/bin/sh
                [ "$1" = --version ] && { echo "Stand-in \(name)"; exit 0; }
                for a in "$@"; do input="$output"; output="$a"; done
                cp "$input" "$output"

                """, to: root + "/" + name)
            chmod(root + "/" + name, 0o755)
        }
        TestSupport.write(base, to: root + "/p.toml")
        let (runStatus, _, runErr) = try TestSupport.run(
            TestSupport.binaries + "/banso", ["run", root + "/p.toml", "--quiet"])
        guard runStatus == 0 else { throw StageFailure(.internal, "the base run failed: \(runErr)") }
        return root
    }

    /// The base pipeline: every documented key set, so that each change is an edit.
    static let base = """
        name = "incremental"
        wave = "2025"
        prefecture_code = "20"
        output = "out"
        input = "in"

        [survey_window]
        start = "2025-09-01"
        end = "2025-11-30"

        [inputs]
        master = "municipalities.csv"
        frame = "frame.csv"
        model_projects = "model_projects.csv"
        on_file_error = "continue"
        roadmap = "roadmap.csv"
        self_assessment = ["self_assessment_*.csv"]
        context = ["context.csv"]

        [inputs.establishments]
        paths = ["establishments_*.csv"]
        encoding = "auto"
        delimiter = ","
        [inputs.establishments.headers]
        "介護職員（正規）" = "care_staff_regular"

        [inputs.workers]
        paths = ["workers_*.csv"]

        [disclosure]
        min_establishments = 3
        min_workers = 10
        dominance_share = 0.85

        [weights]
        method = "frame"
        min_respondents = 3
        max_worker_factor = 20
        [weights.service_groups]
        "施設" = ["51", "52", "53", "54", "55", "21", "22"]
        "訪問" = ["11", "12", "13", "14", "31", "71", "76", "A2"]

        [peers]
        k = "auto"
        neighbours = 5
        context_features = ["certification_rate"]
        [peers.weights]
        turnover_rate = 1.0

        [roadmap]
        answers_from = "2025-04-01"
        answers_to = "2026-03-31"
        priorities = ["介護人材の確保と定着"]

        [roadmap.targets]
        "介護人材.2" = { share = 0.6, by = "2027" }

        [roadmap.support]
        1 = ["「見える化」システム活用セミナー"]

        [packets]
        csv_encoding = "utf-8-bom"
        sender = "kaigo@pref.example.lg.jp"
        section = "健康福祉部 介護支援課"
        phone = "026-000-0000"
        email = "kaigo@pref.example.lg.jp"
        handling_note = "取扱注意：検討用"
        issued = "2026-01-15"
        pdf = false
        chromium = "chromium-a"
        qpdf = "qpdf-a"
        templates = "tpl-a"
        strict_templates = false
        boundaries = "in/boundaries.geojson"
        boundaries_credit = "架空の境界"

        [runs]
        keep = 5

        [[reference]]
        indicator = "turnover_rate"
        value = 12.8
        source = "介護労働実態調査"
        year = "令和6年度"
        label = "全国"

        """

    /// Keys with no change here, and why.
    static let notChanged: [String: String] = [
        "output": "where the outputs go: a new output folder has no earlier run to be incremental against",
        "prefecture_code": "a pipeline of another prefecture refuses every row of this one's files",
        "peers.basis": "\"type\" needs a master with a 類型 column, which the generator does not write; "
            + "PeerBasisTypeTests runs it end to end",
    ]

    static let changes: [SetupChange] = [
        SetupChange(key: "name", edits: [("name = \"incremental\"", "name = \"incremental-b\"")]),
        SetupChange(key: "wave", edits: [("wave = \"2025\"", "wave = \"2026\"")]),
        SetupChange(key: "input", edits: [("input = \"in\"", "input = \"in_copy\"")]),
        SetupChange(key: "history", edits: [("input = \"in\"\n", "input = \"in\"\nhistory = \"other.sqlite\"\n")]),
        SetupChange(key: "survey_window.start", edits: [("start = \"2025-09-01\"", "start = \"2025-10-20\"")]),
        SetupChange(key: "survey_window.end", edits: [("end = \"2025-11-30\"", "end = \"2025-10-10\"")]),
        SetupChange(
            key: "inputs.master",
            edits: [("master = \"municipalities.csv\"", "master = \"../master_copy/municipalities.csv\"")]),
        SetupChange(key: "inputs.frame", edits: [("frame = \"frame.csv\"\n", "")]),
        SetupChange(key: "inputs.model_projects", edits: [("model_projects = \"model_projects.csv\"\n", "")]),
        SetupChange(key: "inputs.on_file_error", edits: [("on_file_error = \"continue\"", "on_file_error = \"fail\"")]),
        SetupChange(
            key: "inputs.roadmap",
            edits: [
                ("roadmap = \"roadmap.csv\"\nself_assessment = [\"self_assessment_*.csv\"]\n", ""),
                (
                    "[roadmap]\nanswers_from = \"2025-04-01\"\nanswers_to = \"2026-03-31\"\n"
                        + "priorities = [\"介護人材の確保と定着\"]\n", ""
                ),
                ("[roadmap.targets]\n\"介護人材.2\" = { share = 0.6, by = \"2027\" }\n", ""),
                ("[roadmap.support]\n1 = [\"「見える化」システム活用セミナー\"]\n", ""),
            ]),
        SetupChange(
            key: "inputs.self_assessment",
            edits: [("[\"self_assessment_*.csv\"]", "[\"self_assessment_1.csv\"]")]),
        SetupChange(key: "inputs.context", edits: [("context = [\"context.csv\"]", "context = [\"context_b.csv\"]")]),
        SetupChange(
            key: "inputs.support",
            edits: [("context = [\"context.csv\"]", "context = [\"context.csv\"]\nsupport = [\"support.csv\"]")],
            files: [("in/support.csv", "市区町村コード,領域,段階,支援ID,実施日\n202011,介護人材,1,S1,2025-01-10\n")]),
        SetupChange(
            key: "inputs.prefecture_comments",
            edits: [
                ("context = [\"context.csv\"]", "context = [\"context.csv\"]\nprefecture_comments = [\"comments.csv\"]")
            ],
            files: [("in/comments.csv", "市区町村コード,領域,コメント\n202011,全体,ご一緒に進めましょう。\n")]),
        SetupChange(
            key: "inputs.establishments.paths",
            edits: [("paths = [\"establishments_*.csv\"]", "paths = [\"establishments_0[12].csv\"]")]),
        SetupChange(key: "inputs.establishments.encoding", edits: [("encoding = \"auto\"", "encoding = \"utf-8\"")]),
        SetupChange(key: "inputs.establishments.delimiter", edits: [("delimiter = \",\"", "delimiter = \";\"")]),
        SetupChange(
            key: "inputs.establishments.headers",
            edits: [("\"介護職員（正規）\" = \"care_staff_regular\"", "\"介護職員（常勤）\" = \"care_staff_regular\"")]),
        SetupChange(key: "inputs.workers", edits: [("[inputs.workers]\npaths = [\"workers_*.csv\"]\n", "")]),
        SetupChange(
            key: "inputs.workers.paths", edits: [("paths = [\"workers_*.csv\"]", "paths = [\"workers_01.csv\"]")]),
        SetupChange(
            key: "disclosure.min_establishments", edits: [("min_establishments = 3", "min_establishments = 6")]),
        SetupChange(key: "disclosure.min_workers", edits: [("min_workers = 10", "min_workers = 40")]),
        SetupChange(key: "disclosure.dominance_share", edits: [("dominance_share = 0.85", "dominance_share = 0.6")]),
        SetupChange(key: "weights.method", edits: [("method = \"frame\"", "method = \"none\"")]),
        SetupChange(key: "weights.min_respondents", edits: [("min_respondents = 3", "min_respondents = 8")]),
        SetupChange(key: "weights.max_worker_factor", edits: [("max_worker_factor = 20", "max_worker_factor = 2")]),
        SetupChange(
            key: "weights.service_groups",
            edits: [("\"施設\" = [\"51\", \"52\",", "\"施設\" = [\"51\", \"52\", \"15\",")]),
        SetupChange(key: "peers.k", edits: [("k = \"auto\"", "k = 3")]),
        SetupChange(key: "peers.neighbours", edits: [("neighbours = 5", "neighbours = 2")]),
        // The case that once published a `latest` with 309 files unlike a forced run's: a context
        // feature of weight 0 leaves the groups as they were, but every report lists it.
        SetupChange(
            key: "peers.context_features",
            edits: [
                ("[\"certification_rate\"]", "[\"certification_rate\", \"home_death_rate\"]"),
                ("turnover_rate = 1.0\n", "turnover_rate = 1.0\nhome_death_rate = 0\n"),
            ]),
        SetupChange(key: "peers.weights", edits: [("turnover_rate = 1.0", "turnover_rate = 0")]),
        SetupChange(
            key: "roadmap.answers_from", edits: [("answers_from = \"2025-04-01\"", "answers_from = \"2025-07-15\"")]),
        SetupChange(key: "roadmap.answers_to", edits: [("answers_to = \"2026-03-31\"", "answers_to = \"2025-07-20\"")]),
        SetupChange(key: "roadmap.targets", edits: [("share = 0.6", "share = 0.4")]),
        SetupChange(key: "roadmap.priorities", edits: [("[\"介護人材の確保と定着\"]", "[\"住民主体の介護予防の後押し\"]")]),
        SetupChange(
            key: "roadmap.show_pairings",
            edits: [("priorities = [\"介護人材の確保と定着\"]", "priorities = [\"介護人材の確保と定着\"]\nshow_pairings = true")]),
        SetupChange(
            key: "inputs.own_items",
            edits: [("context = [\"context.csv\"]", "context = [\"context.csv\"]\nown_items = [\"own_items.csv\"]")],
            files: [("in/own_items.csv", "市区町村コード,項目ID,領域,段階,項目,評価\n202011,OWN-1,介護人材,2,事業所との定例会,3\n")]),
        SetupChange(key: "roadmap.support", edits: [("1 = [\"「見える化」システム活用セミナー\"]", "1 = [\"地域診断カルテの読み方研修\"]")]),
        SetupChange(key: "packets.csv_encoding", edits: [("csv_encoding = \"utf-8-bom\"", "csv_encoding = \"cp932\"")]),
        SetupChange(
            key: "packets.sender",
            edits: [("sender = \"kaigo@pref.example.lg.jp\"", "sender = \"info@pref.example.lg.jp\"")]),
        SetupChange(key: "packets.section", edits: [("section = \"健康福祉部 介護支援課\"", "section = \"介護保険課\"")]),
        SetupChange(key: "packets.phone", edits: [("phone = \"026-000-0000\"", "phone = \"026-111-1111\"")]),
        SetupChange(
            key: "packets.email",
            edits: [("email = \"kaigo@pref.example.lg.jp\"", "email = \"hoken@pref.example.lg.jp\"")]),
        SetupChange(key: "packets.handling_note", edits: [("取扱注意：検討用", "取扱注意：庁内限り")]),
        SetupChange(key: "packets.issued", edits: [("issued = \"2026-01-15\"", "issued = \"2026-02-01\"")]),
        SetupChange(key: "packets.pdf", edits: [("pdf = false", "pdf = true")]),
        SetupChange(key: "packets.attach", edits: [("pdf = false", "pdf = false\nattach = [\"workbook\", \"csv\"]")]),
        SetupChange(key: "packets.max_mail_mb", edits: [("pdf = false", "pdf = false\nmax_mail_mb = 0.01")]),
        SetupChange(
            key: "packets.chromium",
            edits: [("pdf = false", "pdf = true"), ("chromium = \"chromium-a\"", "chromium = \"chromium-b\"")]),
        SetupChange(
            key: "packets.qpdf", edits: [("pdf = false", "pdf = true"), ("qpdf = \"qpdf-a\"", "qpdf = \"qpdf-b\"")]),
        SetupChange(key: "packets.templates", edits: [("templates = \"tpl-a\"", "templates = \"tpl-b\"")]),
        SetupChange(key: "packets.strict_templates", edits: [("strict_templates = false", "strict_templates = true")]),
        SetupChange(key: "packets.boundaries", edits: [("boundaries = \"in/boundaries.geojson\"\n", "")]),
        SetupChange(key: "packets.boundaries_credit", edits: [("credit = \"架空の境界\"", "credit = \"境界：架空\"")]),
        SetupChange(key: "runs.keep", edits: [("keep = 5", "keep = 1")]),
        SetupChange(
            key: "reference.indicator", edits: [("indicator = \"turnover_rate\"", "indicator = \"hiring_rate\"")]),
        SetupChange(key: "reference.value", edits: [("value = 12.8", "value = 13.1")]),
        SetupChange(key: "reference.source", edits: [("source = \"介護労働実態調査\"", "source = \"介護労働実態調査（全国）\"")]),
        SetupChange(key: "reference.year", edits: [("year = \"令和6年度\"", "year = \"令和5年度\"")]),
        SetupChange(key: "reference.label", edits: [("label = \"全国\"", "label = \"全国平均\"")]),
        // What stages read from outside the pipeline file and the run folder.
        SetupChange(key: "a template's content", files: [("tpl-a/report.css", "h1 { color: black; }\n")]),
        SetupChange(
            key: "a new browser version",
            edits: [("pdf = false", "pdf = true")],
            files: [("chromium-a.version", "Stand-in Chromium 2\n")]),
    ]

    /// The keys the documentation's example pipeline file sets (`section.key`; a table of free
    /// keys such as `[peers.weights]` counts as one).
    static func documentedKeys() throws -> Set<String> {
        let doc = try String(contentsOfFile: TestSupport.packageRoot + "/docs/pipeline-file.md", encoding: .utf8)
        let block = doc.components(separatedBy: "```toml\n")[1].components(separatedBy: "```")[0]
        var keys: Set<String> = []
        var section = ""
        for raw in block.split(separator: "\n") {
            let line =
                raw.split(separator: "#", maxSplits: 1).first.map(String.init)?
                .trimmingCharacters(in: .whitespaces) ?? ""
            if line.hasPrefix("[") {
                section = line.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
                continue
            }
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            let free = key.hasPrefix("\"") || key.first?.isNumber == true || section == "peers.weights"
            keys.insert(free ? section : section.isEmpty ? key : section + "." + key)
        }
        return keys
    }

    @Test("every documented key is changed here or said why not")
    func coversEveryKey() throws {
        let documented = try Self.documentedKeys()
        let covered = Set(Self.changes.map(\.key)).union(Self.notChanged.keys)
        #expect(
            documented.subtracting(covered).isEmpty,
            "documented but not changed: \(documented.subtracting(covered).sorted())")
        #expect(documented.count > 40)
    }

    @Test("a changed setup run incrementally equals it run with --force", arguments: changes)
    func incrementalEqualsForced(_ change: SetupChange) throws {
        let base = try Self.prepared.get()
        let root = TestSupport.temporaryFolder("banso-incremental-case")
        defer { try? FileManager.default.removeItem(atPath: root) }
        // The base run's folder, copied (links, the history store and all), then changed.
        let copy = try TestSupport.run("/bin/cp", ["-a", base + "/.", root])
        try #require(copy.0 == 0, "cp: \(copy.2)")
        var text = Self.base
        for (old, new) in change.edits {
            try #require(text.contains(old), "the base pipeline has no \(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        TestSupport.write(text, to: root + "/p.toml")
        for (path, content) in change.files { TestSupport.write(content, to: root + "/" + path) }

        // A new `name` is another pipeline: it may fill the wave only when told to take it over.
        let owner = change.key == "name" ? ["--take-over-wave"] : []
        let incremental = try TestSupport.run(
            TestSupport.binaries + "/banso", ["run", root + "/p.toml", "--quiet"] + owner)
        try #require(incremental.0 == 0, "incremental run: \(incremental.2)")
        let forced = try TestSupport.run(
            TestSupport.binaries + "/banso",
            ["run", root + "/p.toml", "--force", "--quiet", "--output", root + "/forced"] + owner)
        try #require(forced.0 == 0, "forced run: \(forced.2)")

        let a = try Workspace.dataFiles(root + "/out/latest"), b = try Workspace.dataFiles(root + "/forced/latest")
        let differing = Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }.sorted()
        #expect(differing.isEmpty, "\(differing.count) files differ, e.g. \(differing.prefix(5))")
    }
}
