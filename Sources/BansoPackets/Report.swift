import BansoCore
import Foundation
import Mustache
import SystemPackage

/// Everything one municipality's packet is built from (published data only).
package struct PacketData: Sendable {
    /// A nearest municipality, with what it is closest on.
    package struct Neighbour: Sendable, Equatable {
        package var code: MunicipalityCode
        package var name: String
        package var similarity: Double
        package var closest: [PeerFeature]
        package init(code: MunicipalityCode, name: String, similarity: Double, closest: [PeerFeature]) {
            self.code = code
            self.name = name
            self.similarity = similarity
            self.closest = closest
        }
    }

    package var code: MunicipalityCode
    package var name: String
    package var wave: Wave
    package var wording: PrefectureWording
    package var feedback: [FeedbackRow]
    package var groupNumber: Int?
    package var groupLabel: String
    /// Other members of the group (names).
    package var groupMembers: [String]
    package var neighbours: [Neighbour]
    /// Model projects run by its group or neighbours on themes it has not run.
    package var projects: [SuggestionRow]
    /// Rejected rows among this municipality's answers, per kind and rule.
    package var quality: [QualityCount]
    /// Establishments surveyed (the frame), when a frame was given.
    package var surveyed: Int?
    /// Each indicator's scale, shared by every report of the prefecture.
    package var scales: [Indicator: ChartScale]
    package var contact: PacketContact
    /// This municipality's published values over the waves, oldest first, per indicator.
    package var trends: [Indicator: [TrendRow]] = [:]
    /// Figures from elsewhere shown beside the prefecture's (national ones, say).
    package var references: [ReferenceFigure] = []
    /// The locator map (inline SVG: this municipality and its peers), when boundaries are configured.
    package var locatorMap: String?
    /// The boundaries' source credit, printed under the map.
    package var mapCredit = ""
    /// The 地域診断カルテ, when the pipeline has a roadmap or context figures.
    package var karte: KarteData?
    /// The names of the context indicators the peer groups also use (`[peers] context_features`).
    package var contextFeatureLabels: [String] = []
    /// The built-in features the peer groups were formed on (the situation only, by default).
    package var peerFeatures: [PeerFeature] = PeerFeature.allCases.filter { !$0.isOutcome }
    /// The figures are weighted to the frame (`[weights]`), not the respondents' own.
    package var weighted = false
    /// The section the letter is addressed to (the master's 担当課; empty: 介護保険担当課).
    package var department = ""
    /// How the peer groups were formed (`[peers] basis`).
    package var peerGrouping = PeerGrouping.cluster
    /// The nearest municipalities gained and lost since the previous wave, and why.
    package var neighbourChanges: [NeighbourChangeRow] = []
    /// The prefecture's own words on the whole packet (`inputs.prefecture_comments`, 全体).
    package var prefectureComments: [String] = []
    /// Next wave's self-assessment form, filled in with this wave's answers (nil without 主観 items).
    package var selfAssessmentForm: SelfAssessmentForm?

    package init(
        code: MunicipalityCode, name: String, wave: Wave, wording: PrefectureWording, feedback: [FeedbackRow],
        groupNumber: Int?, groupLabel: String, groupMembers: [String], neighbours: [Neighbour],
        projects: [SuggestionRow],
        quality: [QualityCount], surveyed: Int? = nil, scales: [Indicator: ChartScale] = [:],
        contact: PacketContact = PacketContact()
    ) {
        self.code = code
        self.name = name
        self.wave = wave
        self.wording = wording
        self.feedback = feedback
        self.groupNumber = groupNumber
        self.groupLabel = groupLabel
        self.groupMembers = groupMembers
        self.neighbours = neighbours
        self.projects = projects
        self.quality = quality
        self.surveyed = surveyed
        self.scales = scales
        self.contact = contact
    }

    package var prefectureName: String { wording.name }

    /// The feedback row of one indicator.
    package func row(_ indicator: Indicator) -> FeedbackRow? { feedback.first { $0.indicator == indicator } }

    /// What the municipality is compared with: its peer group, or its nearest municipalities when
    /// the group is small (nil without peers).
    package var peerBasis: PeerBasis? { feedback.first { $0.peerBasis != nil }?.peerBasis }

    /// The words for a comparison basis in tables: 類似団体 or 状況の近い市町村 (empty without peers).
    static func peerColumn(_ basis: PeerBasis?, _ w: PrefectureWording) -> String {
        basis.map { $0 == .group ? "類似団体" : "状況の近い\(w.municipalities)" } ?? ""
    }

    /// The 圏域 column's heading in the workbook and CSV: 「圏域（佐久）」, or 「圏域」 without one.
    var regionColumn: String {
        let name = feedback.first?.regionName ?? ""
        return name.isEmpty ? "圏域" : "圏域（\(name)）"
    }

    /// No accepted answer from the municipality's establishments.
    package var noAnswers: Bool { (row(.respondents)?.value ?? 0) == 0 }

    /// The sentence on whom to ask, from the `[packets]` contact keys.
    package var contactLine: String { contact.line(wording) }

    /// How the material may be used.
    package var handlingNote: String {
        contact.handlingNote
            ?? "取扱注意：本資料は\(wording.name)と\(name)の協議のための資料です。公表される場合は事前にご相談ください。"
    }
}

/// The templates the packets are rendered with.
///
/// They are compiled into the program, each replaceable by a file of the same name in
/// `[packets] templates` (the prefecture's own wording). Mustache escapes every value for HTML
/// unless a template says otherwise.
package struct Templates: Sendable {
    /// The template files a prefecture may replace.
    package static let names = ["report.mustache", "prefecture_summary.mustache", "letter.mustache", "report.css"]

    let library: MustacheLibrary
    /// What looks wrong in the prefecture's templates without stopping the run (an empty one).
    package let warnings: [String]
    /// The outlines of the prefecture's own templates (not the shipped ones), by name.
    let custom: [String: (outline: TemplateCheck.Outline, origin: String)]
    /// The names the shipped templates use, by template.
    let shippedKnown: [String: Set<String>]

    /// Names in the prefecture's own template `name` that its views (and the shipped template)
    /// do not provide; none when the template is the shipped one.
    func unknownNames(_ name: String, views: [Any]) -> [String] {
        guard let own = custom[name] else { return [] }
        var known = shippedKnown[name] ?? []
        for view in views { TemplateCheck.labels(view, into: &known) }
        return TemplateCheck.unknownNames(own.outline, known: known, origin: own.origin)
    }

    /// The report's style sheet, shared by the municipality reports and the prefecture summary.
    let css: String

    /// The templates shipped with the program.
    package static let standard = try! Templates(directory: nil)

    /// The shipped templates, with any file of `names` found in `directory` instead.
    ///
    /// A template that does not parse is an error naming its file, line and column.
    package init(directory: FilePath?) throws {
        try self.init(directory: directory, sources: [:])
    }

    /// The shipped templates with `sources` (file name → text) instead (the fuzz target's way in).
    package init(sources: [String: String]) throws {
        try self.init(directory: nil, sources: sources)
    }

    init(directory: FilePath?, sources: [String: String]) throws {
        func text(_ name: String, _ shipped: [UInt8]) throws -> (String, String) {
            if let given = sources[name] { return (given, "the template \(name)") }
            if let file = directory?.appending(name).string, FileManager.default.fileExists(atPath: file) {
                guard let data = FileManager.default.contents(atPath: file),
                    var text = String(data: data, encoding: .utf8)
                else {
                    throw StageFailure(.configuration, "\(file): cannot read it as UTF-8 text")
                }
                // Saved by Windows Notepad: a BOM and CRLF line ends, which would give every mail
                // draft bare `\r\r\n` line ends.
                while text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }
                text = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
                return (text, file)
            }
            return (String(decoding: shipped, as: UTF8.self), "the program's own \(name)")
        }
        var library = MustacheLibrary()
        var sources: [(name: String, source: String, origin: String)] = []
        var outlines: [String: (outline: TemplateCheck.Outline, origin: String)] = [:]
        var warnings: [String] = []
        var custom: [String: (outline: TemplateCheck.Outline, origin: String)] = [:]
        var shippedKnown: [String: Set<String>] = [:]
        for (name, shipped) in [
            ("report", PackageResources.report_mustache),
            ("prefecture_summary", PackageResources.prefecture_summary_mustache),
            ("letter", PackageResources.letter_mustache),
        ] {
            let (source, origin) = try text(name + ".mustache", shipped)
            let outline = try TemplateCheck.outline(source, origin: origin)
            if source.allSatisfy(\.isWhitespace) {
                warnings.append("\(origin) is empty: every \(name == "letter" ? "mail draft" : name) will be blank")
            } else if outline.tags == 0 {
                warnings.append("\(origin) has no {{…}} tags: every \(name) will be the same text")
            }
            outlines[name] = (outline, origin)
            sources.append((name, source, origin))
            if origin.hasPrefix("the program's own") == false {
                custom[name] = (outline, origin)
                // The shipped template's names are all known good, also those a view holds only
                // in a part that is empty here (a カルテ without a roadmap).
                let shippedNames = try TemplateCheck.outline(
                    String(decoding: shipped, as: UTF8.self), origin: "the program's own \(name).mustache"
                ).names.map(\.name)
                shippedKnown[name] = Set(shippedNames)
            }
        }
        // Before the library parses anything: its parser and renderer recurse.
        try TemplateCheck.checkIncludes(outlines)
        for (name, source, origin) in sources {
            do {
                library.register(try MustacheTemplate(string: source), named: name)
            } catch let e as MustacheTemplate.ParserError {
                throw StageFailure(
                    .configuration,
                    at: .init(file: origin, line: e.context.lineNumber, field: String(e.context.columnNumber)),
                    "the template does not "
                        + "parse (\(e.error)): \(e.context.line)")
            }
        }
        self.library = library
        self.warnings = warnings
        self.custom = custom
        self.shippedKnown = shippedKnown
        var css = try text("report.css", PackageResources.report_css).0
        while css.hasSuffix("\n") { css.removeLast() }
        self.css = css
    }

    func render<View: Encodable>(_ view: View, _ name: String) -> String {
        library.render(TemplateValues.make(view), withTemplate: name) ?? ""
    }

    /// Renders a view with one of the templates (for the fuzz target and tests).
    package func renderForTest<View: Encodable>(_ view: View, _ name: String) -> String { render(view, name) }
}

/// Renders the municipality's report: one self-contained, printable HTML file.
package enum ReportRenderer {
    /// The report HTML.
    package static func render(_ p: PacketData, templates: Templates = .standard) -> String {
        templates.render(ReportView(p, css: templates.css), "report")
    }
}

/// What the report template shows: every value already formatted, every absent part nil.
struct ReportView: Encodable {
    /// The report's 用語の説明, also the workbook's sheet of that name.
    ///
    /// The indicators the report shows, how they were estimated, and how to read the comparisons.
    static func glossary(_ p: PacketData) -> [Definition] {
        let w = p.wording
        return Indicator.allCases.filter { p.row($0) != nil }.map {
            Definition(term: $0.japanese, definition: $0.definition)
        } + methodDefinitions(weighted: p.weighted, wording: w) + [
            Definition(
                term: "95%信頼区間",
                definition: "回答から推計した値の誤差の幅の目安です。事業所を単位とした比推定の標準誤差（事業所台帳がある場合は有限母集団修正あり）により、"
                    + "事業所の割合はWilsonの方法によります。"),
            Definition(
                term: "中ほどの半数（四分位範囲）", definition: "比較する団体の値を小さい順に並べたとき、下から25%〜75%に入る範囲です。"),
            Definition(
                term: "\(w.within)での位置",
                definition: "\(w.within)の\(w.municipalities)の値を小さい順に四つに分けたとき、"
                    + "\(PrefectureWording.honorific(p.name))の値が入る区分です。順位ではありません。"),
        ]
    }

    /// How the figures were estimated, and what 参考値 and 全数 mean (docs/indicators.md).
    static func methodDefinitions(weighted: Bool, wording w: PrefectureWording) -> [Definition] {
        [
            Definition(
                term: "集計の方法",
                definition: weighted
                    ? "事業所台帳の事業所数と回答した事業所数から、\(w.municipalities)×サービスの区分ごとに重み（台帳の事業所数÷回答事業所数）を付けて、"
                        + "台帳のすべての事業所についての値を推計しています。回答の少ない区分は、同じ\(w.municipalities)の他の区分や\(w.within)の同じ区分とまとめています。"
                        + "労働者の値は、さらに事業所の職員数÷回答した労働者数を掛けた重みによります。"
                    : "回答した事業所・労働者の値をそのまま集計しています（重み付けはしていません）。"),
            Definition(
                term: "参考値",
                definition: "誤差が大きく（標準誤差が値の30%を超える）、幅をもって見ていただきたい値です。"
                    + "比較の印（△・○）は付けず、ロードマップの達成の判定にも使いません。"),
            Definition(
                term: "推計値（小地域推定）",
                definition: "回答の少ない\(w.municipalities)の値を、人口・高齢化率などの似た\(w.municipalities)の傾向で補った推計です"
                    + "（Fay–Herriotモデル）。参考値となった値について、こちらの方が誤差が小さい場合に併せて示しています。"),
            Definition(
                term: "全数", definition: "台帳のすべての事業所が回答した値です。抽出による誤差はないため、信頼区間は示していません。"),
        ]
    }

    /// 「類似団体全体 12.3」: the peers' pooled figure.
    ///
    /// Whether the pool holds the municipality itself is said once, under the cards
    /// (`pooledWithSelf`).
    static func pooled(_ r: FeedbackRow, spec: Indicator) -> String? {
        r.peerPooled.map { "類似団体全体 " + HTML.display($0, spec: spec) }
    }

    /// The neighbours gained and lost since the previous wave, in one sentence.
    ///
    /// 「前回（令和6年度）から、状況の近い市町村は○○（人口規模が近づいたため）が加わり、△△（…）が外れました。」
    static func neighbourChange(_ changes: [NeighbourChangeRow], wording w: PrefectureWording) -> String? {
        guard let first = changes.first else { return nil }
        func list(_ change: NeighbourChangeRow.Change) -> String {
            changes.filter { $0.change == change }.map { "\($0.neighbourName)（\($0.reason)）" }.joined(separator: "、")
        }
        let added = list(.added), removed = list(.removed)
        var parts: [String] = []
        if !added.isEmpty { parts.append("\(added)が加わり") }
        if !removed.isEmpty { parts.append("\(removed)が外れました") }
        let text = parts.joined(separator: "、")
        return "前回（\(HTML.fiscalYear(first.previousWave))）から、状況の近い\(w.municipalities)は"
            + (removed.isEmpty ? text.replacingOccurrences(of: "が加わり", with: "が加わりました") : text) + "。"
    }

    /// 「▲1.2」, 「▼0.4」, 「±0.0」: a change with its direction.
    static func signed(_ c: Double, spec: Indicator) -> String {
        (c > 0 ? "▲" : c < 0 ? "▼" : "±") + HTML.display(abs(c), spec: spec)
    }

    /// What the report says when many of the establishments that answered differ from last time:
    /// the all-respondent change is partly a change of who answered.
    static func panelNote(_ rows: [FeedbackRow], honorific: String) -> String? {
        let key = rows.filter { $0.panelMatched != nil }
        guard let worst = key.max(by: { ($0.respondentsChanged ?? 0) < ($1.respondentsChanged ?? 0) }),
            let share = worst.respondentsChanged, share > PanelChangeRow.turnoverNote
        else { return nil }
        let percent = Int((share * 100).rounded())
        let matched = worst.panelMatched ?? 0
        return "今回と前回とで、\(honorific)の回答事業所の約\(percent)%が入れ替わっています。前回比には、回答した事業所の違いによる変化も含まれます。"
            + (matched > 0
                ? "「継続回答」は、両方の調査に回答した\(matched)事業所だけで比べた変化です。"
                : "両方の調査に回答した事業所がないため、同じ事業所どうしでは比べられません。")
    }

    /// 「佐久圏域 7.1」: the 圏域's published value.
    static func region(_ r: FeedbackRow, spec: Indicator) -> String? {
        guard !r.regionName.isEmpty, let v = r.regionValue else { return nil }
        return "\(r.regionName)圏域 " + HTML.display(v, spec: spec)
    }

    struct Card: Encodable {
        let label: String
        let suppressed: Bool
        let missing: Bool
        let value: String?
        let unit: String
        let comparison: String
        /// 参考値 or 全数 beside the value.
        let reliability: String?
        /// What a card without a value of its own can be read against: the prefecture and the
        /// peers' pooled figure.
        let reference: String?
        /// 「前回 10.6（▼3.7）」: the previous wave's value and the change, when both are published.
        let previous: String?
    }
    /// Two sizes side by side: page 1 lists them in half the height.
    struct SizeRow: Encodable {
        let left: Size
        let right: Size?
    }
    /// One area of the 構築ロードマップ on page 1: the stage reached.
    struct StageLine: Encodable {
        let area: String
        let reached: String
    }
    struct Point: Encodable {
        let flag: String
        let mark: String
        let text: String
        let figures: String
    }
    struct Row: Encodable {
        let label: String
        let flag: String?
        let suppressed: Bool
        let noAnswer: Bool
        let value: String?
        let unit: String
        /// The 95% interval's ends, printed so that a narrow column breaks the line after 〜.
        let interval: Interval?
        /// 参考値 or 全数 beside the value.
        let reliability: String?
        /// The small-area estimate, where the value is a 参考値 and the estimate is more precise.
        let smallArea: String?
        let prefecture: String
        let rest: String?
        /// The peers' pooled figure with its interval (「類似団体全体 …」).
        let pooled: String?
        /// The 圏域's value, under the prefecture's (the column heading names the 圏域).
        let region: String?
        /// Inline SVG built from numbers only (no input text).
        let chart: String
        let strip: String
        let quartile: String?
        let change: String?
        let previous: String
        /// Whether the change is beyond sampling noise, in words.
        let changeWords: String?
        /// The change on the establishments that answered both waves (「継続回答 ▲1.2」).
        let panel: String?
        /// A small chart of the last waves (inline SVG of numbers only).
        let trend: String
        /// The waves the trend covers, 「令和5〜7年度」, printed under it; nil without a trend.
        let trendYears: String?
        let reference: String?
        let comment: String?
        let mark: String
    }
    struct Interval: Encodable {
        let low: String
        let high: String
    }
    struct Reference: Encodable {
        let label: String
        let indicator: String
        let source: String
        let year: String
    }
    struct Size: Encodable {
        let label: String
        let value: String
        let prefecture: String
    }
    struct Group: Encodable {
        let number: Int
        let label: String
        let members: String?
    }
    struct Neighbour: Encodable {
        let name: String
        let similarity: String
        let closest: String
    }
    struct Project: Encodable {
        let municipality: String
        let name: String
        let theme: String
        let year: String
        let relation: String
        let summary: String
        /// 「離職率（%） 15 → 12.5（令和6年度）」: only when the prefecture gave an outcome.
        let outcome: String?
    }
    struct Quality: Encodable {
        let survey: String
        let rule: String
        let rows: Int
    }
    struct Definition: Encodable {
        let term: String
        let definition: String
    }

    let css: String
    let name: String
    let code: String
    let wave: Wave
    let fiscalYear: String
    let prefectureName: String
    let whole: String
    let within: String
    let municipalitiesWord: String
    let honorific: String
    let issued: String?
    let handlingNote: String
    let section: String?
    let contact: String
    let noAnswers: Bool
    let mostlySuppressed: Bool
    let surveyed: String?
    let answered: String
    let responseRate: String?
    let workers: String?
    var points: [Point]
    /// How many more points the comparison table shows than page 1.
    let morePoints: Int?
    /// Page 1 names at most this many points, so that the cards stay on it.
    static let pointsOnFirstPage = 2
    /// The prefecture's own words to this municipality (`inputs.prefecture_comments`, 全体).
    let prefectureComments: [String]
    let hasPrefectureComments: Bool
    let hasPoints: Bool
    let comparison: String
    /// How many indicators could be compared and with what (nil when none could).
    let compared: String?
    /// What page 1 says when no difference was found: never that nothing differs when little or
    /// nothing could be compared.
    let noDifference: String
    /// What a municipality whose values are mostly suppressed can look at instead.
    let referenceHint: String
    let dominant: Bool
    let cards: [Card]
    /// A card's 「類似団体全体」 holds the municipality itself (its own value is suppressed): said
    /// once under the cards rather than on each.
    let pooledWithSelf: Bool
    let peerName: String
    /// 「佐久圏域」 in the comparison table's heading, when the 圏域 has values to show.
    let regionName: String?
    /// Said under the comparison table when the respondents changed much since the last wave.
    let panelNote: String?
    let neighboursBasis: Bool
    let groupSize: Int
    let neighbourCount: Int
    let sizes: [Size]
    /// The sizes two to a row, as page 1 prints them.
    let sizeRows: [SizeRow]
    /// The stage reached in each area of the roadmap, with the next support (page 1).
    let stageLines: [StageLine]
    let hasStageLines: Bool
    let hasPrevious: Bool
    let firstYear: Bool
    let waves: String?
    let references: [Reference]
    let hasReferences: Bool
    /// Columns of the comparison table (the change column only with an earlier wave).
    let columns: Int
    let rows: [Row]
    let group: Group?
    let hasNeighbours: Bool
    /// Which nearest municipalities changed since the previous wave, and why, in one sentence.
    let neighbourChange: String?
    let neighbours: [Neighbour]
    let hasProjects: Bool
    let projects: [Project]
    /// Projects beyond those shown (listed in model_projects.csv).
    let moreProjects: Int?
    static let projectsShown = 6
    let hasQuality: Bool
    let quality: [Quality]
    let definitions: [Definition]
    let locator: Locator?
    let karte: KarteView?
    /// What the groups are formed on: `人口規模、…、不足感の7つの特徴`.
    let groupFeatures: String
    /// The groups use survey outcomes too (a pipeline gave them a weight): the report says so.
    let groupOnOutcomes: Bool

    struct Locator: Encodable {
        let svg: String
        let credit: String
        let peerWord: String
    }

    static func mark(_ flag: FeedbackFlag?) -> String {
        switch flag {
        case .concern: "△"
        case .strength: "○"
        case .note: "・"
        case nil: ""
        }
    }

    init(_ p: PacketData, css: String) {
        self.css = css
        let w = p.wording
        name = p.name
        code = p.code.text
        wave = p.wave
        fiscalYear = HTML.fiscalYear(p.wave)
        prefectureName = w.name
        whole = w.whole
        within = w.within
        municipalitiesWord = w.municipalities
        honorific = PrefectureWording.honorific(p.name)
        issued = p.contact.issued?.japanese
        handlingNote = p.handlingNote
        section = p.contact.section
        contact = p.contactLine
        noAnswers = p.noAnswers
        let comparable = Indicator.allCases.filter { !$0.form.isCount }
        let comparableRows = comparable.compactMap { p.row($0) }
        mostlySuppressed =
            !p.noAnswers && !comparableRows.isEmpty
            && comparableRows.filter(\.suppressed).count * 2 > comparableRows.count
        surveyed = p.surveyed.map { HTML.grouped(Double($0), digits: 0) }
        answered = HTML.grouped(p.row(.respondents)?.value ?? 0, digits: 0)
        responseRate = p.row(.responseRate)?.value.map { HTML.grouped($0, digits: 1) }
        workers = p.row(.workersResponding)?.value.map { HTML.grouped($0, digits: 0) }
        let dominant = p.feedback.contains { $0.restOfPrefecture != nil }
        self.dominant = dominant
        let basis = p.peerBasis
        peerName = basis == .neighbours ? "状況の近い\(w.municipalities)" : "類似団体"
        neighboursBasis = basis == .neighbours
        groupSize = p.groupMembers.count + 1
        neighbourCount = p.neighbours.count
        locator = p.locatorMap.map {
            Locator(
                svg: $0, credit: p.mapCredit, peerWord: basis == .neighbours ? "状況の近い\(w.municipalities)" : "同じグループ")
        }
        comparison = basis == nil ? w.whole : "類似団体や\(w.whole)"
        let bases = comparableRows.compactMap(\.comparison?.basis)
        let withWhat = [
            ComparisonBasis.pooledPeers, .peers(.group), .peers(.neighbours), .restOfPrefecture, .prefecture,
        ]
        .map { basis in (basis.japanese(w), bases.filter { $0 == basis }.count) }
        .filter { $0.1 > 0 }.map { "\($0.0)と\($0.1)項目" }
        compared =
            bases.isEmpty
            ? nil
            : "誤差を踏まえて比較できた指標は\(comparableRows.count)項目中\(bases.count)項目です（"
                + withWhat.joined(separator: "、") + "）。"
        let hasPeerValues = p.feedback.contains { $0.peerMedian != nil }
        let hasRegion = p.feedback.contains { $0.regionValue != nil }
        regionName = hasRegion ? p.feedback.first.map { "\($0.regionName)圏域" } : nil
        panelNote = Self.panelNote(p.feedback, honorific: honorific)
        referenceHint =
            "\(w.whole)\(hasRegion ? "・圏域" : "")\(hasPeerValues ? "と類似団体" : "")の値"
        if bases.isEmpty {
            // The 秘匿 paragraph above already says where to look when most values are suppressed.
            noDifference =
                "今回は\(honorific)の値が秘匿や参考値などのため、誤差を踏まえて比較できた指標はありません。"
                + (mostlySuppressed ? "" : "次のページの\(referenceHint)を参考としてご覧ください。")
        } else {
            let left = comparableRows.count - bases.count
            noDifference =
                "比較できた\(bases.count)項目では、調査の誤差を超える違いは見られませんでした。"
                + (left * 2 >= comparableRows.count
                    ? "ただし残る\(left)項目は、回答が少なく秘匿としたか誤差が大きいため比較していません。" : "")
        }
        // The surest differences first: what page 1 says in words.
        points = p.feedback.filter { $0.flagPriority != nil }.sorted { $0.flagPriority! < $1.flagPriority! }.map { r in
            let spec = r.indicator
            var figures = "\(HTML.display(r.value, spec: spec)) \(spec.unit)"
            if r.reliability == .census {
                figures += "（全数：事業所台帳のすべての事業所が回答）"
            } else if let lo = r.ciLow, let hi = r.ciHigh {
                figures += "（95%信頼区間 \(HTML.display(lo, spec: spec))〜\(HTML.display(hi, spec: spec))）"
            }
            // What the flag compared it with (FeedbackRow.comparison), in a shorter word for peers.
            switch r.comparison {
            case (.peers(let peers), let q1, let q3)?:
                figures += "、\(peers == .neighbours ? "状況の近い団体" : "類似団体")の中ほどの半数 "
                figures += "\(HTML.display(q1, spec: spec))〜\(HTML.display(q3, spec: spec))"
            case (let basis, let value, _)?:
                figures += "、\(basis.japanese(w)) " + HTML.display(value, spec: spec)
            case nil: break
            }
            return Point(flag: r.flag?.rawValue ?? "", mark: Self.mark(r.flag), text: r.comment, figures: figures)
        }
        hasPoints = !points.isEmpty
        // Page 1 keeps the surest few, those with a direction (△, ○) before the notes (・); the
        // table beside each value has them all with their words.
        morePoints = points.count > Self.pointsOnFirstPage ? points.count - Self.pointsOnFirstPage : nil
        points = Array(
            points.enumerated().sorted { a, b in
                (a.element.flag == FeedbackFlag.note.rawValue ? 1 : 0, a.offset)
                    < (b.element.flag == FeedbackFlag.note.rawValue ? 1 : 0, b.offset)
            }.map(\.element).prefix(Self.pointsOnFirstPage))
        prefectureComments = p.prefectureComments
        hasPrefectureComments = !p.prefectureComments.isEmpty
        pooledWithSelf = Indicator.headline.contains { p.row($0)?.peerPooledWithSelf == true }
        cards = Indicator.headline.compactMap { spec in
            guard let r = p.row(spec) else { return nil }
            var comparison = "\(w.whole) \(HTML.display(r.prefectureValue, spec: spec))"
            let shown = r.suppressed ? nil : r.value
            // The group's respondents taken together: a figure even where no member publishes one.
            // Else the peers' median (two peer figures side by side would read as a contradiction).
            let pooled = Self.pooled(r, spec: spec)
            if let pooled {
                comparison += "／" + pooled
            } else if let m = r.peerMedian {
                comparison += "／\(basis == .neighbours ? "近い団体" : "類似団体") \(HTML.display(m, spec: spec))"
            }
            // Without a value of its own, the card also gives the 圏域's: one more figure to read against.
            let region = Self.region(r, spec: spec)
            return Card(
                label: spec.japanese, suppressed: r.suppressed, missing: !r.suppressed && r.value == nil,
                value: shown.map { HTML.display($0, spec: spec) }, unit: spec.unit, comparison: comparison,
                reliability: shown == nil ? nil : r.reliability?.japanese,
                reference: shown == nil && (pooled != nil || region != nil)
                    ? "参考: " + ([comparison] + [region].compactMap { $0 }).joined(separator: "／") : nil,
                previous: shown == nil
                    ? nil
                    : r.previousValue.map { v in
                        "前回 \(HTML.display(v, spec: spec))"
                            + (r.change.map { "（\(Self.signed($0, spec: spec))）" } ?? "")
                    })
        }
        // Sizes and totals describe how big a place is: page 1 lists them, the comparison does not.
        // Weighted, page 1 gives the estimated totals in place of the respondents' own sums (which
        // the workbook and the CSV keep), so that the page still holds the headline cards.
        sizes = Indicator.allCases.filter { $0.form.isCount && !(p.weighted && $0.form == .countTotal) }.compactMap {
            spec in
            guard let r = p.row(spec) else { return nil }
            var value = r.suppressed ? "秘匿" : r.value.map { "\(HTML.display($0, spec: spec)) \(spec.unit)" } ?? "—"
            if !r.suppressed, r.value != nil, let mark = r.reliability { value += "（\(mark.japanese)）" }
            return Size(label: spec.japanese, value: value, prefecture: HTML.display(r.prefectureValue, spec: spec))
        }
        let listed = sizes
        let half = (listed.count + 1) / 2
        sizeRows = (0..<half).map {
            SizeRow(left: listed[$0], right: $0 + half < listed.count ? listed[$0 + half] : nil)
        }
        stageLines = (p.karte?.hasRoadmap == true ? p.karte?.areas ?? [] : []).map { a in
            StageLine(area: a.name, reached: a.reached > 0 ? "段階\(a.reached)" : "段階1の前")
        }
        hasStageLines = !stageLines.isEmpty
        hasPrevious = p.feedback.contains { $0.previousWave != nil }
        let allWaves = Set(p.trends.values.flatMap { $0.map(\.wave) })
        firstYear = allWaves.subtracting([p.wave]).isEmpty
        waves = allWaves.count > 1 ? allWaves.sorted().map(HTML.fiscalYear).joined(separator: "、") : nil
        references = p.references.map {
            Reference(label: $0.label, indicator: $0.indicator.japanese, source: $0.source, year: $0.year)
        }
        hasReferences = !references.isEmpty
        columns = hasPrevious ? 6 : 5
        rows = Indicator.allCases.compactMap { spec in
            guard let r = p.row(spec), !spec.form.isCount else { return nil }
            let shown = r.suppressed ? nil : r.value
            var interval: Interval?
            // A 全数 value is exact: no interval to print.
            if let lo = r.ciLow, let hi = r.ciHigh, shown != nil, r.reliability != .census {
                interval = Interval(low: HTML.display(lo, spec: spec), high: HTML.display(hi, spec: spec))
            }
            var change: String?
            var changeWords: String?
            if let c = r.change {
                let arrow = c > 0 ? "▲" : c < 0 ? "▼" : "±"
                change = "\(arrow)\(HTML.display(abs(c), spec: spec))\(spec.percentage ? "ポイント" : " " + spec.unit)"
                if r.changeLow != nil { changeWords = r.changeBeyondNoise ? "誤差を超える変化" : "誤差の範囲内" }
            }
            let series = (p.trends[spec] ?? []).filter { !$0.suppressed && $0.value != nil }
            let trend = series.count >= 2 ? Charts.trend(series, spec: spec) : ""
            let reference = p.references.first { $0.indicator == spec }.map {
                "\($0.label) \(HTML.display($0.value, spec: spec))"
            }
            // Sample sizes and totals say how big a place is, not how it compares: no chart.
            let drawable = !spec.form.isCount
            let hasSomething = shown != nil || r.peerQ1 != nil || r.prefectureValue != nil
            let chart =
                drawable && hasSomething
                ? p.scales[spec].map {
                    Charts.interval(
                        scale: $0, value: shown, low: shown == nil ? nil : r.ciLow, high: shown == nil ? nil : r.ciHigh,
                        prefecture: r.prefectureValue, peerQ1: r.peerQ1, peerMedian: r.peerMedian, peerQ3: r.peerQ3)
                } ?? "" : ""
            let quartile = drawable && shown != nil ? r.quartileRange : nil
            return Row(
                label: spec.japanese, flag: r.flag?.rawValue, suppressed: r.suppressed,
                noAnswer: !r.suppressed && r.value == nil, value: shown.map { HTML.display($0, spec: spec) },
                unit: spec.unit, interval: interval, reliability: shown == nil ? nil : r.reliability?.japanese,
                smallArea: shown == nil || !r.smallAreaHelps
                    ? nil
                    : r.smallArea.map { e in
                        let half = Estimate.z95 * (r.smallAreaSE ?? 0)
                        return "推計値（小地域推定）\(HTML.display(e, spec: spec))（\(HTML.display(max(0, e - half), spec: spec))〜"
                            + "\(HTML.display(spec.percentage ? min(100, e + half) : e + half, spec: spec))）"
                    },
                prefecture: HTML.display(r.prefectureValue, spec: spec),
                rest: r.restOfPrefecture.map { HTML.display($0, spec: spec) },
                pooled: Self.pooled(r, spec: spec), region: r.regionValue.map { HTML.display($0, spec: spec) },
                chart: chart,
                strip: quartile.map(Charts.quartileStrip) ?? "", quartile: quartile.map(Charts.quartileWords),
                change: change, previous: HTML.display(r.previousValue, spec: spec), changeWords: changeWords,
                panel: r.change == nil ? nil : r.panelChange.map { "継続回答 " + Self.signed($0, spec: spec) },
                trend: trend,
                trendYears: trend.isEmpty ? nil : HTML.fiscalYears(series[0].wave, series[series.count - 1].wave),
                reference: reference, comment: r.comment.isEmpty ? nil : r.comment,
                mark: Self.mark(r.flag))
        }
        group = p.groupNumber.map {
            Group(
                number: $0, label: p.groupLabel,
                members: p.groupMembers.isEmpty ? nil : p.groupMembers.joined(separator: "、"))
        }
        neighbours = p.neighbours.map {
            Neighbour(
                name: $0.name, similarity: formatFixed($0.similarity, digits: 2),
                closest: $0.closest.map(\.japanese).joined(separator: "・"))
        }
        hasNeighbours = !neighbours.isEmpty
        neighbourChange = Self.neighbourChange(p.neighbourChanges, wording: w)
        // The nearest projects; the packet's model_projects.csv lists them all.
        moreProjects = p.projects.count > Self.projectsShown ? p.projects.count - Self.projectsShown : nil
        projects = p.projects.prefix(Self.projectsShown).map {
            Project(
                municipality: $0.projectMunicipalityName, name: $0.projectName, theme: $0.theme, year: $0.fiscalYear,
                relation: $0.relation, summary: $0.summary, outcome: $0.outcome.isEmpty ? nil : $0.outcome)
        }
        hasProjects = !projects.isEmpty
        quality = p.quality.map { Quality(survey: $0.kind.japaneseName, rule: $0.rule.japanese, rows: $0.rows) }
        hasQuality = !quality.isEmpty
        definitions = Self.glossary(p)
        karte = p.karte.map { KarteView($0, wording: w) }
        let features = p.peerFeatures.map(\.japanese) + p.contextFeatureLabels
        switch p.peerGrouping {
        case .cluster:
            groupFeatures = features.joined(separator: "、") + "の\(features.count)つの特徴"
            groupOnOutcomes = p.peerFeatures.contains(where: \.isOutcome)
        case .type:
            // The groups are the prefecture's classification; the features still choose the nearest.
            groupFeatures = "\(w.name)が定めた類型"
            groupOnOutcomes = false
        }
    }
}

extension PacketContact {
    /// Whom to ask, and how: the sentence every report, summary and letter ends with.
    package func line(_ wording: PrefectureWording) -> String {
        var parts: [String] = []
        if let p = phone { parts.append("電話 \(p)") }
        if let e = email { parts.append("メール \(e)") }
        let whom = section.map { "\(wording.name) \($0)" } ?? "\(wording.name)の介護人材担当"
        return parts.isEmpty
            ? "ご不明な点やご意見は、\(whom)までお寄せください。"
            : "ご不明な点やご意見は、\(whom)（\(parts.joined(separator: "、"))）までお寄せください。"
    }
}
