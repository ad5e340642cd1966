import BansoCore

/// How a file's header row maps onto the canonical fields of its kind.
package struct HeaderMapping: Sendable, Equatable {
    /// Canonical field → column position.
    package var columns: [String: Int]
    /// Per column: the field it maps to and where the mapping came from ("built-in", "pipeline file",
    /// "canonical name"), or nil when unknown.
    package var perColumn: [(field: String, source: String)?]
    /// Headers that map to nothing (ignored, listed once in the ingest report).
    package var unknown: [String]
    /// Required fields with no column.
    package var missingRequired: [String]
    /// Fields claimed by more than one column (the file cannot be read unambiguously).
    package var conflicts: [(field: String, headers: [String])]

    package static func == (a: HeaderMapping, b: HeaderMapping) -> Bool {
        a.columns == b.columns && a.unknown == b.unknown && a.missingRequired == b.missingRequired
    }

    /// Matches headers after NFKC, trimming and space removal; pipeline-file mappings win over
    /// built-in header texts, which win over the canonical field name itself.
    package init(header: [String], kind: InputKind, custom: [String: String]) {
        var builtIn: [String: String] = [:]
        var canonical: [String: String] = [:]
        for field in kind.fields {
            canonical[field.name] = field.name
            for h in field.headers { builtIn[Normalize.headerKey(h)] = field.name }
        }
        columns = [:]
        perColumn = []
        unknown = []
        var claimed: [String: [String]] = [:]
        for (i, raw) in header.enumerated() {
            let key = Normalize.headerKey(raw)
            let match: (String, String)?
            if let f = custom[key] {
                match = (f, "pipeline file")
            } else if let f = builtIn[key] {
                match = (f, "built-in")
            } else if let f = canonical[key] {
                match = (f, "canonical name")
            } else {
                match = nil
            }
            guard let (field, source) = match else {
                perColumn.append(nil)
                if !key.isEmpty { unknown.append(raw) }
                continue
            }
            perColumn.append((field, source))
            claimed[field, default: []].append(raw)
            if columns[field] == nil { columns[field] = i }
        }
        conflicts = claimed.filter { $0.value.count > 1 }.map { ($0.key, $0.value) }.sorted { $0.field < $1.field }
        let found = columns
        missingRequired = kind.fields.filter { $0.requiredColumn && found[$0.name] == nil }.map(\.name)
        // Unknown headers that look like the header of a field with no column yet.
        var loose: [String: String] = [:]
        for field in kind.fields where found[field.name] == nil {
            for h in field.headers + [field.name] { loose[Normalize.looseHeaderKey(h)] = field.name }
        }
        lookalikes = unknown.compactMap { raw in loose[Normalize.looseHeaderKey(raw)].map { (raw, $0) } }
        missingCounts =
            kind == .establishments ? CountField.allCases.map(\.field.rawValue).filter { found[$0] == nil } : []
    }

    /// Unknown headers that look like a field with no column once brackets, underscores and 数 are
    /// ignored (`介護職員数（正規）`): (header, field) to suggest as a mapping.
    package var lookalikes: [(header: String, field: String)] = []

    /// The establishment survey's count fields with no column.
    package var missingCounts: [String] = []

    /// Why the file cannot be read with this header, or nil when it can.
    package func problem(kind: InputKind, header: [String]) -> String? {
        var seen = header.prefix(30).map { "\"\($0)\"" }.joined(separator: ", ")
        if header.count > 30 { seen += " … and \(header.count - 30) more" }
        if !missingRequired.isEmpty {
            let names = missingRequired.map { name in
                let spec = kind.fields.first { $0.name == name }!
                return "\(spec.japaneseHeader) (\(name))"
            }
            return
                "required column missing: \(names.joined(separator: ", ")); headers seen: \(seen). Map other wording in the pipeline file under [inputs.\(kind.rawValue).headers]"
                + delimiterHint(header)
        }
        if let c = conflicts.first {
            return
                "columns \(c.headers.map { "\"\($0)\"" }.joined(separator: " and ")) both map to \(c.field); keep one or map the other elsewhere"
        }
        if kind == .establishments && missingCounts.count == CountField.allCases.count {
            var message =
                "no count column: none of \(CountField.allCases.prefix(3).map(\.field.japaneseHeader).joined(separator: ", ")) "
                + "… was found, so every row would be accepted without its numbers; headers seen: \(seen)"
            if !lookalikes.isEmpty {
                message += ". Map them in the pipeline file under [inputs.\(kind.rawValue).headers]: "
                message += lookalikes.map { "\"\($0.header)\" = \"\($0.field)\"" }.joined(separator: ", ")
            }
            return message + delimiterHint(header)
        }
        return nil
    }

    /// A hint when a one-column header holds tabs or semicolons: the file has another delimiter.
    func delimiterHint(_ header: [String]) -> String {
        // A second byte-order mark (a file saved twice as UTF-8 with BOM) is left in the first header.
        if header.first?.unicodeScalars.first == "\u{FEFF}" {
            return ". The file starts with two byte-order marks (BOM), so its first header reads as "
                + "\"\\u{FEFF}\(header.first!.dropFirst())\": save it again as UTF-8 or CP932"
        }
        guard header.count == 1, let only = header.first else { return "" }
        return Self.delimiterSuggestion(firstLine: Array(only.utf8))
    }

    /// A hint when a comma-separated reading found a first line with no comma but tabs or
    /// semicolons: the one place the wording of that advice is kept.
    static func delimiterSuggestion<Line: Collection>(firstLine line: Line) -> String where Line.Element == UInt8 {
        guard !line.contains(UInt8(ascii: ",")) else { return "" }
        if line.contains(0x09) {
            return ". Its first line has no comma but tabs: the file is tab-separated; set delimiter = \"\\t\""
        }
        if line.contains(UInt8(ascii: ";")) {
            return ". Its first line has no comma but semicolons: set delimiter = \";\""
        }
        return ""
    }
}
