import TOMLKit

/// The pipeline file as written, one struct per section, decoded by TOMLKit's decoder.
///
/// Each section's `CodingKeys` are its vocabulary: a key the file has and the section does not
/// declare is refused by name before decoding (`PipelineFile.checkKeys`). Nothing here touches
/// the disk or resolves a path: `PipelineConfig.load` does that afterwards, section by section.
struct PipelineFile: Decodable {
    var name: String
    var wave: String
    var prefectureCode: String
    var output: String
    var input: String?
    var surveyWindow: SurveyWindow?
    var inputs: Inputs
    var disclosure: Disclosure?
    var weights: Weights?
    var peers: Peers?
    var packets: Packets?
    var runs: Runs?
    var history: String?
    var reference: [Reference]?
    var roadmap: Roadmap?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, wave, output, input, inputs, disclosure, weights, peers, packets, runs, history, reference, roadmap
        case prefectureCode = "prefecture_code"
        case surveyWindow = "survey_window"
    }

    /// `[survey_window]`.
    struct SurveyWindow: Decodable {
        var start: String
        var end: String
        enum CodingKeys: String, CodingKey, CaseIterable { case start, end }
    }

    /// `[inputs]`.
    struct Inputs: Decodable {
        var master: FileSpec
        var frame: FileSpec?
        var modelProjects: FileSpec?
        var establishments: SurveySpec
        var workers: SurveySpec?
        var onFileError: String?
        var roadmap: FileSpec?
        var selfAssessment: GlobSpec?
        var context: GlobSpec?
        var support: GlobSpec?
        var prefectureComments: GlobSpec?
        var ownItems: GlobSpec?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case master, frame, establishments, workers, roadmap, context, support
            case prefectureComments = "prefecture_comments"
            case ownItems = "own_items"
            case modelProjects = "model_projects"
            case onFileError = "on_file_error"
            case selfAssessment = "self_assessment"
        }
    }

    /// A survey input's table: `paths` and how to read them.
    struct SurveySpec: Decodable {
        var paths: [String]
        var reading: Reading

        enum CodingKeys: String, CodingKey, CaseIterable { case paths, encoding, delimiter, headers }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            paths = try c.decode([String].self, forKey: .paths)
            reading = try Reading(from: decoder)
        }
    }

    /// How a file is read: encoding, delimiter, header mappings (all optional).
    struct Reading: Decodable {
        var encoding: String?
        var delimiter: String?
        var headers: [String: FieldName]?

        enum CodingKeys: String, CodingKey { case encoding, delimiter, headers }
    }

    /// A single file: a path, or a table with the path and how to read it.
    struct FileSpec: Decodable {
        var path: String
        var reading: Reading?

        enum CodingKeys: String, CodingKey, CaseIterable { case path, encoding, delimiter, headers }

        init(from decoder: any Decoder) throws {
            if let path = try? decoder.singleValueContainer().decode(String.self) {
                self.path = path
                return
            }
            guard let c = try? decoder.container(keyedBy: CodingKeys.self) else {
                throw ValueProblem.at(
                    decoder, "expected a path (string) or a table with path, encoding, delimiter, headers")
            }
            path = try c.decode(String.self, forKey: .path)
            reading = try Reading(from: decoder)
        }
    }

    /// Files given as one glob, a list of globs, or a survey input's table.
    enum GlobSpec: Decodable {
        case globs([String])
        case table(SurveySpec)

        init(from decoder: any Decoder) throws {
            if let one = try? decoder.singleValueContainer().decode(String.self) {
                self = .globs([one])
            } else if let list = try? decoder.singleValueContainer().decode([String].self), !list.isEmpty {
                self = .globs(list)
            } else if (try? decoder.container(keyedBy: SurveySpec.CodingKeys.self)) != nil {
                self = .table(try SurveySpec(from: decoder))
            } else {
                throw ValueProblem.at(
                    decoder, "expected a list of files (globs allowed) or a table with paths, encoding, headers")
            }
        }
    }

    /// `[disclosure]`.
    struct Disclosure: Decodable {
        var minEstablishments: Int?
        var minWorkers: Int?
        var dominanceShare: Number?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case minEstablishments = "min_establishments"
            case minWorkers = "min_workers"
            case dominanceShare = "dominance_share"
        }
    }

    /// `[weights]`.
    struct Weights: Decodable {
        var method: String?
        var minRespondents: Int?
        var maxWorkerFactor: Number?
        /// Group name → service codes.
        var serviceGroups: [String: ServiceCodes]?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case method
            case minRespondents = "min_respondents"
            case maxWorkerFactor = "max_worker_factor"
            case serviceGroups = "service_groups"
        }
    }

    /// `[peers]`.
    struct Peers: Decodable {
        var k: PeerCount?
        var neighbours: Int?
        /// Feature name → weight (the built-in features and the context features).
        var weights: [String: Number]?
        var contextFeatures: [String]?
        var basis: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case k, neighbours, weights, basis
            case contextFeatures = "context_features"
        }
    }

    /// `peers.k`: `"auto"` (nil) or a number of groups from 2 to 50.
    struct PeerCount: Decodable {
        var groups: Int?

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let i = try? c.decode(Int.self), (2...50).contains(i) {
                groups = i
            } else if let s = try? c.decode(String.self), s == "auto" {
                groups = nil
            } else {
                let found =
                    (try? c.decode(Int.self)).map(String.init) ?? (try? c.decode(String.self)).map { "\"\($0)\"" }
                    ?? "another type"
                throw ValueProblem.at(decoder, "expected \"auto\" or an integer from 2 to 50, found \(found)")
            }
        }
    }

    /// `[packets]`.
    struct Packets: Decodable {
        var csvEncoding: String?
        var sender: String?
        var section: String?
        var phone: String?
        var email: String?
        var handlingNote: String?
        var issued: String?
        var pdf: Bool?
        var chromium: String?
        var qpdf: String?
        var templates: String?
        var boundaries: String?
        var boundariesCredit: String?
        var strictTemplates: Bool?
        var attach: [String]?
        var maxMailMB: Number?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case sender, section, phone, email, issued, pdf, chromium, qpdf, templates, boundaries, attach
            case maxMailMB = "max_mail_mb"
            case csvEncoding = "csv_encoding"
            case handlingNote = "handling_note"
            case boundariesCredit = "boundaries_credit"
            case strictTemplates = "strict_templates"
        }
    }

    /// `[runs]`.
    struct Runs: Decodable {
        var keep: Int?
        enum CodingKeys: String, CodingKey, CaseIterable { case keep }
    }

    /// One `[[reference]]` figure.
    struct Reference: Decodable {
        var indicator: String
        var value: Number
        var source: String
        var year: String
        var label: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case indicator, value, source, year, label }
    }

    /// `[roadmap]`.
    struct Roadmap: Decodable {
        /// `"<領域>.<段階>"` → target.
        var targets: [String: Target]?
        /// Stage (`1`–`3`, every area) or `"<領域>.<段階>"` → what the prefecture offers.
        var support: [String: Offers]?
        /// The prefecture's priority themes, shown with its targets in every packet.
        var priorities: [String]?
        var answersFrom: String?
        var answersTo: String?
        /// Print each area's pairing candidates in the municipality's own カルテ.
        var showPairings: Bool?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case targets, support, priorities
            case showPairings = "show_pairings"
            case answersFrom = "answers_from"
            case answersTo = "answers_to"
        }
    }

    /// One `[roadmap.targets]` entry.
    struct Target: Decodable {
        var share: Number?
        var by: String
        enum CodingKeys: String, CodingKey, CaseIterable { case share, by }

        init(from decoder: any Decoder) throws {
            guard let c = try? decoder.container(keyedBy: CodingKeys.self) else {
                throw ValueProblem.at(decoder, "expected { share = 0.6, by = \"2027\" }")
            }
            share = try c.decodeIfPresent(Number.self, forKey: .share)
            by = try c.decode(String.self, forKey: .by)
        }
    }

    /// A number written as an integer or with a fraction (TOML keeps them apart).
    struct Number: Decodable {
        var value: Double

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let d = try? c.decode(Double.self) {
                value = d
            } else if let i = try? c.decode(Int.self) {
                value = Double(i)
            } else {
                throw ValueProblem.at(decoder, "expected a number")
            }
        }
    }

    /// Values whose keys the prefecture names, each with what a wrong one is told.
    struct ServiceCodes: Decodable {
        var codes: [String]
        init(from decoder: any Decoder) throws {
            guard let codes = try? decoder.singleValueContainer().decode([String].self), !codes.isEmpty else {
                throw ValueProblem.at(decoder, "expected a list of service codes such as [\"51\", \"52\"]")
            }
            self.codes = codes
        }
    }

    /// One `[roadmap.support]` list: offers by name, or as tables with an id, a kind, a date and a
    /// capacity.
    struct Offers: Decodable {
        var offers: [Offer]
        init(from decoder: any Decoder) throws {
            guard let offers = try? decoder.singleValueContainer().decode([Offer].self) else {
                throw ValueProblem.at(
                    decoder,
                    "expected a list of what the prefecture offers: names, or tables such as "
                        + "{ id = \"S1\", name = \"…\", kind = \"研修\", date = \"2025-10-15\", capacity = 30 }")
            }
            self.offers = offers
        }
    }

    /// One offer: a name alone, or a table.
    struct Offer: Decodable {
        var id: String?
        var name: String
        var kind: String?
        var date: String?
        var capacity: Int?
        enum CodingKeys: String, CodingKey, CaseIterable { case id, name, kind, date, capacity }

        init(from decoder: any Decoder) throws {
            if let name = try? decoder.singleValueContainer().decode(String.self) {
                self.name = name
                return
            }
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decodeIfPresent(String.self, forKey: .id)
            name = try c.decode(String.self, forKey: .name)
            kind = try c.decodeIfPresent(String.self, forKey: .kind)
            date = try c.decodeIfPresent(String.self, forKey: .date)
            capacity = try c.decodeIfPresent(Int.self, forKey: .capacity)
        }
    }

    /// A header mapping's field name.
    struct FieldName: Decodable {
        var name: String
        init(from decoder: any Decoder) throws {
            guard let name = try? decoder.singleValueContainer().decode(String.self) else {
                throw ValueProblem.at(decoder, "expected the name of a canonical field (a string)")
            }
            self.name = name
        }
    }

    /// What a value should have been, thrown by the decoding of a value with more than one form.
    struct ValueProblem: Error {
        let expected: String

        /// The problem at the decoder's key.
        static func at(_ decoder: any Decoder, _ expected: String) -> DecodingError {
            .dataCorrupted(
                .init(
                    codingPath: decoder.codingPath, debugDescription: expected,
                    underlyingError: ValueProblem(expected: expected)))
        }
    }
}

// MARK: keys

extension PipelineFile {
    /// Refuses the first key (in sorted order, section by section) that its section does not declare.
    ///
    /// Sections whose keys are names the prefecture chooses (header mappings, service groups,
    /// roadmap targets, peer weights, support by stage) are checked where they are resolved.
    static func checkKeys(_ t: TOMLTable, _ error: (String, String) -> ConfigError) throws {
        func check<K: CodingKey & CaseIterable>(_ table: TOMLTable, _ prefix: String, _: K.Type) throws {
            let allowed = Set(K.allCases.map(\.stringValue))
            for key in table.keys.sorted() where !allowed.contains(key) {
                let full = prefix.isEmpty ? key : "\(prefix).\(key)"
                throw error(full, "unknown key (allowed here: \(allowed.sorted().joined(separator: ", ")))")
            }
        }
        func section<K: CodingKey & CaseIterable>(_ key: String, _: K.Type) throws {
            if let s = t[key]?.table { try check(s, key, K.self) }
        }
        try check(t, "", CodingKeys.self)
        try section("survey_window", SurveyWindow.CodingKeys.self)
        if let inputs = t["inputs"]?.table {
            try check(inputs, "inputs", Inputs.CodingKeys.self)
            for key in ["establishments", "workers", "self_assessment", "context"] {
                if let s = inputs[key]?.table { try check(s, "inputs.\(key)", SurveySpec.CodingKeys.self) }
            }
            for key in ["master", "frame", "model_projects", "roadmap"] {
                if let s = inputs[key]?.table { try check(s, "inputs.\(key)", FileSpec.CodingKeys.self) }
            }
        }
        try section("disclosure", Disclosure.CodingKeys.self)
        try section("weights", Weights.CodingKeys.self)
        try section("peers", Peers.CodingKeys.self)
        try section("packets", Packets.CodingKeys.self)
        try section("runs", Runs.CodingKeys.self)
        try section("roadmap", Roadmap.CodingKeys.self)
        if let targets = t["roadmap"]?.table?["targets"]?.table {
            for key in targets.keys.sorted() {
                if let target = targets[key]?.table {
                    try check(target, "roadmap.targets.\"\(key)\"", Target.CodingKeys.self)
                }
            }
        }
        if let support = t["roadmap"]?.table?["support"]?.table {
            for key in support.keys.sorted() {
                for (n, item) in (support[key]?.array ?? []).enumerated() {
                    if let offer = item.table {
                        try check(offer, "roadmap.support.\"\(key)\"[\(n + 1)]", Offer.CodingKeys.self)
                    }
                }
            }
        }
        if let references = t["reference"]?.array {
            for (n, item) in references.enumerated() {
                if let r = item.table { try check(r, "reference[\(n + 1)]", Reference.CodingKeys.self) }
            }
        }
    }

    /// A decoding error as a mistake in the file: the key, what was expected and what was found.
    static func describe(_ failure: any Error, in t: TOMLTable, _ error: (String, String) -> ConfigError)
        -> ConfigError
    {
        let path: [any CodingKey]
        var expected: String?
        switch failure {
        case DecodingError.keyNotFound(let key, let context):
            path =
                context.codingPath.last?.stringValue == key.stringValue
                ? context.codingPath : context.codingPath + [key]
            expected = Self.expected(from: context.debugDescription)
        case DecodingError.typeMismatch(let type, let context):
            path = context.codingPath
            expected = Self.expected(type)
        case DecodingError.valueNotFound(let type, let context):
            path = context.codingPath
            expected = Self.expected(type)
        case DecodingError.dataCorrupted(let context):
            path = context.codingPath
        default:
            return error("", "cannot be read")
        }
        let (key, found) = Self.locate(path, in: t)
        if let problem = Self.problem(in: failure) { return error(key, problem.expected) }
        guard let found else {
            let isSection = ["inputs", "inputs.establishments"].contains(key)
            return error(key, isSection ? "missing; this section is required" : "missing; this key is required")
        }
        return error(key, "expected \(expected ?? "another type"), found \(found.type.description)")
    }

    /// The key path as the file writes it (sections joined with dots, array items as `[n]`) and
    /// the value the file has there, if any.
    static func locate(_ path: [any CodingKey], in t: TOMLTable) -> (key: String, value: (any TOMLValueConvertible)?) {
        var key = ""
        var current: (any TOMLValueConvertible)? = t
        for k in path {
            // A table's key may read as a number ("1" in [roadmap.support]); only an array is indexed.
            if let a = current?.array, let i = k.intValue {
                key += "[\(i + 1)]"
                current = i < a.count ? a[i] : nil
            } else {
                key += (key.isEmpty ? "" : ".") + k.stringValue
                current = current?.table?[k.stringValue]
            }
        }
        return (key, current)
    }

    /// The `ValueProblem` a value's own decoding threw, if that is what failed.
    static func problem(in failure: any Error) -> ValueProblem? {
        guard case DecodingError.dataCorrupted(let c) = failure else { return nil }
        return c.underlyingError as? ValueProblem
    }

    /// "a string" for `String`, and so on.
    static func expected(_ type: Any.Type) -> String? {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is Double.Type, is Number.Type: "a number"
        case is Bool.Type: "true or false"
        default:
            // TOMLKit names a list by its own array type, a section by its table type.
            String(describing: type).contains("Array") || String(describing: type).hasPrefix("[")
                ? "an array of strings" : "a table"
        }
    }

    /// TOMLKit names the type it wanted in a missing key's description (`A "String" does not exist …`).
    static func expected(from description: String) -> String? {
        for (name, words) in [
            ("\"String\"", "a string"), ("\"Int\"", "an integer"), ("\"Double\"", "a number"),
            ("\"Bool\"", "true or false"), ("An array", "an array"),
        ] where description.contains(name) {
            return words
        }
        return nil
    }
}
