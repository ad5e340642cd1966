import BansoCSV
import BansoCore
import Foundation
import SystemPackage

extension Cleaner {
    /// What cleaning one worker file produced.
    struct WorkerFileResult: Sendable {
        var bytes: [UInt8] = []
        var findings: [Finding] = []
        var quality: [(MunicipalityCode, Set<Rule>)] = []
        var accepted = 0, rejected = 0, warned = 0
    }

    /// Cleans the worker survey: each worker needs an accepted (or framed) establishment.
    mutating func cleanWorkers(establishments: [String: MunicipalityCode], frame: [String: MunicipalityCode]) throws {
        let workerSources = indices(of: .workers)
        let writer = try RunFiles.workers.writer(in: ctx.layout)
        let pref = c.prefectureCode
        let directory = WorkerParser.Directory(establishments: establishments, frame: frame)
        // Files are independent: clean them on all cores, a batch at a time (bounded memory),
        // and write each file's rows in input order (same bytes as a serial run).
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        var start = 0
        while start < workerSources.count {
            let batch = Array(workerSources[start..<min(start + cores, workerSources.count)])
            start += batch.count
            let jobs = try batch.map {
                (path: try copyPath($0), file: sources[$0].report.path, order: sources[$0].order)
            }
            // One file (a survey sent whole) is cleaned here on every core, its rows written as
            // they are joined rather than held until the end (that was 100 MB for a million rows).
            let results =
                jobs.count == 1
                ? [
                    Result {
                        try Self.cleanWorkerFile(
                            path: jobs[0].path, file: jobs[0].file, order: jobs[0].order, prefecture: pref,
                            directory: directory, cores: cores
                        ) { part in
                            try writer.writeRaw(part.bytes)
                            part.bytes.removeAll(keepingCapacity: true)
                        }
                    }
                ]
                : parallelMap(jobs.indices) { k in
                    Result {
                        try Self.cleanWorkerFile(
                            path: jobs[k].path, file: jobs[k].file, order: jobs[k].order, prefecture: pref,
                            directory: directory)
                    }
                }
            for (k, r) in results.enumerated() {
                let result = try r.get()
                try writer.writeRaw(result.bytes)
                for f in result.findings {
                    if f.rule.severity == .error { rejects.append(f) } else { warnings.append(f) }
                }
                for (m, rules) in result.quality { countQuality(m, kind: .workers, rules: rules) }
                ctx.progress(result.accepted + result.rejected)
                let i = batch[k]
                sources[i].accepted += result.accepted
                sources[i].rejected += result.rejected
                sources[i].withWarnings += result.warned
            }
        }
        try writer.finish()
    }

    /// Cleans one ingest worker file into encoded rows (no shared state: safe on any thread).
    ///
    /// With more than one core (a survey that came as one big file), this thread reads the file
    /// while the other cores check its rows in chunks; the chunks' rows and findings are joined
    /// in file order, so the bytes are those of a serial run.
    static func cleanWorkerFile(
        path: FilePath, file: String, order: Int, prefecture: PrefectureCode, directory: WorkerParser.Directory,
        cores: Int = 1, flush: ((inout WorkerFileResult) throws -> Void)? = nil
    ) throws -> WorkerFileResult {
        var out = WorkerFileResult()
        out.bytes.reserveCapacity(1 << 20)
        let parser = WorkerParser(file: file, order: order, prefecture: prefecture, directory: directory)
        guard cores > 1 else {
            var serial = parser
            try IngestCopy<WorkerField>.stream(path: path) { r in out.add(r, &serial) }
            return out
        }
        // Each chunk gets its own copy of the parser (its row buffer is per thread).
        try chunked(IngestCopy<WorkerField>.self, path: path, cores: cores, into: &out) { records in
            var part = WorkerFileResult()
            var chunkParser = parser
            for r in records { part.add(r, &chunkParser) }
            return part
        } merge: { out, part in
            out.merge(part)
            if let flush, out.bytes.count >= 1 << 20 { try flush(&out) }
        }
        return out
    }

    /// Reads an ingest copy on this thread while the other cores check its rows in chunks of
    /// 4,096, joined in file order: the result is that of a serial pass.
    static func chunked<Field: CanonicalField, Part: Sendable>(
        _ copy: IngestCopy<Field>.Type, path: FilePath, cores: Int, into out: inout Part,
        check: @escaping @Sendable ([CSVRecord]) -> Part, merge: (inout Part, Part) throws -> Void
    ) throws {
        let chunkRows = 4_096
        let work = OrderedBackgroundWork<Part>(inFlight: cores + 1)
        var chunk: [CSVRecord] = []
        chunk.reserveCapacity(chunkRows)
        try copy.stream(path: path) { r in
            chunk.append(r)
            if chunk.count == chunkRows {
                let records = chunk
                work.submit { check(records) }
                chunk.removeAll(keepingCapacity: true)
                for part in work.takeReady() { try merge(&out, part) }
            }
        }
        if !chunk.isEmpty {
            let records = chunk
            work.submit { check(records) }
        }
        for part in work.finish() { try merge(&out, part) }
    }
}

extension Cleaner.WorkerFileResult {
    /// Counts one row's outcome.
    mutating func add(_ record: CSVRecord, _ parser: inout WorkerParser) {
        switch parser.parse(record, into: &bytes) {
        case .accepted(let w):
            accepted += 1
            if !w.isEmpty {
                warned += 1
                findings += w
            }
        case .rejected(let f, let muni):
            rejected += 1
            findings += f
            if let muni { quality.append((muni, Set(f.map(\.rule)))) }
        }
    }

    /// Appends a later part of the same file.
    mutating func merge(_ part: Self) {
        bytes += part.bytes
        findings += part.findings
        quality += part.quality
        accepted += part.accepted
        rejected += part.rejected
        warned += part.warned
    }
}

/// The outcome of checking one worker row (an accepted row is already written).
enum WorkerOutcome {
    case accepted(warnings: [Finding])
    case rejected([Finding], municipality: MunicipalityCode?)
}

/// Checks worker rows; built once per file so the hot loop reuses its buffers.
struct WorkerParser {
    let file: String
    /// The file's name as its clean-row field (quoted if it must be), appended as is.
    let fileField: [UInt8]
    let order: Int
    let prefecture: PrefectureCode
    /// The prefecture code's two bytes, for the byte-level check of 事業所番号.
    let prefectureBytes: (UInt8, UInt8)
    let directory: Directory
    /// False when checking a single file without a run (inspect, fuzzing): unknown_establishment is not checked.
    var checkEstablishments = true

    init(file: String, order: Int, prefecture: PrefectureCode, directory: Directory) {
        self.file = file
        var field: [UInt8] = []
        CSVWriter.appendField(file.utf8, to: &field)
        self.fileField = field
        self.order = order
        self.prefecture = prefecture
        let p = Array(prefecture.text.utf8)
        prefectureBytes = p.count == 2 ? (p[0], p[1]) : (0, 0)
        self.directory = directory
    }

    /// Each establishment's municipality, keyed by the packed establishment number (a million
    /// worker rows look theirs up: an `Int` key costs no String and no Unicode-aware hashing).
    struct Directory: Sendable {
        private var index = CodeKeyIndex()
        /// Municipality codes as text, and as the bytes written to the clean file: all of them in
        /// one array, code `n` from `codeEnds[n - 1]` to `codeEnds[n]` (a slice per code retained
        /// its array at every row).
        private var codes: [MunicipalityCode] = []
        private var codeBytes: [UInt8] = []
        private var codeEnds: [Int] = []

        /// Accepted establishment answers first, then the frame (as `establishments[id] ?? frame[id]`).
        init(establishments: [String: MunicipalityCode], frame: [String: MunicipalityCode]) {
            index = CodeKeyIndex(capacity: establishments.count + frame.count)
            // Municipalities are numbered in code order, so that the code table is the same on
            // every run whatever order the dictionaries give (sorting the 200,000 establishment
            // numbers as Strings for that was a twentieth of clean, on one core).
            codes = Set(frame.values).union(establishments.values).sorted()
            var number: [MunicipalityCode: Int32] = [:]
            for (n, code) in codes.enumerated() {
                number[code] = Int32(n)
                codeBytes += code.text.utf8
                codeEnds.append(codeBytes.count)
            }
            // Each key is set once per table, so the order within one does not matter.
            for (id, municipality) in frame {
                if let key = CodeKey.pack(id.utf8) { index.set(key, number[municipality]!) }
            }
            for (id, municipality) in establishments {
                if let key = CodeKey.pack(id.utf8) { index.set(key, number[municipality]!) }
            }
        }

        /// The municipality of an establishment number (bytes of a valid 事業所番号), as an index
        /// for `code(of:)` and `append(_:to:)`.
        @inline(__always)
        func municipality<Bytes: Collection>(of id: Bytes) -> Int32? where Bytes.Element == UInt8 {
            guard let key = CodeKey.pack(id) else { return nil }
            return index[key]
        }

        /// No municipality (a row checked outside a run): the empty code.
        static let none: Int32 = -1

        /// A municipality's code (nil for `none`).
        func code(of n: Int32) -> MunicipalityCode? { n == Self.none ? nil : codes[Int(n)] }

        /// Appends a municipality's code as written to the clean file (codes need no quoting).
        @inline(__always)
        func append(_ n: Int32, to out: inout [UInt8]) {
            guard n != Self.none else { return }
            let end = codeEnds[Int(n)], start = n == 0 ? 0 : codeEnds[Int(n) - 1]
            codeBytes.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[start..<end])) }
        }
    }

    /// True when the bytes are a valid 事業所番号 of this prefecture as written (10 ASCII
    /// characters, digits except the 3rd which may be A–Z): the common case, checked without a String.
    @inline(__always)
    func isPlainID<Bytes: Collection>(_ b: Bytes) -> Bool where Bytes.Element == UInt8 {
        guard b.count == 10 else { return false }
        var i = 0
        for c in b {
            if i == 0 && c != prefectureBytes.0 || i == 1 && c != prefectureBytes.1 { return false }
            if !(c >= 0x30 && c <= 0x39) && !(i == 2 && c >= 0x41 && c <= 0x5A) { return false }
            i += 1
        }
        return true
    }

    /// A coded answer: its field, code list, whether it is required, and its digit codes' range.
    struct Coded {
        let field: WorkerField
        let column: CleanWorkerColumn
        let table: CodeList
        let required: Bool
        let low: UInt8, high: UInt8
        /// Where the field is in the ingest copy.
        let position: Int

        init(field: WorkerField, column: CleanWorkerColumn, table: CodeList, required: Bool, low: UInt8, high: UInt8) {
            precondition(table.labels.keys.allSatisfy { $0.utf8.count == 1 }, "worker codes are one digit")
            (self.field, self.column, self.table, self.required, self.low, self.high) =
                (field, column, table, required, low, high)
            position = IngestCopy<WorkerField>.position(field)
        }
    }

    static let coded: [Coded] = [
        Coded(
            field: .occupation, column: .occupation, table: Categories.occupation, required: true, low: 0x31, high: 0x36
        ),
        Coded(
            field: .employmentType, column: .employmentType, table: Categories.employment, required: true, low: 0x31,
            high: 0x32),
        Coded(field: .sex, column: .sex, table: Categories.sex, required: false, low: 0x31, high: 0x33),
        Coded(
            field: .intentionToContinue, column: .intentionToContinue, table: Categories.intention, required: false,
            low: 0x31, high: 0x34),
    ]

    /// Input positions, resolved once (the hot loop runs a million times).
    static let input = (
        id: IngestCopy<WorkerField>.position(.establishmentID), age: IngestCopy<WorkerField>.position(.age),
        tenure: IngestCopy<WorkerField>.position(.tenureYears), wage: IngestCopy<WorkerField>.position(.monthlyWage),
        line: IngestCopy<WorkerField>.linePosition, extra: IngestCopy<WorkerField>.extraCellsPosition
    )
    /// Appends the typed value's text: the input bytes themselves when they already are that
    /// text (plain digits without a leading zero), which saves making a String per cell.
    @inline(__always)
    static func appendCanonical(_ v: Double?, _ input: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        guard let v else { return }
        if let f = input.first, f != 0x30 || input.count == 1, input.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            NumberParser.plain(input) == v
        {
            out.append(contentsOf: input)
        } else {
            appendNumber(v, to: &out)
        }
    }

    /// Whether a wage cell names its unit (円 or 万).
    static func hasYenUnit(_ text: String) -> Bool { text.contains("円") || text.contains("万") }

    /// Checks one ingest-copy row; an accepted row is appended to `out` as a clean row.
    func parse(_ r: CSVRecord, into out: inout [UInt8]) -> WorkerOutcome {
        r.withFields { parse($0, line: r.line, into: &out) }
    }

    /// Checks one row's fields, read as byte views: a slice per cell would retain the record.
    private func parse(_ fields: CSVFields, line recordLine: Int, into out: inout [UInt8]) -> WorkerOutcome {
        let input = Self.input
        @inline(__always) func bytes(_ k: Int) -> UnsafeBufferPointer<UInt8> { fields[k] }
        func text(_ k: Int) -> String { String(decoding: bytes(k), as: UTF8.self) }
        let lineBytes = bytes(Self.input.line)
        var errors: [Finding] = []
        var warns: [Finding] = []
        var id = ""
        let idBytes = bytes(input.id)
        let plainID = isPlainID(idBytes)
        func add(_ field: String, _ value: String, _ p: CellProblem) {
            let line = Int(String(decoding: lineBytes, as: UTF8.self)) ?? recordLine
            let f = Finding(
                file: file, line: line, establishmentID: plainID ? String(decoding: idBytes, as: UTF8.self) : id,
                field: field, rule: p.rule, value: value,
                message: p.message, fileOrder: order)
            if p.rule.severity == .error { errors.append(f) } else { warns.append(f) }
        }
        func add(_ field: WorkerField, _ value: String, _ p: CellProblem) { add(field.rawValue, value, p) }
        let extraBytes = bytes(Self.input.extra)
        if !extraBytes.isEmpty {
            let extra = String(decoding: extraBytes, as: UTF8.self)
            if let p = Cleaner.extraCells(extra) { add("extra_cells", extra, p) }
        }
        var municipality: Int32?
        func lookUp<Bytes: Collection>(_ v: Bytes) where Bytes.Element == UInt8 {
            municipality = directory.municipality(of: v) ?? (checkEstablishments ? nil : Directory.none)
            if municipality == nil {
                add(
                    .establishmentID, text(input.id),
                    CellProblem(
                        .unknownEstablishment,
                        "事業所番号 \(String(decoding: v, as: UTF8.self)): not among the accepted establishment "
                            + "answers nor in the frame, so the worker has no municipality"))
            }
        }
        if plainID {
            lookUp(idBytes)
        } else if Values.isMissing(idBytes) {
            add(.establishmentID, text(input.id), CellProblem(.required, "事業所番号 is required"))
        } else {
            switch Values.establishmentID(text(input.id), prefecture: prefecture) {
            case .success(let v):
                id = v
                lookUp(Array(v.utf8)[...])
            case .failure(let p):
                id = Normalize.value(text(input.id))
                add(.establishmentID, text(input.id), p)
            }
        }
        // A single listed digit is the code itself: no String needed. Fields of `coded` are read
        // one by one: copying a `Coded` retains its code list's three tables. Every code is one
        // ASCII digit (`Coded` checks), kept as that byte (0: no answer): no slice to retain.
        func code(_ n: Int) -> UInt8 {
            let b = bytes(Self.coded[n].position)
            if b.count == 1, let d = b.first, d >= Self.coded[n].low && d <= Self.coded[n].high { return d }
            let field = Self.coded[n].field
            switch Values.category(b, Self.coded[n].table, label: field.japaneseHeader) {
            case .success(let v?): return v.utf8.first!
            case .success(nil):
                if Self.coded[n].required {
                    add(
                        field, text(Self.coded[n].position),
                        CellProblem(.required, "\(field.japaneseHeader) is required"))
                }
            case .failure(let p): add(field, text(Self.coded[n].position), p)
            }
            return 0
        }
        let occupation = code(0), employment = code(1), sex = code(2), intention = code(3)
        let ageBytes = bytes(input.age), tenureBytes = bytes(input.tenure), wageBytes = bytes(input.wage)
        var age: Double?
        switch Values.count(ageBytes, label: "年齢") {
        case .success(let v):
            age = v
            if let v, !(15...99).contains(v) {
                add(.age, text(input.age), CellProblem(.outOfRange, "年齢 \(formatNumber(v)): must be 15–99"))
            }
        case .failure(let p): add(.age, text(input.age), p)
        }
        var tenure: Double?
        switch Values.decimal(tenureBytes, label: "勤続年数") {
        case .success(let v):
            tenure = v
            if let v, v > 60 {
                add(.tenureYears, text(input.tenure), CellProblem(.outOfRange, "勤続年数 \(formatNumber(v)): must be 0–60"))
            }
        case .failure(let p): add(.tenureYears, text(input.tenure), p)
        }
        var wage: Double?
        switch Values.number(wageBytes, allowMan: true) {
        case .missing: break
        case .invalid(let t):
            add(.monthlyWage, text(input.wage), CellProblem(.notANumber, "月給 \"\(t)\": not a number"))
        case .value(var v):
            if v < 0 {
                add(.monthlyWage, text(input.wage), CellProblem(.negative, "月給 \(formatNumber(v)): must be 0 or more"))
            } else {
                // No monthly wage is below 1,000 yen: a bare 27 is 27万円 written without its unit.
                if v > 0, v < 1_000, !Self.hasYenUnit(text(input.wage)) {
                    add(
                        .monthlyWage, text(input.wage),
                        CellProblem(
                            .wageInMan,
                            "月給 \(formatNumber(v)) has no unit and no monthly wage is below 1,000 yen: read as "
                                + "\(formatNumber(v))万円 = \(formatNumber(v * 10_000)) yen; write 万円 or 円 to be sure"))
                    v *= 10_000
                }
                if (50_000...2_000_000).contains(v) {
                    wage = v.rounded()
                } else {
                    add(
                        .monthlyWage, text(input.wage),
                        CellProblem(
                            .wageOutOfRange,
                            "月給 \(formatNumber(v)) yen: outside 50,000–2,000,000, so not a monthly wage (an hourly "
                                + "or yearly figure, or 万円 vs 円); the worker is kept, the wage is not used"))
                }
            }
        }
        guard errors.isEmpty, let municipality else {
            return .rejected(errors, municipality: municipality.flatMap { directory.code(of: $0) })
        }
        // Written straight into the output, in the declared column order (the switch is
        // exhaustive): no array of cells, each of which would retain the record.
        @inline(__always) func append(code: UInt8) { if code != 0 { out.append(code) } }
        for column in CleanWorkerColumn.allCases {
            if column != .sourceFile { out.append(UInt8(ascii: ",")) }
            switch column {
            case .sourceFile: fileField.withUnsafeBufferPointer { out.append(contentsOf: $0) }
            case .sourceLine: CSVWriter.appendField(lineBytes, to: &out)
            case .establishmentID:
                if plainID || idBytes.elementsEqual(id.utf8) {
                    CSVWriter.appendField(idBytes, to: &out)
                } else {
                    CSVWriter.appendField(id.utf8, to: &out)
                }
            case .municipalityCode: directory.append(municipality, to: &out)
            case .occupation: append(code: occupation)
            case .employmentType: append(code: employment)
            case .sex: append(code: sex)
            case .age: Self.appendCanonical(age, ageBytes, to: &out)
            case .tenureYears: Self.appendCanonical(tenure, tenureBytes, to: &out)
            case .monthlyWage: Self.appendCanonical(wage, wageBytes, to: &out)
            case .intentionToContinue: append(code: intention)
            }
        }
        out.append(0x0A)
        return .accepted(warnings: warns)
    }
}

/// Checks single rows outside a run: what `banso inspect` and the fuzz target use.
package enum RowCheck {
    /// Every finding (E and W) for one establishment row given as field → raw text.
    package static func establishment(
        _ fields: [EstablishmentField: String], file: String = "<row>", line: Int = 2, prefecture: PrefectureCode,
        known: Set<MunicipalityCode>? = nil, window: ClosedRange<Day>? = nil
    ) -> [Finding] {
        let record = CSVRecord(
            line: line, fields: ["<row>", String(line), ""] + EstablishmentField.allCases.map { fields[$0] ?? "" })
        let check = EstablishmentParser(prefecture: prefecture, known: known, window: window)
        switch check.parse(record, file: file, order: 0, sourceIndex: 0) {
        case .accepted(let row): return row.warnings
        case .rejected(let findings, _): return findings
        }
    }

    /// Every finding for one worker row (its establishment is not looked up).
    package static func worker(
        _ fields: [WorkerField: String], file: String = "<row>", line: Int = 2, prefecture: PrefectureCode
    ) -> [Finding] {
        let record = CSVRecord(
            line: line, fields: ["<row>", String(line), ""] + WorkerField.allCases.map { fields[$0] ?? "" })
        var parser = WorkerParser(
            file: file, order: 0, prefecture: prefecture,
            directory: WorkerParser.Directory(establishments: [:], frame: [:]))
        parser.checkEstablishments = false
        var scratch: [UInt8] = []
        switch parser.parse(record, into: &scratch) {
        case .accepted(let w): return w
        case .rejected(let f, _): return f
        }
    }
}
