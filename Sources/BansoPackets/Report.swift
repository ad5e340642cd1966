import BansoCore
import Foundation
import Mustache

/// Everything one municipality's packet is built from (published data only).
public struct PacketData: Sendable {
    /// A nearest municipality, with what it is closest on.
    public struct Neighbour: Sendable, Equatable {
        public var code: String
        public var name: String
        public var similarity: Double
        public var closest: [PeerFeature]
        public init(code: String, name: String, similarity: Double, closest: [PeerFeature]) {
            self.code = code
            self.name = name
            self.similarity = similarity
            self.closest = closest
        }
    }

    public var code: String
    public var name: String
    public var prefectureName: String
    public var wave: String
    public var feedback: [FeedbackRow]
    public var groupNumber: Int?
    public var groupLabel: String
    /// Other members of the group (names).
    public var groupMembers: [String]
    public var neighbours: [Neighbour]
    /// Model projects run by its group or neighbours on themes it has not run.
    public var projects: [SuggestionRow]
    /// Rejected rows among this municipality's answers, per kind and rule.
    public var quality: [QualityCount]

    public init(
        code: String, name: String, prefectureName: String, wave: String, feedback: [FeedbackRow], groupNumber: Int?,
        groupLabel: String, groupMembers: [String], neighbours: [Neighbour], projects: [SuggestionRow],
        quality: [QualityCount]
    ) {
        self.code = code
        self.name = name
        self.prefectureName = prefectureName
        self.wave = wave
        self.feedback = feedback
        self.groupNumber = groupNumber
        self.groupLabel = groupLabel
        self.groupMembers = groupMembers
        self.neighbours = neighbours
        self.projects = projects
        self.quality = quality
    }

    /// The feedback row of one indicator.
    public func row(_ indicator: Indicator) -> FeedbackRow? { feedback.first { $0.indicator == indicator } }
}

/// The templates the packets are rendered with (compiled into the program; escaping HTML by default).
enum Templates {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, bytes) in [
            ("report", PackageResources.report_mustache),
            ("prefecture_summary", PackageResources.prefecture_summary_mustache),
            ("letter", PackageResources.letter_mustache),
        ] {
            // The templates are part of the program: a broken one is a build defect caught by the tests.
            try! library.register(String(decoding: bytes, as: UTF8.self), named: name)
        }
        return library
    }()

    /// The report's style sheet, shared by the municipality reports and the prefecture summary.
    static let css: String = {
        var text = String(decoding: PackageResources.report_css, as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }()

    static func render(_ view: Any, _ name: String) -> String { library.render(view, withTemplate: name) ?? "" }
}

/// Renders the municipality's report: one self-contained, printable HTML file.
public enum ReportRenderer {
    /// The indicators shown as cards at the top.
    static let headline: [Indicator] = [
        .turnoverRate, .hiringRate, .shortageShare, .vacancyRate, .certifiedShare, .meanMonthlyWageRegular,
    ]

    /// The report HTML.
    public static func render(_ p: PacketData) -> String { Templates.render(ReportView(p), "report") }
}

/// What the report template shows: every value already formatted, every absent part nil.
struct ReportView {
    struct Card {
        let label: String
        let suppressed: Bool
        let value: String
        let unit: String
        let comparison: String
    }
    struct Row {
        let label: String
        let flag: String?
        let suppressed: Bool
        let noAnswer: Bool
        let value: String?
        let unit: String
        let interval: String?
        let prefecture: String
        /// Inline SVG built from numbers only (no input text).
        let chart: String
        let strip: String
        let change: String?
        let previous: String
        let comment: String?
        let mark: String
    }
    struct Group {
        let number: Int
        let label: String
        let members: String?
    }
    struct Neighbour {
        let name: String
        let similarity: String
        let closest: String
    }
    struct Project {
        let municipality: String
        let name: String
        let theme: String
        let year: String
        let relation: String
        let summary: String
    }
    struct Quality {
        let survey: String
        let rule: String
        let rows: Int
    }
    struct Definition {
        let term: String
        let definition: String
    }

    let css = Templates.css
    let name: String
    let code: String
    let wave: String
    let fiscalYear: String
    let prefectureName: String
    let cards: [Card]
    let rows: [Row]
    let group: Group?
    let hasNeighbours: Bool
    let neighbours: [Neighbour]
    let hasProjects: Bool
    let projects: [Project]
    let respondents: String
    let workers: String?
    let hasQuality: Bool
    let quality: [Quality]
    let definitions: [Definition]

    init(_ p: PacketData) {
        name = p.name
        code = p.code
        wave = p.wave
        fiscalYear = HTML.fiscalYear(p.wave)
        prefectureName = p.prefectureName
        cards = ReportRenderer.headline.compactMap { spec in
            guard let r = p.row(spec) else { return nil }
            var comparison = "県 \(HTML.display(r.prefectureValue, spec: spec))"
            if let m = r.peerMedian { comparison += "／類似団体 \(HTML.display(m, spec: spec))" }
            return Card(
                label: spec.japanese, suppressed: r.suppressed, value: HTML.display(r.value, spec: spec),
                unit: spec.unit,
                comparison: comparison)
        }
        rows = Indicator.allCases.compactMap { spec in
            guard let r = p.row(spec) else { return nil }
            let shown = r.suppressed ? nil : r.value
            var interval: String?
            if let lo = r.ciLow, let hi = r.ciHigh {
                interval = "\(HTML.display(lo, spec: spec))〜\(HTML.display(hi, spec: spec))"
            }
            var change: String?
            if let c = r.change {
                let arrow = c > 0 ? "▲" : c < 0 ? "▼" : "±"
                change = "\(arrow)\(HTML.display(abs(c), spec: spec))\(spec.percentage ? "ポイント" : " " + spec.unit)"
            }
            let chart =
                spec.form == .sampleSize || r.suppressed
                ? ""
                : Charts.interval(
                    value: r.value, low: r.ciLow, high: r.ciHigh,
                    prefecture: spec.form == .countTotal ? nil : r.prefectureValue, peerQ1: r.peerQ1,
                    peerMedian: r.peerMedian, peerQ3: r.peerQ3, label: "\(spec.japanese)の比較")
            let mark: String
            switch r.flag {
            case .concern: mark = "△ "
            case .strength: mark = "○ "
            default: mark = "・"
            }
            return Row(
                label: spec.japanese, flag: r.flag?.rawValue, suppressed: r.suppressed,
                noAnswer: !r.suppressed && r.value == nil, value: shown.map { HTML.display($0, spec: spec) },
                unit: spec.unit, interval: shown == nil ? nil : interval,
                prefecture: HTML.display(r.prefectureValue, spec: spec),
                chart: chart,
                strip: spec.form == .sampleSize ? "" : Charts.quartileStrip(r.suppressed ? nil : r.quartile),
                change: change, previous: HTML.display(r.previousValue, spec: spec),
                comment: r.comment.isEmpty ? nil : r.comment, mark: mark)
        }
        group = p.groupNumber.map {
            Group(
                number: $0, label: p.groupLabel,
                members: p.groupMembers.isEmpty ? nil : p.groupMembers.joined(separator: "、"))
        }
        neighbours = p.neighbours.map {
            Neighbour(
                name: $0.name, similarity: String(format: "%.2f", $0.similarity),
                closest: $0.closest.map(\.japanese).joined(separator: "・"))
        }
        hasNeighbours = !neighbours.isEmpty
        projects = p.projects.map {
            Project(
                municipality: $0.projectMunicipalityName, name: $0.projectName, theme: $0.theme, year: $0.fiscalYear,
                relation: $0.relation, summary: $0.summary)
        }
        hasProjects = !projects.isEmpty
        respondents = p.row(.respondents)?.value.map { HTML.grouped($0, digits: 0) } ?? "0"
        workers = p.row(.workersResponding)?.value.map { HTML.grouped($0, digits: 0) }
        quality = p.quality.map { Quality(survey: $0.kind.japaneseName, rule: $0.rule.japanese, rows: $0.rows) }
        hasQuality = !quality.isEmpty
        definitions = Indicator.allCases.filter { p.row($0) != nil }.map {
            Definition(term: $0.japanese, definition: $0.definition)
        }
    }
}
