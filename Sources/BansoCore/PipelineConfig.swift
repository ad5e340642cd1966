import BansoCSV
import Foundation
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
    /// `[roadmap.support]`: what the prefecture offers at each stage, in the order written.
    package var support: [ManagementStage: [String]] = [:]
    /// `answers_from`, `answers_to`: self-assessments dated outside are not counted for the wave
    /// (default: the wave's 年度, April to March).
    package var answersFrom: Day?
    package var answersTo: Day?
    package init() {}
}

/// A validated pipeline file (`pipelines/*.toml`), with every path absolute.
package struct PipelineConfig: Sendable, Equatable {
    package var file: String
    package var name: String
    package var wave: String
    package var prefectureCode: String
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
    package var neighbours: Int
    package var peerWeights: [PeerFeature: Double]
    package var packetEncoding: TextEncoding
    /// `packets.sender`: the From address of the mail drafts (omitted when not set: the mail
    /// client or `sendmail -t` fills it in).
    package var packetSender: String?
    /// `[packets] pdf`: print each report and the summary to PDF with headless Chromium.
    package var packetPDF = false
    /// `[packets] chromium`: the browser to print with (default: found on PATH).
    package var chromium: String?
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

    /// The prefecture's own code with check digit (`200000` for 長野県, say).
    package var prefectureMunicipalityCode: String { MunicipalityCode.prefecture(prefectureCode) }

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
        let base = url.deletingLastPathComponent().path
        var reader = TableReader(file: display, base: base)
        return try reader.build(
            table, outputOverride: outputOverride, inputOverride: inputOverride, absoluteFile: url.path)
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

/// Walks the TOML table, checking every key against the contract.
private struct TableReader {

    let file: String
    let base: String

    func error(_ key: String, _ message: String) -> ConfigError { ConfigError(file: file, key: key, message: message) }

    func checkKeys(_ table: TOMLTable, prefix: String, allowed: Set<String>) throws {
        for key in table.keys.sorted() where !allowed.contains(key) {
            let full = prefix.isEmpty ? key : "\(prefix).\(key)"
            throw error(full, "unknown key (allowed here: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    func typeName(_ v: TOMLValueConvertible) -> String { v.type.description }

    func string(_ t: TOMLTable, _ key: String, _ full: String, required: Bool) throws -> String? {
        guard let v = t[key] else {
            if required { throw error(full, "missing; this key is required") }
            return nil
        }
        guard v.type == .string, let s = v.string else { throw error(full, "expected a string, found \(typeName(v))") }
        return s
    }

    func int(_ t: TOMLTable, _ key: String, _ full: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let v = t[key] else { return value }
        guard v.type == .int, let i = v.int else { throw error(full, "expected an integer, found \(typeName(v))") }
        guard range.contains(i) else {
            throw error(full, "expected an integer from \(range.lowerBound) to \(range.upperBound), found \(i)")
        }
        return i
    }

    func double(_ t: TOMLTable, _ key: String, _ full: String, default value: Double, range: ClosedRange<Double>) throws
        -> Double
    {
        guard let v = t[key] else { return value }
        let d: Double
        if v.type == .double, let x = v.double {
            d = x
        } else if v.type == .int, let i = v.int {
            d = Double(i)
        } else {
            throw error(full, "expected a number, found \(typeName(v))")
        }
        guard range.contains(d) else {
            throw error(full, "expected a number from \(range.lowerBound) to \(range.upperBound), found \(d)")
        }
        return d
    }

    /// `[weights]`: method, min_respondents, max_worker_factor and `[weights.service_groups]`.
    func weightsSection(_ t: TOMLTable) throws -> WeightingParameters {
        var w = WeightingParameters()
        guard let section = try table(t, "weights", "weights", required: false) else { return w }
        try checkKeys(
            section, prefix: "weights", allowed: ["method", "min_respondents", "max_worker_factor", "service_groups"])
        if let method = try string(section, "method", "weights.method", required: false) {
            guard let m = WeightingParameters.Method(rawValue: method) else {
                throw error("weights.method", "expected \"frame\" or \"none\", found \"\(method)\"")
            }
            w.method = m
        }
        w.minRespondents = try int(section, "min_respondents", "weights.min_respondents", default: 3, range: 2...100)
        w.maxWorkerFactor = try double(
            section, "max_worker_factor", "weights.max_worker_factor", default: 20, range: 1...1000)
        if let groups = try table(section, "service_groups", "weights.service_groups", required: false) {
            var seen: [String: String] = [:]
            w.serviceGroups = []
            for name in groups.keys.sorted() {
                let full = "weights.service_groups.\(name)"
                guard let list = groups[name]?.array,
                    let codes = Optional(list.compactMap { $0.type == .string ? $0.string : nil }),
                    codes.count == list.count, !codes.isEmpty
                else {
                    throw error(full, "expected a list of service codes such as [\"51\", \"52\"]")
                }
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

    func table(_ t: TOMLTable, _ key: String, _ full: String, required: Bool) throws -> TOMLTable? {
        guard let v = t[key] else {
            if required { throw error(full, "missing; this section is required") }
            return nil
        }
        guard v.type == .table, let tt = v.table else {
            throw error(full, "expected a table ([\(full)]), found \(typeName(v))")
        }
        return tt
    }

    func resolve(_ path: String, against dir: String) -> String {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL.path }
        return URL(fileURLWithPath: dir).appendingPathComponent(path).standardizedFileURL.path
    }

    /// Refuses anything that is not a readable regular file: a folder, a FIFO or a device would
    /// hang or fail late (a FIFO blocks forever while the run holds the lock).
    func checkRegularFile(_ path: String, key: String, what: String = "a CSV file") throws {
        var st = stat()
        guard stat(path, &st) == 0 else {
            let reason = errno == ELOOP ? "a loop of symbolic links" : String(cString: strerror(errno))
            if errno == ENOENT { throw error(key, "no such file: \(path)") }
            throw error(key, "cannot read \(path): \(reason)")
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw error(key, "\(path) is a directory; name \(what)")
        case S_IFIFO: throw error(key, "\(path) is a named pipe (FIFO), not a file; name \(what)")
        case S_IFCHR, S_IFBLK: throw error(key, "\(path) is a device, not a file; name \(what)")
        default: throw error(key, "\(path) is not a regular file; name \(what)")
        }
        guard access(path, R_OK) == 0 else { throw error(key, "\(path) is not readable (permissions)") }
    }

    /// Refuses a file read twice — under two keys (the frame pointing at the master, a workers
    /// glob matching the establishment files) or under two names (a symbolic link): its rows
    /// would be counted twice.
    func checkDistinct(_ inputs: [(key: String, path: String)]) throws {
        var seen: [String: (key: String, path: String)] = [:]
        for input in inputs {
            let real = input.path.withCString { p -> String in
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

    func encoding(_ t: TOMLTable, _ prefix: String) throws -> EncodingChoice {
        guard let s = try string(t, "encoding", "\(prefix).encoding", required: false) else { return .auto }
        guard let e = EncodingChoice(rawValue: s.lowercased()) else {
            throw error("\(prefix).encoding", "expected \"auto\", \"utf-8\" or \"cp932\", found \"\(s)\"")
        }
        return e
    }

    func delimiter(_ t: TOMLTable, _ prefix: String) throws -> UInt8 {
        guard let s = try string(t, "delimiter", "\(prefix).delimiter", required: false) else {
            return UInt8(ascii: ",")
        }
        switch s {
        case ",": return UInt8(ascii: ",")
        case "\t", "tab", "\\t": return 0x09
        case ";": return UInt8(ascii: ";")
        default: throw error("\(prefix).delimiter", "expected \",\", \";\" or \"\\t\" (tab), found \"\(s)\"")
        }
    }

    func headers(_ t: TOMLTable, _ prefix: String, kind: InputKind) throws -> [String: String] {
        guard let h = try table(t, "headers", "\(prefix).headers", required: false) else { return [:] }
        let known = Set(kind.fields.map(\.name))
        var out: [String: String] = [:]
        for key in h.keys.sorted() {
            let full = "\(prefix).headers.\"\(key)\""
            guard let v = h[key], v.type == .string, let field = v.string else {
                throw error(full, "expected the name of a canonical field (a string)")
            }
            guard known.contains(field) else {
                throw error(
                    full,
                    "\"\(field)\" is not a field of the \(kind.rawValue) file (fields: \(kind.fields.map(\.name).joined(separator: ", ")))"
                )
            }
            out[Normalize.headerKey(key)] = field
        }
        return out
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

    func survey(_ t: TOMLTable, key: String, kind: InputKind, inputDir: String) throws -> SurveyInput {
        let prefix = "inputs.\(key)"
        try checkKeys(t, prefix: prefix, allowed: ["paths", "encoding", "delimiter", "headers"])
        guard let pv = t["paths"] else {
            throw error("\(prefix).paths", "missing; list the survey files (globs allowed)")
        }
        guard pv.type == .array, let arr = pv.array else {
            throw error("\(prefix).paths", "expected an array of strings, found \(typeName(pv))")
        }
        var patterns: [String] = []
        for v in arr {
            guard v.type == .string, let s = v.string else {
                throw error("\(prefix).paths", "expected an array of strings; one element is \(typeName(v))")
            }
            patterns.append(resolve(s, against: inputDir))
        }
        guard !patterns.isEmpty else { throw error("\(prefix).paths", "empty; list at least one file") }
        var files: [String] = []
        for p in patterns { files += try expandGlob(p, key: "\(prefix).paths") }
        return SurveyInput(
            files: Array(Set(files)).sorted(), encoding: try encoding(t, prefix),
            delimiter: try delimiter(t, prefix), headers: try headers(t, prefix, kind: kind))
    }

    /// An input given as a list of globs, one glob, or a table like a survey input's; nil when absent.
    func globList(_ inputs: TOMLTable, key: String, kind: InputKind, inputDir: String) throws -> SurveyInput? {
        guard let v = inputs[key] else { return nil }
        if v.type == .table, let t = v.table { return try survey(t, key: key, kind: kind, inputDir: inputDir) }
        let patterns: [String]
        if v.type == .string, let s = v.string {
            patterns = [s]
        } else if v.type == .array, let arr = v.array, arr.allSatisfy({ $0.type == .string }), !arr.isEmpty {
            patterns = arr.compactMap(\.string)
        } else {
            throw error(
                "inputs.\(key)", "expected a list of files (globs allowed) or a table with paths, encoding, headers")
        }
        var files: [String] = []
        for p in patterns { files += try expandGlob(resolve(p, against: inputDir), key: "inputs.\(key)") }
        return SurveyInput(
            files: Array(Set(files)).sorted(), encoding: .auto, delimiter: UInt8(ascii: ","), headers: [:])
    }

    /// `[roadmap.targets]` and `[roadmap.support]`.
    func roadmapSection(_ t: TOMLTable, hasRoadmap: Bool) throws -> RoadmapSettings {
        var settings = RoadmapSettings()
        guard let r = try table(t, "roadmap", "roadmap", required: false) else { return settings }
        guard hasRoadmap else { throw error("roadmap", "a [roadmap] section needs the item list: set inputs.roadmap") }
        try checkKeys(r, prefix: "roadmap", allowed: ["targets", "support", "answers_from", "answers_to"])
        for (key, set) in [
            ("answers_from", { (d: Day) in settings.answersFrom = d }),
            ("answers_to", { (d: Day) in settings.answersTo = d }),
        ] {
            if let text = try string(r, key, "roadmap.\(key)", required: false) {
                guard let d = Day.iso(text) else {
                    throw error("roadmap.\(key)", "expected a date YYYY-MM-DD, found \"\(text)\"")
                }
                set(d)
            }
        }
        if let from = settings.answersFrom, let to = settings.answersTo, from > to {
            throw error("roadmap.answers_from", "\(from) is after roadmap.answers_to \(to)")
        }
        if let targets = try table(r, "targets", "roadmap.targets", required: false) {
            for key in targets.keys.sorted() {
                let full = "roadmap.targets.\"\(key)\""
                let parts = key.split(separator: ".", omittingEmptySubsequences: false)
                guard parts.count >= 2, let stage = ManagementStage(text: String(parts.last!)),
                    !parts.dropLast().joined(separator: ".").isEmpty
                else {
                    throw error(full, "expected \"<領域>.<段階>\" such as \"介護人材.2\" (stage 1, 2 or 3)")
                }
                guard let v = targets[key], v.type == .table, let target = v.table else {
                    throw error(full, "expected { share = 0.6, by = \"2027\" }")
                }
                try checkKeys(target, prefix: full, allowed: ["share", "by"])
                guard target["share"] != nil else { throw error("\(full).share", "missing; the share aimed for (0–1)") }
                let share = try double(target, "share", "\(full).share", default: 0, range: 0...1)
                let by = try string(target, "by", "\(full).by", required: true)!
                settings.targets.append(
                    RoadmapTarget(
                        key: key, area: Normalize.value(parts.dropLast().joined(separator: ".")), stage: stage,
                        share: share, by: by))
            }
        }
        if let support = try table(r, "support", "roadmap.support", required: false) {
            try checkKeys(support, prefix: "roadmap.support", allowed: ["1", "2", "3"])
            for key in support.keys.sorted() {
                let full = "roadmap.support.\(key)"
                guard let v = support[key], v.type == .array, let arr = v.array,
                    arr.allSatisfy({ $0.type == .string && !($0.string ?? "").isEmpty })
                else {
                    throw error(full, "expected a list of what the prefecture offers at this stage (strings)")
                }
                settings.support[ManagementStage(rawValue: Int(key)!)!] = arr.compactMap(\.string)
            }
        }
        return settings
    }

    func single(_ inputs: TOMLTable, key: String, kind: InputKind, inputDir: String, required: Bool) throws
        -> FileInput?
    {
        let full = "inputs.\(key)"
        guard let v = inputs[key] else {
            if required { throw error(full, "missing; this file is required") }
            return nil
        }
        var path: String
        var enc = EncodingChoice.auto
        var delim = UInt8(ascii: ",")
        var hdr: [String: String] = [:]
        if v.type == .string, let s = v.string {
            path = s
        } else if v.type == .table, let t = v.table {
            try checkKeys(t, prefix: full, allowed: ["path", "encoding", "delimiter", "headers"])
            path = try string(t, "path", "\(full).path", required: true)!
            enc = try encoding(t, full)
            delim = try delimiter(t, full)
            hdr = try headers(t, full, kind: kind)
        } else {
            throw error(
                full,
                "expected a path (string) or a table with path, encoding, delimiter, headers; found \(typeName(v))")
        }
        path = resolve(path, against: inputDir)
        try checkRegularFile(path, key: full)
        return FileInput(path: path, encoding: enc, delimiter: delim, headers: hdr)
    }

    mutating func build(_ t: TOMLTable, outputOverride: String?, inputOverride: String?, absoluteFile: String) throws
        -> PipelineConfig
    {
        try checkKeys(
            t, prefix: "",
            allowed: [
                "name", "wave", "prefecture_code", "output", "input", "survey_window",
                "inputs", "disclosure", "peers", "packets", "runs", "history", "reference", "roadmap",
                "weights",
            ])
        let name = try string(t, "name", "name", required: true)!
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }), !name.hasPrefix(".")
        else {
            throw error("name", "expected letters, digits, '-', '_' or '.', found \"\(name)\"")
        }
        let wave = try string(t, "wave", "wave", required: true)!
        guard WaveName.isValid(wave) else {
            throw error("wave", "expected \(WaveName.expected), found \"\(wave)\"")
        }
        let pref = try string(t, "prefecture_code", "prefecture_code", required: true)!
        guard MunicipalityCode.isPrefectureCode(pref) else {
            throw error(
                "prefecture_code", "expected a 2-digit prefecture code from \"01\" to \"47\", found \"\(pref)\"")
        }
        let outputRaw = try string(t, "output", "output", required: true)!
        let output =
            outputOverride.map { resolve($0, against: FileManager.default.currentDirectoryPath) }
            ?? resolve(outputRaw, against: base)
        let inputDir: String
        if let o = inputOverride {
            inputDir = resolve(o, against: FileManager.default.currentDirectoryPath)
        } else if let i = try string(t, "input", "input", required: false) {
            inputDir = resolve(i, against: base)
        } else {
            inputDir = base
        }

        var window: ClosedRange<Day>?
        if let w = try table(t, "survey_window", "survey_window", required: false) {
            try checkKeys(w, prefix: "survey_window", allowed: ["start", "end"])
            func day(_ k: String) throws -> Day {
                let s = try string(w, k, "survey_window.\(k)", required: true)!
                guard let d = Day.iso(s) else {
                    throw error("survey_window.\(k)", "expected a date YYYY-MM-DD, found \"\(s)\"")
                }
                return d
            }
            let start = try day("start"), end = try day("end")
            guard start <= end else { throw error("survey_window", "start \(start) is after end \(end)") }
            window = start...end
        }

        let inputs = try table(t, "inputs", "inputs", required: true)!
        try checkKeys(
            inputs, prefix: "inputs",
            allowed: [
                "master", "frame", "model_projects", "establishments", "workers", "on_file_error", "roadmap",
                "self_assessment", "context",
            ])
        let estTable = try table(inputs, "establishments", "inputs.establishments", required: true)!
        let establishments = try survey(estTable, key: "establishments", kind: .establishments, inputDir: inputDir)
        var workers: SurveyInput?
        if let w = try table(inputs, "workers", "inputs.workers", required: false) {
            workers = try survey(w, key: "workers", kind: .workers, inputDir: inputDir)
        }
        let master = try single(inputs, key: "master", kind: .master, inputDir: inputDir, required: true)!
        let frame = try single(inputs, key: "frame", kind: .frame, inputDir: inputDir, required: false)
        let projects = try single(
            inputs, key: "model_projects", kind: .modelProjects, inputDir: inputDir, required: false)
        let roadmap = try single(inputs, key: "roadmap", kind: .roadmap, inputDir: inputDir, required: false)
        let selfAssessment = try globList(inputs, key: "self_assessment", kind: .selfAssessment, inputDir: inputDir)
        let context = try globList(inputs, key: "context", kind: .context, inputDir: inputDir)
        if selfAssessment != nil && roadmap == nil {
            throw error(
                "inputs.self_assessment", "self-assessments need the item list they answer: set inputs.roadmap too")
        }
        var continueOnError = false
        if let mode = try string(inputs, "on_file_error", "inputs.on_file_error", required: false) {
            guard mode == "fail" || mode == "continue" else {
                throw error("inputs.on_file_error", "expected \"fail\" or \"continue\", found \"\(mode)\"")
            }
            continueOnError = mode == "continue"
        }

        var minEst = 3, minWorkers = 10, dominance = 0.85
        if let d = try table(t, "disclosure", "disclosure", required: false) {
            try checkKeys(d, prefix: "disclosure", allowed: ["min_establishments", "min_workers", "dominance_share"])
            minEst = try int(d, "min_establishments", "disclosure.min_establishments", default: 3, range: 1...1000)
            minWorkers = try int(d, "min_workers", "disclosure.min_workers", default: 10, range: 1...100_000)
            dominance = try double(d, "dominance_share", "disclosure.dominance_share", default: 0.85, range: 0.5...1.0)
        }

        let weighting = try weightsSection(t)

        var k: Int?
        var neighbours = 5
        var contextFeatures: [String] = []
        var contextWeights: [String: Double] = [:]
        var weights: [PeerFeature: Double] = [:]
        if let p = try table(t, "peers", "peers", required: false) {
            try checkKeys(p, prefix: "peers", allowed: ["k", "neighbours", "weights", "context_features"])
            if let v = p["context_features"] {
                guard v.type == .array, let arr = v.array,
                    let ids = Optional(arr.compactMap { $0.type == .string ? $0.string : nil }), ids.count == arr.count
                else {
                    throw error("peers.context_features", "expected an array of context indicator ids (strings)")
                }
                for id in ids where !RoadmapIdentifier.isValid(id) || PeerFeature(rawValue: id) != nil {
                    throw error(
                        "peers.context_features",
                        "\"\(id)\" is not a context indicator id ([A-Za-z0-9_-]+, not a built-in feature's name)")
                }
                guard context != nil || ids.isEmpty else {
                    throw error("peers.context_features", "context features need context figures: set inputs.context")
                }
                contextFeatures = ids
            }
            if let kv = p["k"] {
                if kv.type == .string, kv.string == "auto" {
                    k = nil
                } else if kv.type == .int, let i = kv.int, (2...50).contains(i) {
                    k = i
                } else {
                    throw error(
                        "peers.k",
                        "expected \"auto\" or an integer from 2 to 50, found \(kv.type == .string ? "\"\(kv.string ?? "")\"" : typeName(kv))"
                    )
                }
            }
            neighbours = try int(p, "neighbours", "peers.neighbours", default: 5, range: 1...50)
            if let w = try table(p, "weights", "peers.weights", required: false) {
                try checkKeys(
                    w, prefix: "peers.weights", allowed: Set(PeerFeature.allCases.map(\.rawValue) + contextFeatures))
                for key in w.keys {
                    let weight = try double(w, key, "peers.weights.\(key)", default: 1, range: 0...100)
                    if let feature = PeerFeature(rawValue: key) {
                        weights[feature] = weight
                    } else {
                        contextWeights[key] = weight
                    }
                }
            }
        }

        var packetEncoding = TextEncoding.utf8BOM
        var contact = PacketContact()
        var pdf = false
        var strictTemplates = false
        var chromium: String?
        var templates: String?
        var boundaries: String?
        var boundariesCredit: String?
        var sender: String?
        if let p = try table(t, "packets", "packets", required: false) {
            try checkKeys(
                p, prefix: "packets",
                allowed: [
                    "csv_encoding", "sender", "section", "phone", "email", "handling_note", "issued", "pdf", "chromium",
                    "templates", "boundaries", "boundaries_credit", "strict_templates",
                ])
            if let v = p["pdf"] {
                guard v.type == .bool, let b = v.bool else { throw error("packets.pdf", "expected true or false") }
                pdf = b
            }
            if let v = p["strict_templates"] {
                guard v.type == .bool, let b = v.bool else {
                    throw error("packets.strict_templates", "expected true or false")
                }
                strictTemplates = b
            }
            chromium = try string(p, "chromium", "packets.chromium", required: false).map { resolve($0, against: base) }
            if let dir = try string(p, "templates", "packets.templates", required: false) {
                let path = resolve(dir, against: base)
                var isDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
                    throw error("packets.templates", "\(path) is not a folder of templates")
                }
                templates = path
            }
            if let file = try string(p, "boundaries", "packets.boundaries", required: false) {
                let path = resolve(file, against: base)
                // A FIFO would block the run (and `status`) forever, a device would never end.
                try checkRegularFile(path, key: "packets.boundaries", what: "a GeoJSON or TopoJSON file")
                boundaries = path
            }
            boundariesCredit = try string(p, "boundaries_credit", "packets.boundaries_credit", required: false)
            contact.section = try string(p, "section", "packets.section", required: false)
            contact.phone = try string(p, "phone", "packets.phone", required: false)
            contact.handlingNote = try string(p, "handling_note", "packets.handling_note", required: false)
            if let e = try string(p, "email", "packets.email", required: false) {
                guard MailAddress.isPlausible(e) else {
                    throw error(
                        "packets.email", "expected one mail address such as kaigo@pref.nagano.lg.jp, found \"\(e)\"")
                }
                contact.email = e
            }
            if let d = try string(p, "issued", "packets.issued", required: false) {
                guard let day = Day.iso(d) else {
                    throw error("packets.issued", "expected a date YYYY-MM-DD, found \"\(d)\"")
                }
                contact.issued = day
            }
            if let s = try string(p, "sender", "packets.sender", required: false) {
                guard s.split(separator: "@").count == 2, !s.contains(where: { $0.isWhitespace || "<>\"".contains($0) })
                else {
                    throw error(
                        "packets.sender", "expected a mail address such as kaigo@pref.nagano.lg.jp, found \"\(s)\"")
                }
                sender = s
            }
            if let e = try string(p, "csv_encoding", "packets.csv_encoding", required: false) {
                guard let enc = TextEncoding(rawValue: e.lowercased()) else {
                    throw error(
                        "packets.csv_encoding", "expected \"utf-8-bom\", \"utf-8\" or \"cp932\", found \"\(e)\"")
                }
                packetEncoding = enc
            }
        }
        var keep = 5
        if let r = try table(t, "runs", "runs", required: false) {
            try checkKeys(r, prefix: "runs", allowed: ["keep"])
            keep = try int(r, "keep", "runs.keep", default: 5, range: 1...1000)
        }

        let history =
            try string(t, "history", "history", required: false).map { resolve($0, against: base) }
            ?? (output as NSString).deletingLastPathComponent + "/history-\(pref).sqlite"
        var references: [ReferenceFigure] = []
        if let v = t["reference"] {
            guard v.type == .array, let arr = v.array else {
                throw error("reference", "expected [[reference]] tables with indicator, value, source and year")
            }
            for (n, item) in arr.enumerated() {
                let key = "reference[\(n + 1)]"
                guard item.type == .table, let r = item.table else { throw error(key, "expected a table") }
                try checkKeys(r, prefix: key, allowed: ["indicator", "value", "source", "year", "label"])
                let name = try string(r, "indicator", "\(key).indicator", required: true)!
                guard let indicator = Indicator(rawValue: name) else {
                    throw error("\(key).indicator", "\"\(name)\" is not an indicator (see docs/indicators.md)")
                }
                guard let value = r["value"].flatMap({ $0.type == .double ? $0.double : $0.int.map(Double.init) })
                else {
                    throw error("\(key).value", "expected a number")
                }
                references.append(
                    ReferenceFigure(
                        indicator: indicator, value: value,
                        source: try string(r, "source", "\(key).source", required: true)!,
                        year: try string(r, "year", "\(key).year", required: true)!,
                        label: try string(r, "label", "\(key).label", required: false) ?? "全国"))
            }
        }
        var all = establishments.files.map { (key: "inputs.establishments", path: $0) }
        all += (workers?.files ?? []).map { (key: "inputs.workers", path: $0) }
        all.append((key: "inputs.master", path: master.path))
        if let frame { all.append((key: "inputs.frame", path: frame.path)) }
        if let projects { all.append((key: "inputs.model_projects", path: projects.path)) }
        if let roadmap { all.append((key: "inputs.roadmap", path: roadmap.path)) }
        all += (selfAssessment?.files ?? []).map { (key: "inputs.self_assessment", path: $0) }
        all += (context?.files ?? []).map { (key: "inputs.context", path: $0) }
        try checkDistinct(all)
        let roadmapSettings = try roadmapSection(t, hasRoadmap: roadmap != nil)
        var config = PipelineConfig(
            file: absoluteFile, name: name, wave: wave, prefectureCode: pref, output: output, inputBase: inputDir,
            surveyWindow: window, establishments: establishments, workers: workers, master: master, frame: frame,
            modelProjects: projects, continueOnFileError: continueOnError, minEstablishments: minEst,
            minWorkers: minWorkers, dominanceShare: dominance, peerK: k, neighbours: neighbours,
            peerWeights: weights, packetEncoding: packetEncoding, packetSender: sender, packetContact: contact,
            keepRuns: keep)
        config.history = history
        config.references = references
        config.packetPDF = pdf
        config.chromium = chromium
        config.packetTemplates = templates
        config.strictTemplates = strictTemplates
        config.boundaries = boundaries
        config.boundariesCredit = boundariesCredit
        config.roadmap = roadmap
        config.selfAssessment = selfAssessment
        config.context = context
        config.roadmapSettings = roadmapSettings
        config.contextFeatures = contextFeatures
        config.contextWeights = contextWeights
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
