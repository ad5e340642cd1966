import BansoCSV
import Foundation
import SystemPackage
import TOMLKit

/// A mistake in a pipeline file: names the file, the key, and what was expected.
package struct ConfigError: Error, CustomStringConvertible, Equatable {
    package var file: String
    package var key: String
    package var message: String

    package init(file: String, key: String, message: String) {
        self.file = file
        self.key = key
        self.message = message
    }

    package var description: String {
        key.isEmpty ? "\(file): \(message)" : "\(file): key '\(key)': \(message)"
    }
}

/// A figure from elsewhere to show beside the prefecture's own, with its source.
package struct ReferenceFigure: Codable, Sendable, Equatable {
    package var indicator: Indicator
    package var value: Double
    /// Where it comes from: 介護労働実態調査（介護労働安定センター）.
    package var source: String
    /// Which year: 令和6年度.
    package var year: String
    /// What it is the figure of: 全国 by default.
    package var label: String

    package init(indicator: Indicator, value: Double, source: String, year: String, label: String = "全国") {
        self.indicator = indicator
        self.value = value
        self.source = source
        self.year = year
        self.label = label
    }
}

/// How the peer groups are formed (`[peers] basis`).
package enum PeerGrouping: String, CaseIterable, Codable, Sendable {
    /// Ward clustering on the standardised features (the default).
    case cluster
    /// The prefecture's own classification in the master's 類型 column (総務省's 類似団体 類型, say).
    case type
}

/// What a mail draft carries (`[packets] attach`).
///
/// Mail that crosses into a municipality's LGWAN side (the α model) often loses archives and HTML
/// on the way, so when PDFs are made the default is the PDF and the workbook, attached as they are.
package enum PacketAttachment: String, CaseIterable, Codable, Sendable {
    /// The packet's zip (every file of the folder).
    case zip
    /// report.pdf (needs `pdf = true`).
    case pdf
    /// The Excel workbook.
    case workbook
    /// report.html.
    case html
    /// The CSV tables.
    case csv
}

/// Who issues the packets and how to reach them; every part optional.
package struct PacketContact: Codable, Sendable, Equatable {
    /// The responsible section (健康福祉部 介護支援課, say).
    package var section: String?
    package var phone: String?
    package var email: String?
    /// How the material may be used (取扱注意); a default sentence otherwise.
    package var handlingNote: String?
    /// The date of issue printed on reports and letters (none by default: outputs carry no clock).
    package var issued: Day?
    package init() {}
}

/// One survey input (establishments or workers): its files, encoding, delimiter, header mappings.
package struct SurveyInput: Sendable, Equatable {
    /// Files the globs matched, sorted, absolute.
    package var files: [String]
    package var encoding: EncodingChoice
    package var delimiter: UInt8
    /// Header text (normalised as headers are) → canonical field.
    package var headers: [String: String]
}

/// A single-file input (master, frame, model projects).
package struct FileInput: Sendable, Equatable {
    package var path: String
    package var encoding: EncodingChoice
    package var delimiter: UInt8
    package var headers: [String: String]
}

/// A target of the prefecture's 支援ロードマップ: a share of municipalities achieving a stage by a year.
package struct RoadmapTarget: Codable, Sendable, Equatable {
    /// The key as written (`介護人材.2`), for messages.
    package var key: String
    package var area: String
    package var stage: ManagementStage
    /// 0–1.
    package var share: Double
    /// The year (or fiscal year) by which the share is aimed for, as written.
    package var by: String

    package init(key: String, area: String, stage: ManagementStage, share: Double, by: String) {
        self.key = key
        self.area = area
        self.stage = stage
        self.share = share
        self.by = by
    }
}

/// The `[roadmap]` section: targets and the support offered at each stage.
package struct RoadmapSettings: Codable, Sendable, Equatable {
    /// `[roadmap.targets]`, sorted by area then stage.
    package var targets: [RoadmapTarget] = []
    /// `[roadmap.support]`: what the prefecture offers per area and stage, each list in the order
    /// written; the lists sorted by key (stage-only defaults first).
    package var support: [SupportList] = []
    /// `[roadmap] priorities`: the prefecture's priority themes, in the order written.
    package var priorities: [String] = []
    /// `[roadmap] show_pairings`: each packet's カルテ names, per area, the peers and neighbours
    /// that already reached its next stage (by default only the prefecture sees them).
    package var showPairings = false
    /// `answers_from`, `answers_to`: self-assessments dated outside are not counted for the wave
    /// (default: the wave's 年度, April to March).
    package var answersFrom: Day?
    package var answersTo: Day?
    package init() {}

    /// The dates `wave`'s self-assessments may bear: `answers_from` to `answers_to`, by default
    /// the wave's 年度 (April to March).
    package func answersWindow(wave: Wave) -> ClosedRange<Day> {
        let from = answersFrom ?? Day(year: wave.year, month: 4, day: 1)!
        let to = answersTo ?? Day(year: wave.year + 1, month: 3, day: 31)!
        return from...max(from, to)
    }

    /// The support that counts as "since the last wave" (received last year): the twelve months
    /// before `wave`'s answers window opens — by default the previous 年度.
    package func supportWindow(wave: Wave) -> ClosedRange<Day> {
        let opens = answersWindow(wave: wave).lowerBound
        let yearBefore =
            Day(year: opens.year - 1, month: opens.month, day: opens.day)
            ?? Day(year: opens.year - 1, month: opens.month, day: 28)!
        return yearBefore...Day(ordinal: opens.ordinal - 1)
    }

    /// A record of support given, as the municipality and the prefecture read it: the offer's
    /// name when the record names an offer's id, else its own words, with the date
    /// (「地域診断カルテの読み方研修（令和6年7月15日）」).
    package func received(_ r: SupportRecord) -> String {
        let name = support.lazy.flatMap(\.offers).first { $0.id == r.support }?.name ?? r.support
        return "\(name)（\(r.date.japanese)）"
    }

    /// What is offered at `stage` of `area`: the area's own list, else the stage's default.
    package func offers(area: String, stage: ManagementStage) -> [SupportOffer] {
        (support.first { $0.area == area && $0.stage == stage } ?? support.first { $0.area == nil && $0.stage == stage })?
            .offers ?? []
    }
}

/// A validated pipeline file (`pipelines/*.toml`), with every path absolute.
package struct PipelineConfig: Sendable, Equatable {
    package var file: String
    package var name: String
    package var wave: Wave
    package var prefectureCode: PrefectureCode
    package var output: String
    /// Folder relative input paths resolve against (the `input` key, `--input`, or the file's folder).
    package var inputBase: String
    package var surveyWindow: ClosedRange<Day>?
    package var establishments: SurveyInput
    package var workers: SurveyInput?
    package var master: FileInput
    package var frame: FileInput?
    package var modelProjects: FileInput?
    /// `inputs.roadmap`: the prefecture's 構築ロードマップ item list.
    package var roadmap: FileInput?
    /// `inputs.self_assessment`: the municipalities' self-assessments (needs a roadmap).
    package var selfAssessment: SurveyInput?
    /// `inputs.context`: context figures for the 地域診断カルテ.
    package var context: SurveyInput?
    /// `inputs.support`: the prefecture's record of the support it gave (needs a roadmap).
    package var support: SurveyInput?
    /// `inputs.prefecture_comments`: the prefecture's own words to single municipalities.
    package var prefectureComments: SurveyInput?
    /// `inputs.own_items`: municipalities' own roadmap items with their answers (needs a roadmap).
    package var ownItems: SurveyInput?
    /// `[roadmap]`: targets and support per stage.
    package var roadmapSettings = RoadmapSettings()
    /// `[peers] context_features`: context indicators added to the peer features.
    package var contextFeatures: [String] = []
    /// Weights of the context features (`[peers.weights]`, default 1).
    package var contextWeights: [String: Double] = [:]
    /// `inputs.on_file_error`: "fail" (default) stops the run when a file is rejected whole.
    package var continueOnFileError: Bool
    package var minEstablishments: Int
    package var minWorkers: Int
    /// `[weights]`: design weights from the frame.
    package var weighting = WeightingParameters()
    package var dominanceShare: Double
    /// nil means automatic (best silhouette over 3…8).
    package var peerK: Int?
    /// `[peers] basis`: groups by Ward clustering on the features, or by the master's 類型.
    package var peerGrouping: PeerGrouping = .cluster
    package var neighbours: Int
    package var peerWeights: [PeerFeature: Double]
    package var packetEncoding: TextEncoding
    /// `packets.sender`: the From address of the mail drafts (omitted when not set: the mail
    /// client or `sendmail -t` fills it in).
    package var packetSender: String?
    /// `[packets] pdf`: print each report and the summary to PDF with headless Chromium.
    package var packetPDF = false
    /// `[packets] attach`: what each mail draft carries; by default the PDF and the workbook when
    /// PDFs are made, else the zip.
    package var packetAttach: [PacketAttachment] = [.zip]
    /// `[packets] max_mail_mb` in bytes: a draft whose attachments would be larger attaches none
    /// and says the files come separately.
    package var maxMailBytes = 10_000_000
    /// `[packets] chromium`: the browser to print with (default: found on PATH).
    package var chromium: String?
    /// `[packets] qpdf`: the program that compacts the printed PDFs (default: found on PATH).
    package var qpdf: String?
    /// `[packets] templates`: a folder whose report.mustache, prefecture_summary.mustache,
    /// letter.mustache or report.css replace the shipped ones.
    package var packetTemplates: String?
    /// `[packets] strict_templates`: what is only a warning about the prefecture's own templates
    /// (an empty one, a name its view does not provide) stops the packets stage instead.
    package var strictTemplates = false
    /// `[packets] boundaries`: a GeoJSON or TopoJSON file of municipal boundaries; draws a
    /// choropleth per headline indicator in the summary and a locator map in each report.
    package var boundaries: String?
    /// `[packets] boundaries_credit`: the source credit printed under every map.
    package var boundariesCredit: String?
    /// Who issues the packets and how to reach them (`[packets]` section, phone, email,
    /// handling_note, issued); printed on every report and letter.
    package var packetContact = PacketContact()
    /// The history store, shared by the pipelines of every wave of the prefecture (`history`;
    /// default `history-<prefecture_code>.sqlite` beside the output folder).
    package var history: String = ""
    /// Figures to show beside the prefecture's own (`[[reference]]`), such as national ones.
    package var references: [ReferenceFigure] = []
    /// How many earlier runs the runner keeps beside `latest`.
    package var keepRuns: Int

    /// A peer feature's weight: `[peers.weights]`, else its default (0 for a survey outcome).
    package func peerWeight(_ feature: PeerFeature) -> Double { peerWeights[feature] ?? feature.defaultWeight }

    /// The features the peer groups are formed on (weight above 0), built-in ones first.
    package var groupingFeatures: [PeerFeature] { PeerFeature.allCases.filter { peerWeight($0) > 0 } }

    /// The context features the peer groups are formed on (weight above 0), in the order written.
    package var groupingContextFeatures: [String] { contextFeatures.filter { (contextWeights[$0] ?? 1) > 0 } }

    /// The prefecture's own code with check digit (`200000` for 長野県, say).
    package var prefectureMunicipalityCode: MunicipalityCode { prefectureCode.municipalityCode }

    /// Loads and validates a pipeline file; `outputOverride`/`inputOverride` are `--output`/`--input`,
    /// `overrides` are `--set key=value` (a dotted key and a TOML value; a bare word is a string).
    package static func load(
        path: String, outputOverride: String? = nil, inputOverride: String? = nil, overrides: [String] = []
    ) throws
        -> PipelineConfig
    {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let display = path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else {
            throw ConfigError(file: display, key: "", message: "no such pipeline file")
        }
        guard !isDir.boolValue else {
            throw ConfigError(file: display, key: "", message: "is a directory, not a pipeline file")
        }
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8)
        else {
            throw ConfigError(file: display, key: "", message: "cannot read the file (permissions?) or it is not UTF-8")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(
                file: display, key: "", message: "line \(error.source.begin.line): not valid TOML: \(error.description)"
            )
        }
        for o in overrides { try apply(o, to: table, file: display) }
        let resolver = Resolver(file: display, base: url.deletingLastPathComponent().path)
        try PipelineFile.checkKeys(table, resolver.error)
        let file: PipelineFile
        do {
            file = try TOMLDecoder().decode(PipelineFile.self, from: table)
        } catch {
            throw PipelineFile.describe(error, in: table, resolver.error)
        }
        return try resolver.build(
            file, outputOverride: outputOverride, inputOverride: inputOverride, absoluteFile: url.path)
    }
}

extension PipelineConfig {
    /// Sets one `--set key=value` in the parsed file, before it is checked like any other key.
    static func apply(_ override: String, to table: TOMLTable, file: String) throws {
        guard let eq = override.firstIndex(of: "="), eq != override.startIndex else {
            throw ConfigError(
                file: file, key: "", message: "--set \(override): expected KEY=VALUE, such as --set peers.k=5")
        }
        let key = String(override[..<eq]).trimmingCharacters(in: .whitespaces)
        let text = String(override[override.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
        let path = key.split(separator: ".").map(String.init)
        guard !path.isEmpty, path.allSatisfy({ !$0.isEmpty }) else {
            throw ConfigError(file: file, key: key, message: "--set: not a key (sections joined with dots: peers.k)")
        }
        // A TOML value (5, 0.5, true, "text", [..]) as written, or else the text itself.
        let value: TOMLValueConvertible = (try? TOMLTable(string: "v = " + text))?["v"] ?? text
        func set(_ rest: ArraySlice<String>, in t: TOMLTable, prefix: String) throws {
            let name = rest.first!
            let full = prefix.isEmpty ? name : prefix + "." + name
            if rest.count == 1 {
                t[name] = value
                return
            }
            let child: TOMLTable
            if let existing = t[name] {
                guard existing.type == .table, let table = existing.table else {
                    throw ConfigError(file: file, key: full, message: "--set \(key): \(full) is not a section")
                }
                child = table
            } else {
                child = TOMLTable()
            }
            try set(rest.dropFirst(), in: child, prefix: full)
            t[name] = child
        }
        try set(path[...], in: table, prefix: "")
    }
}

/// Turns the decoded sections into a `PipelineConfig`: the range and vocabulary checks, paths
/// resolved against the file's folder or the input folder, globs expanded, files checked.
private struct Resolver {
    let file: String
    let base: String

    func error(_ key: String, _ message: String) -> ConfigError { ConfigError(file: file, key: key, message: message) }

    func int(_ value: Int?, _ key: String, default d: Int, range: ClosedRange<Int>) throws -> Int {
        guard let i = value else { return d }
        guard range.contains(i) else {
            throw error(key, "expected an integer from \(range.lowerBound) to \(range.upperBound), found \(i)")
        }
        return i
    }

    func double(_ value: PipelineFile.Number?, _ key: String, default d: Double, range: ClosedRange<Double>) throws
        -> Double
    {
        guard let v = value?.value else { return d }
        guard range.contains(v) else {
            throw error(key, "expected a number from \(range.lowerBound) to \(range.upperBound), found \(v)")
        }
        return v
    }

    func day(_ text: String?, _ key: String) throws -> Day? {
        guard let text else { return nil }
        guard let d = Day.iso(text) else { throw error(key, "expected a date YYYY-MM-DD, found \"\(text)\"") }
        return d
    }

    func resolve(_ path: String, against dir: String) -> String {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL.path }
        return URL(fileURLWithPath: dir).appendingPathComponent(path).standardizedFileURL.path
    }
    /// Refuses anything that is not a readable regular file: a folder, a FIFO or a device would
    /// hang or fail late (a FIFO blocks forever while the run holds the lock).
    func checkRegularFile(_ path: String, key: String, what: String = "a CSV file") throws {
        let file = FilePath(path)
        var st = stat()
        guard file.withPlatformString({ stat($0, &st) }) == 0 else {
            let failure = Errno.last
            if failure == .noSuchFileOrDirectory { throw error(key, "no such file: \(path)") }
            let reason = failure.words
            throw error(key, "cannot read \(path): \(reason)")
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw error(key, "\(path) is a directory; name \(what)")
        case S_IFIFO: throw error(key, "\(path) is a named pipe (FIFO), not a file; name \(what)")
        case S_IFCHR, S_IFBLK: throw error(key, "\(path) is a device, not a file; name \(what)")
        default: throw error(key, "\(path) is not a regular file; name \(what)")
        }
        guard file.withPlatformString({ access($0, R_OK) }) == 0 else {
            throw error(key, "\(path) is not readable (permissions)")
        }
    }
    /// Refuses a file read twice — under two keys (the frame pointing at the master, a workers
    /// glob matching the establishment files) or under two names (a symbolic link): its rows
    /// would be counted twice.
    func checkDistinct(_ inputs: [(key: String, path: String)]) throws {
        var seen: [String: (key: String, path: String)] = [:]
        for input in inputs {
            let real = FilePath(input.path).withPlatformString { p -> String in
                guard let r = realpath(p, nil) else { return input.path }
                defer { free(r) }
                return String(cString: r)
            }
            if let first = seen[real] {
                let what =
                    first.path == input.path
                    ? "\(input.path) is read twice"
                    : "\(first.path) and \(input.path) are the same file (a link), read twice"
                throw error(
                    input.key,
                    "\(what), as \(first.key) and \(input.key); each input file must be read once, "
                        + "or its rows are counted twice")
            }
            seen[real] = input
        }
    }
    func expandGlob(_ pattern: String, key: String) throws -> [String] {
        let dir = (pattern as NSString).deletingLastPathComponent
        let namePattern = (pattern as NSString).lastPathComponent
        if dir.contains("*") || dir.contains("?") || dir.contains("[") {
            throw error(key, "wildcards are allowed in the file name only, not in folders: \"\(pattern)\"")
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw error(key, "the folder \(dir) does not exist (pattern \"\(pattern)\")")
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        let matched = names.filter { fnmatch(namePattern, $0, 0) == 0 && !$0.hasPrefix(".") }.sorted()
        guard !matched.isEmpty else { throw error(key, "the pattern \"\(pattern)\" matches no file") }
        let paths = matched.map { dir + "/" + $0 }
        for p in paths { try checkRegularFile(p, key: key) }
        return paths
    }

    func encoding(_ text: String?, _ prefix: String) throws -> EncodingChoice {
        guard let s = text else { return .auto }
        guard let e = EncodingChoice(rawValue: s.lowercased()) else {
            throw error("\(prefix).encoding", "expected \"auto\", \"utf-8\" or \"cp932\", found \"\(s)\"")
        }
        return e
    }

    func delimiter(_ text: String?, _ prefix: String) throws -> UInt8 {
        guard let s = text else { return UInt8(ascii: ",") }
        switch s {
        case ",": return UInt8(ascii: ",")
        case "\t", "tab", "\\t": return 0x09
        case ";": return UInt8(ascii: ";")
        default: throw error("\(prefix).delimiter", "expected \",\", \";\" or \"\\t\" (tab), found \"\(s)\"")
        }
    }

    func headers(_ h: [String: PipelineFile.FieldName]?, _ prefix: String, kind: InputKind) throws -> [String: String] {
        let known = Set(kind.fields.map(\.name))
        var out: [String: String] = [:]
        for key in (h ?? [:]).keys.sorted() {
            let field = h![key]!.name
            guard known.contains(field) else {
                throw error(
                    "\(prefix).headers.\"\(key)\"",
                    "\"\(field)\" is not a field of the \(kind.rawValue) file (fields: \(kind.fields.map(\.name).joined(separator: ", ")))"
                )
            }
            out[Normalize.headerKey(key)] = field
        }
        return out
    }

    func files(_ patterns: [String], key: String, inputDir: String) throws -> [String] {
        var files: [String] = []
        for p in patterns { files += try expandGlob(resolve(p, against: inputDir), key: key) }
        return Array(Set(files)).sorted()
    }

    func survey(_ spec: PipelineFile.SurveySpec, key: String, kind: InputKind, inputDir: String) throws
        -> SurveyInput
    {
        let prefix = "inputs.\(key)"
        guard !spec.paths.isEmpty else { throw error("\(prefix).paths", "empty; list at least one file") }
        return SurveyInput(
            files: try files(spec.paths, key: "\(prefix).paths", inputDir: inputDir),
            encoding: try encoding(spec.reading.encoding, prefix),
            delimiter: try delimiter(spec.reading.delimiter, prefix),
            headers: try headers(spec.reading.headers, prefix, kind: kind))
    }

    func globs(_ spec: PipelineFile.GlobSpec?, key: String, kind: InputKind, inputDir: String) throws -> SurveyInput? {
        switch spec {
        case nil: return nil
        case .table(let t): return try survey(t, key: key, kind: kind, inputDir: inputDir)
        case .globs(let patterns):
            return SurveyInput(
                files: try files(patterns, key: "inputs.\(key)", inputDir: inputDir), encoding: .auto,
                delimiter: UInt8(ascii: ","), headers: [:])
        }
    }

    func single(_ spec: PipelineFile.FileSpec?, key: String, kind: InputKind, inputDir: String) throws -> FileInput? {
        guard let spec else { return nil }
        let full = "inputs.\(key)"
        let path = resolve(spec.path, against: inputDir)
        try checkRegularFile(path, key: full)
        return FileInput(
            path: path, encoding: try encoding(spec.reading?.encoding, full),
            delimiter: try delimiter(spec.reading?.delimiter, full),
            headers: try headers(spec.reading?.headers, full, kind: kind))
    }

    /// `[weights]`: method, min_respondents, max_worker_factor and `[weights.service_groups]`.
    func weights(_ section: PipelineFile.Weights?) throws -> WeightingParameters {
        var w = WeightingParameters()
        guard let section else { return w }
        if let method = section.method {
            guard let m = WeightingParameters.Method(rawValue: method) else {
                throw error("weights.method", "expected \"frame\" or \"none\", found \"\(method)\"")
            }
            w.method = m
        }
        w.minRespondents = try int(section.minRespondents, "weights.min_respondents", default: 3, range: 2...100)
        w.maxWorkerFactor = try double(
            section.maxWorkerFactor, "weights.max_worker_factor", default: 20, range: 1...1000)
        if let groups = section.serviceGroups {
            var seen: [String: String] = [:]
            w.serviceGroups = []
            for name in groups.keys.sorted() {
                let full = "weights.service_groups.\(name)"
                let codes = groups[name]!.codes
                for code in codes {
                    guard code.utf8.count == 2, serviceTypes[code] != nil else {
                        throw error(
                            full, "\"\(code)\" is not a care-insurance service code (2 characters, such as 51 or A6)")
                    }
                    if let other = seen[code] {
                        throw error(full, "\(code) is already in the group \(other): a code belongs to one group")
                    }
                    seen[code] = name
                }
                guard name != ServiceGroup.other else {
                    throw error(
                        full, "\(ServiceGroup.other) is the group of every code not listed; give it another name")
                }
                w.serviceGroups.append(ServiceGroup(name: name, codes: codes))
            }
        }
        return w
    }

    /// `[roadmap]`: targets, support per stage, the dates answers are counted from and to.
    func roadmap(_ r: PipelineFile.Roadmap?, hasRoadmap: Bool) throws -> RoadmapSettings {
        var settings = RoadmapSettings()
        guard let r else { return settings }
        guard hasRoadmap else { throw error("roadmap", "a [roadmap] section needs the item list: set inputs.roadmap") }
        settings.priorities = (r.priorities ?? []).map(Normalize.value)
        if let empty = settings.priorities.firstIndex(where: \.isEmpty) {
            throw error("roadmap.priorities", "item \(empty + 1) is empty; name a theme such as \"介護人材の確保\"")
        }
        settings.showPairings = r.showPairings ?? false
        settings.answersFrom = try day(r.answersFrom, "roadmap.answers_from")
        settings.answersTo = try day(r.answersTo, "roadmap.answers_to")
        if let from = settings.answersFrom, let to = settings.answersTo, from > to {
            throw error("roadmap.answers_from", "\(from) is after roadmap.answers_to \(to)")
        }
        for (key, target) in (r.targets ?? [:]).sorted(by: { $0.key < $1.key }) {
            let full = "roadmap.targets.\"\(key)\""
            guard let (area, stage) = Self.areaAndStage(key) else {
                throw error(full, "expected \"<領域>.<段階>\" such as \"介護人材.2\" (stage 1, 2 or 3)")
            }
            guard target.share != nil else { throw error("\(full).share", "missing; the share aimed for (0–1)") }
            let share = try double(target.share, "\(full).share", default: 0, range: 0...1)
            settings.targets.append(
                RoadmapTarget(key: key, area: area, stage: stage, share: share, by: target.by))
        }
        var ids: [String: String] = [:]
        for (key, list) in (r.support ?? [:]).sorted(by: { $0.key < $1.key }) {
            let full = "roadmap.support.\"\(key)\""
            let (area, stage) = try supportKey(key, full)
            var offers: [SupportOffer] = []
            for (n, o) in list.offers.enumerated() {
                let at = "\(full)[\(n + 1)]"
                guard !o.name.isEmpty else { throw error(at, "an offer needs a name") }
                // A name alone is its own id; a table names its id (what a record of support refers to).
                let id = o.id ?? o.name
                guard !id.isEmpty else { throw error("\(at).id", "empty; an id such as \"S1\"") }
                if let first = ids[id] {
                    throw error(at, "the id \"\(id)\" is used twice (first at \(first)); give each offer its own id")
                }
                ids[id] = at
                var offer = SupportOffer(id: id, name: o.name)
                if let kind = o.kind {
                    guard let k = SupportKind(rawValue: Normalize.value(kind)) else {
                        throw error(
                            "\(at).kind",
                            "\"\(kind)\" is not a kind of support (one of "
                                + SupportKind.allCases.map(\.rawValue).joined(separator: "・") + ")")
                    }
                    offer.kind = k
                }
                offer.date = try day(o.date, "\(at).date")
                if let capacity = o.capacity {
                    guard capacity >= 1 else { throw error("\(at).capacity", "expected at least 1, found \(capacity)") }
                    offer.capacity = capacity
                }
                offers.append(offer)
            }
            settings.support.append(SupportList(area: area, stage: stage, offers: offers, key: key))
        }
        // Defaults first, then by area and stage: the order every view lists them in.
        settings.support.sort { ($0.area ?? "", $0.stage.rawValue) < ($1.area ?? "", $1.stage.rawValue) }
        return settings
    }

    /// A `[roadmap.support]` key: a stage (`1`–`3`, every area) or `"<領域>.<段階>"`.
    func supportKey(_ key: String, _ full: String) throws -> (area: String?, stage: ManagementStage) {
        if let n = Int(key), key == String(n) {
            guard let stage = ManagementStage(rawValue: n) else {
                throw error(full, "unknown stage (a stage 1, 2 or 3, or \"<領域>.<段階>\" such as \"介護人材.2\")")
            }
            return (nil, stage)
        }
        guard let (area, stage) = Self.areaAndStage(key) else {
            throw error(full, "expected a stage 1, 2 or 3, or \"<領域>.<段階>\" such as \"介護人材.2\"")
        }
        return (area, stage)
    }

    /// A `"<領域>.<段階>"` key (`"介護人材.2"`, `"介護人材.第2段階"`; the area may hold dots) of
    /// `[roadmap.targets]` and `[roadmap.support]`; nil when it is not one.
    static func areaAndStage(_ key: String) -> (area: String, stage: ManagementStage)? {
        let parts = key.split(separator: ".", omittingEmptySubsequences: false)
        let area = parts.dropLast().joined(separator: ".")
        guard parts.count >= 2, let stage = ManagementStage(text: String(parts.last!)), !area.isEmpty else {
            return nil
        }
        return (Normalize.value(area), stage)
    }

    /// `[peers]`: k, neighbours, context features and the features' weights.
    func peers(_ p: PipelineFile.Peers?, hasContext: Bool) throws -> (
        k: Int?, neighbours: Int, context: [String], contextWeights: [String: Double], weights: [PeerFeature: Double]
    ) {
        guard let p else { return (nil, 5, [], [:], [:]) }
        let ids = p.contextFeatures ?? []
        for id in ids where !RoadmapIdentifier.isValid(id) || PeerFeature(rawValue: id) != nil {
            throw error(
                "peers.context_features",
                "\"\(id)\" is not a context indicator id ([A-Za-z0-9_-]+, not a built-in feature's name)")
        }
        guard hasContext || ids.isEmpty else {
            throw error("peers.context_features", "context features need context figures: set inputs.context")
        }
        let k = p.k?.groups
        let neighbours = try int(p.neighbours, "peers.neighbours", default: 5, range: 1...50)
        var weights: [PeerFeature: Double] = [:]
        var contextWeights: [String: Double] = [:]
        let allowed = Set(PeerFeature.allCases.map(\.rawValue) + ids)
        for (key, value) in (p.weights ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard allowed.contains(key) else {
                throw error(
                    "peers.weights.\(key)", "unknown key (allowed here: \(allowed.sorted().joined(separator: ", ")))")
            }
            let weight = try double(value, "peers.weights.\(key)", default: 1, range: 0...100)
            if let feature = PeerFeature(rawValue: key) {
                weights[feature] = weight
            } else {
                contextWeights[key] = weight
            }
        }
        return (k, neighbours, ids, contextWeights, weights)
    }

    /// `[packets]`.
    func packets(_ p: PipelineFile.Packets?, into config: inout PipelineConfig) throws {
        guard let p else { return }
        config.packetPDF = p.pdf ?? false
        config.packetAttach = config.packetPDF ? [.pdf, .workbook] : [.zip]
        if let list = p.attach {
            var kinds: [PacketAttachment] = []
            for word in list {
                guard let kind = PacketAttachment(rawValue: word) else {
                    throw error(
                        "packets.attach",
                        "unknown attachment \"\(word)\" (allowed: \(PacketAttachment.allCases.map(\.rawValue).joined(separator: ", ")))"
                    )
                }
                guard kind != .pdf || config.packetPDF else {
                    throw error("packets.attach", "\"pdf\" needs pdf = true: no PDF is made to attach")
                }
                if !kinds.contains(kind) { kinds.append(kind) }
            }
            guard !kinds.isEmpty else {
                throw error(
                    "packets.attach",
                    "name at least one of \(PacketAttachment.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            config.packetAttach = kinds
        }
        let megabytes = try double(p.maxMailMB, "packets.max_mail_mb", default: 10, range: 0.01...1000)
        config.maxMailBytes = Int(megabytes * 1_000_000)
        config.strictTemplates = p.strictTemplates ?? false
        config.chromium = p.chromium.map { resolve($0, against: base) }
        config.qpdf = p.qpdf.map { resolve($0, against: base) }
        if let dir = p.templates {
            let path = resolve(dir, against: base)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
                throw error("packets.templates", "\(path) is not a folder of templates")
            }
            config.packetTemplates = path
        }
        if let file = p.boundaries {
            let path = resolve(file, against: base)
            // A FIFO would block the run (and `status`) forever, a device would never end.
            try checkRegularFile(path, key: "packets.boundaries", what: "a GeoJSON or TopoJSON file")
            config.boundaries = path
        }
        config.boundariesCredit = p.boundariesCredit
        config.packetContact.section = p.section
        config.packetContact.phone = p.phone
        config.packetContact.handlingNote = p.handlingNote
        if let e = p.email {
            guard MailAddress.isPlausible(e) else {
                throw error(
                    "packets.email", "expected one mail address such as kaigo@pref.nagano.lg.jp, found \"\(e)\"")
            }
            config.packetContact.email = e
        }
        config.packetContact.issued = try day(p.issued, "packets.issued")
        if let s = p.sender {
            guard s.split(separator: "@").count == 2, !s.contains(where: { $0.isWhitespace || "<>\"".contains($0) })
            else {
                throw error("packets.sender", "expected a mail address such as kaigo@pref.nagano.lg.jp, found \"\(s)\"")
            }
            config.packetSender = s
        }
        if let e = p.csvEncoding {
            guard let enc = TextEncoding(rawValue: e.lowercased()) else {
                throw error("packets.csv_encoding", "expected \"utf-8-bom\", \"utf-8\" or \"cp932\", found \"\(e)\"")
            }
            config.packetEncoding = enc
        }
    }

    /// `[[reference]]`.
    func references(_ list: [PipelineFile.Reference]?) throws -> [ReferenceFigure] {
        try (list ?? []).enumerated().map { n, r in
            guard let indicator = Indicator(rawValue: r.indicator) else {
                throw error(
                    "reference[\(n + 1)].indicator", "\"\(r.indicator)\" is not an indicator (see docs/indicators.md)")
            }
            return ReferenceFigure(
                indicator: indicator, value: r.value.value, source: r.source, year: r.year, label: r.label ?? "全国")
        }
    }

    func build(_ f: PipelineFile, outputOverride: String?, inputOverride: String?, absoluteFile: String) throws
        -> PipelineConfig
    {
        guard !f.name.isEmpty, f.name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }),
            !f.name.hasPrefix(".")
        else {
            throw error("name", "expected letters, digits, '-', '_' or '.', found \"\(f.name)\"")
        }
        guard let wave = Wave(f.wave) else {
            throw error("wave", "expected \(Wave.expected), found \"\(f.wave)\"")
        }
        guard let pref = PrefectureCode(f.prefectureCode) else {
            throw error(
                "prefecture_code",
                "expected a 2-digit prefecture code from \"01\" to \"47\", found \"\(f.prefectureCode)\"")
        }
        let here = FileManager.default.currentDirectoryPath
        let output = outputOverride.map { resolve($0, against: here) } ?? resolve(f.output, against: base)
        let inputDir =
            inputOverride.map { resolve($0, against: here) } ?? f.input.map { resolve($0, against: base) } ?? base

        var window: ClosedRange<Day>?
        if let w = f.surveyWindow {
            let start = try day(w.start, "survey_window.start")!, end = try day(w.end, "survey_window.end")!
            guard start <= end else { throw error("survey_window", "start \(start) is after end \(end)") }
            window = start...end
        }

        let inputs = f.inputs
        let establishments = try survey(
            inputs.establishments, key: "establishments", kind: .establishments, inputDir: inputDir)
        let workers = try inputs.workers.map { try survey($0, key: "workers", kind: .workers, inputDir: inputDir) }
        let master = try single(inputs.master, key: "master", kind: .master, inputDir: inputDir)!
        let frame = try single(inputs.frame, key: "frame", kind: .frame, inputDir: inputDir)
        let projects = try single(inputs.modelProjects, key: "model_projects", kind: .modelProjects, inputDir: inputDir)
        let roadmap = try single(inputs.roadmap, key: "roadmap", kind: .roadmap, inputDir: inputDir)
        let selfAssessment = try globs(
            inputs.selfAssessment, key: "self_assessment", kind: .selfAssessment, inputDir: inputDir)
        let context = try globs(inputs.context, key: "context", kind: .context, inputDir: inputDir)
        if selfAssessment != nil && roadmap == nil {
            throw error(
                "inputs.self_assessment", "self-assessments need the item list they answer: set inputs.roadmap too")
        }
        let support = try globs(inputs.support, key: "support", kind: .support, inputDir: inputDir)
        if support != nil && roadmap == nil {
            throw error("inputs.support", "a record of support names the roadmap's areas: set inputs.roadmap too")
        }
        let comments = try globs(
            inputs.prefectureComments, key: "prefecture_comments", kind: .prefectureComments, inputDir: inputDir)
        let ownItems = try globs(inputs.ownItems, key: "own_items", kind: .ownItems, inputDir: inputDir)
        if ownItems != nil && roadmap == nil {
            throw error(
                "inputs.own_items", "a municipality's own items belong to the roadmap's areas: set inputs.roadmap too")
        }
        var continueOnError = false
        if let mode = inputs.onFileError {
            guard mode == "fail" || mode == "continue" else {
                throw error("inputs.on_file_error", "expected \"fail\" or \"continue\", found \"\(mode)\"")
            }
            continueOnError = mode == "continue"
        }
        let d = f.disclosure
        let minEst = try int(d?.minEstablishments, "disclosure.min_establishments", default: 3, range: 1...1000)
        let minWorkers = try int(d?.minWorkers, "disclosure.min_workers", default: 10, range: 1...100_000)
        let dominance = try double(
            d?.dominanceShare, "disclosure.dominance_share", default: 0.85, range: 0.5...1.0)
        let weighting = try weights(f.weights)
        let peers = try peers(f.peers, hasContext: context != nil)
        let keep = try int(f.runs?.keep, "runs.keep", default: 5, range: 1...1000)
        let history =
            f.history.map { resolve($0, against: base) }
            ?? (output as NSString).deletingLastPathComponent + "/history-\(pref.text).sqlite"
        let references = try references(f.reference)

        var all = establishments.files.map { (key: "inputs.establishments", path: $0) }
        all += (workers?.files ?? []).map { (key: "inputs.workers", path: $0) }
        all.append((key: "inputs.master", path: master.path))
        if let frame { all.append((key: "inputs.frame", path: frame.path)) }
        if let projects { all.append((key: "inputs.model_projects", path: projects.path)) }
        if let roadmap { all.append((key: "inputs.roadmap", path: roadmap.path)) }
        all += (selfAssessment?.files ?? []).map { (key: "inputs.self_assessment", path: $0) }
        all += (context?.files ?? []).map { (key: "inputs.context", path: $0) }
        all += (support?.files ?? []).map { (key: "inputs.support", path: $0) }
        all += (comments?.files ?? []).map { (key: "inputs.prefecture_comments", path: $0) }
        try checkDistinct(all)
        let roadmapSettings = try self.roadmap(f.roadmap, hasRoadmap: roadmap != nil)
        var config = PipelineConfig(
            file: absoluteFile, name: f.name, wave: wave, prefectureCode: pref, output: output, inputBase: inputDir,
            surveyWindow: window, establishments: establishments, workers: workers, master: master, frame: frame,
            modelProjects: projects, continueOnFileError: continueOnError, minEstablishments: minEst,
            minWorkers: minWorkers, dominanceShare: dominance, peerK: peers.k, neighbours: peers.neighbours,
            peerWeights: peers.weights, packetEncoding: .utf8BOM, packetSender: nil, packetContact: PacketContact(),
            keepRuns: keep)
        try packets(f.packets, into: &config)
        if let basis = f.peers?.basis {
            guard let grouping = PeerGrouping(rawValue: basis) else {
                throw error("peers.basis", "expected \"cluster\" or \"type\", found \"\(basis)\"")
            }
            config.peerGrouping = grouping
        }
        config.history = history
        config.references = references
        config.roadmap = roadmap
        config.selfAssessment = selfAssessment
        config.context = context
        config.support = support
        config.prefectureComments = comments
        config.ownItems = ownItems
        config.roadmapSettings = roadmapSettings
        config.contextFeatures = peers.context
        config.contextWeights = peers.contextWeights
        config.weighting = weighting
        return config
    }
}

extension PipelineConfig {
    /// A path shown to users and written into data files: relative to the input folder when
    /// inside it, so outputs do not change when the project is checked out elsewhere.
    package func displayPath(_ absolute: String) -> String {
        let prefix = inputBase.hasSuffix("/") ? inputBase : inputBase + "/"
        return absolute.hasPrefix(prefix) ? String(absolute.dropFirst(prefix.count)) : absolute
    }
}
