import BansoCSV
import BansoCore
import Foundation

/// An establishment row that passed its own checks, waiting for de-duplication.
struct EstablishmentRow: Sendable {
    let sourceIndex: Int
    let line: Int
    let id: String
    /// The 事業所番号 packed (`CodeKey`): what de-duplication compares (no String hashing).
    let key: Int
    let date: Day
    /// The row as it will be written (UTF-8 CSV bytes): compact while de-duplication waits.
    let encoded: [UInt8]
    let municipality: MunicipalityCode
    let warnings: [Finding]
}

/// The outcome of checking one establishment row.
enum EstablishmentOutcome {
    case accepted(EstablishmentRow)
    /// Every E finding of the row, and its municipality when that was readable.
    case rejected([Finding], municipality: MunicipalityCode?)
}

extension Cleaner {
    /// What parsing one establishment file produced (before de-duplication).
    struct EstablishmentFileResult: Sendable {
        var rows: [EstablishmentRow] = []
        var findings: [Finding] = []
        var quality: [(MunicipalityCode?, Set<Rule>)] = []
        var rejected = 0
    }

    /// Cleans and de-duplicates the establishment survey; returns accepted establishment id → municipality code.
    mutating func cleanEstablishments(frame: [String: MunicipalityCode]?) throws -> [String: MunicipalityCode] {
        // Files are independent until de-duplication: parse them on all cores, combine in order.
        let files = indices(of: .establishments)
        let jobs = try files.map {
            (i: $0, path: try copyPath($0), file: sources[$0].report.path, order: sources[$0].order)
        }
        let check = EstablishmentParser(
            prefecture: c.prefectureCode, known: masterCodes, window: c.surveyWindow, frame: frame)
        // One big file (as prefectures usually send it) is read here and checked on every core.
        let cores = jobs.count == 1 ? max(1, ProcessInfo.processInfo.activeProcessorCount) : 1
        let parsed = parallelMap(jobs.indices) { k in
            Result { () throws -> EstablishmentFileResult in
                var out = EstablishmentFileResult()
                let job = jobs[k]
                @Sendable func add(_ r: CSVRecord, to out: inout EstablishmentFileResult) {
                    switch check.parse(r, file: job.file, order: job.order, sourceIndex: job.i) {
                    case .accepted(let row): out.rows.append(row)
                    case .rejected(let found, let muni):
                        out.findings += found
                        out.rejected += 1
                        out.quality.append((muni, Set(found.map(\.rule))))
                    }
                }
                guard cores > 1 else {
                    try IngestCopy<EstablishmentField>.stream(path: job.path) { r in add(r, to: &out) }
                    return out
                }
                try Self.chunked(IngestCopy<EstablishmentField>.self, path: job.path, cores: cores, into: &out) {
                    records in
                    var part = EstablishmentFileResult()
                    for r in records { add(r, to: &part) }
                    return part
                } merge: { out, part in
                    out.rows += part.rows
                    out.findings += part.findings
                    out.quality += part.quality
                    out.rejected += part.rejected
                }
                return out
            }
        }
        var candidates: [EstablishmentRow] = []
        for (k, r) in parsed.enumerated() {
            let result = try r.get()
            let i = jobs[k].i
            rejects += result.findings
            sources[i].rejected += result.rejected
            for (m, rules) in result.quality { countQuality(m, kind: .establishments, rules: rules) }
            candidates += result.rows
            ctx.progress(result.rows.count + result.rejected)
        }
        // De-duplicate: latest 回答日 wins; on a tie, the row read last.
        let winner = latestIndex(in: candidates, key: \.key, date: \.date)
        var accepted: [String: MunicipalityCode] = [:]
        let writer = try RunFiles.establishments.writer(in: ctx.layout)
        for (n, row) in candidates.enumerated() {
            let w = winner[row.key]!
            if w == n {
                try writer.writeRaw(row.encoded)
                accepted[row.id] = row.municipality
                sources[row.sourceIndex].accepted += 1
                if !row.warnings.isEmpty { sources[row.sourceIndex].withWarnings += 1 }
                warnings += row.warnings
            } else {
                let kept = candidates[w]
                let p = CellProblem(
                    .duplicate,
                    "事業所番号 \(row.id): answered more than once; kept the row at "
                        + "\(sources[kept.sourceIndex].report.path):\(kept.line) (回答日 \(kept.date)), "
                        + "this one has 回答日 \(row.date)")
                rejects.append(
                    finding(
                        row.sourceIndex, line: row.line, id: row.id, field: EstablishmentField.establishmentID.rawValue,
                        value: row.id, p))
                sources[row.sourceIndex].rejected += 1
                countQuality(row.municipality, kind: .establishments, rules: [.duplicate])
            }
        }
        try writer.finish()
        return accepted
    }
}

/// Checks one establishment row (an ingest copy's record) against every rule of the contract.
struct EstablishmentParser: Sendable {
    let prefecture: PrefectureCode
    /// Master codes; nil outside a run (inspect, fuzzing): unknown_municipality is not checked.
    let known: Set<MunicipalityCode>?
    let window: ClosedRange<Day>?
    /// The frame's establishments (id → municipality); nil without a frame.
    var frame: [String: MunicipalityCode]? = nil

    /// Input positions, resolved once: finding a column by name per row was most of clean's time.
    static let positions = Dictionary(
        uniqueKeysWithValues: EstablishmentField.allCases.map { ($0, IngestCopy<EstablishmentField>.position($0)) })
    /// The count fields' positions by `CountField.rawValue`: an array, because a field enum with a
    /// String raw value hashes that String on every dictionary look-up (15 a row).
    static let countPositions = CountField.allCases.map { IngestCopy<EstablishmentField>.position($0.field) }
    static let linePosition = IngestCopy<EstablishmentField>.linePosition
    static let extraCellsPosition = IngestCopy<EstablishmentField>.extraCellsPosition
    /// Each field's count, in `EstablishmentField.allCases` order (nil for the other fields).
    static let countOfField: [CountField?] = EstablishmentField.allCases.map { f in
        CountField.allCases.first { $0.field == f }
    }
    /// The cases, made once: `allCases` builds a new array at every use (twice a row).
    static let countFields: [CountField] = {
        precondition(CountField.allCases.count == 15, "CountValues holds 15 counts")
        return CountField.allCases
    }()
    static let fields = EstablishmentField.allCases
    /// The counts' Japanese headers, by `CountField.rawValue` (`headers` builds an array per call).
    static let countLabels = CountField.allCases.map(\.field.japaneseHeader)
    /// The largest count of people one establishment can report in any field (the largest care
    /// establishments employ a few hundred; docs/rules.md).
    static let plausibleMaximum = 10_000.0

    /// A field with its input position: what every row reads, without a dictionary look-up (an
    /// enum with a String raw value hashes that String on each).
    struct Cell {
        let field: EstablishmentField
        let position: Int
        init(_ field: EstablishmentField) {
            self.field = field
            position = IngestCopy<EstablishmentField>.position(field)
        }
    }
    static let cells = (
        id: Cell(.establishmentID), name: Cell(.establishmentName), municipality: Cell(.municipalityCode),
        service: Cell(.serviceType), date: Cell(.responseDate), shortage: Cell(.shortagePerception),
        comment: Cell(.comment)
    )

    func parse(_ r: CSVRecord, file: String, order: Int, sourceIndex: Int) -> EstablishmentOutcome {
        r.withFields { parse($0, recordLine: r.line, file: file, order: order, sourceIndex: sourceIndex) }
    }

    /// Checks one row's fields, read as byte views: a slice per cell would retain the record.
    private func parse(
        _ fields: CSVFields, recordLine: Int, file: String, order: Int, sourceIndex: Int
    ) -> EstablishmentOutcome {
        let cells = Self.cells
        @inline(__always) func bytes(_ c: Cell) -> UnsafeBufferPointer<UInt8> { fields[c.position] }
        func text(_ c: Cell) -> String { String(decoding: bytes(c), as: UTF8.self) }
        func text(_ f: EstablishmentField) -> String { String(decoding: fields[Self.positions[f]!], as: UTF8.self) }
        let line = NumberParser.plain(fields[Self.linePosition]).map { Int($0) } ?? recordLine
        var errors: [Finding] = []
        var warns: [Finding] = []
        var id = ""
        func add(_ field: String, _ value: String, _ p: CellProblem) {
            let f = Finding(
                file: file, line: line, establishmentID: id, field: field, rule: p.rule, value: value,
                message: p.message, fileOrder: order)
            if p.rule.severity == .error { errors.append(f) } else { warns.append(f) }
        }
        func add(_ field: EstablishmentField, _ value: String, _ p: CellProblem) { add(field.rawValue, value, p) }
        let extraBytes = fields[Self.extraCellsPosition]
        if !extraBytes.isEmpty {
            let extra = String(decoding: extraBytes, as: UTF8.self)
            if let p = Cleaner.extraCells(extra) { add("extra_cells", extra, p) }
        }
        func required(_ c: Cell) -> Bool {
            if Values.isMissing(bytes(c)) {
                add(
                    c.field, text(c),
                    CellProblem(.required, "\(c.field.japaneseHeader) is required (empty or a missing-value marker)"))
                return false
            }
            return true
        }

        if required(cells.id) {
            switch Values.establishmentID(text(cells.id), prefecture: prefecture) {
            case .success(let v): id = v
            case .failure(let p):
                id = Normalize.value(text(cells.id))
                add(.establishmentID, text(cells.id), p)
            }
        }
        var municipality: MunicipalityCode?
        if required(cells.municipality) {
            switch Values.municipality(text(cells.municipality), known: known) {
            case .success(let m): municipality = m
            case .failure(let p): add(.municipalityCode, text(cells.municipality), p)
            }
        }
        var service: String?
        if required(cells.service) {
            let st = Values.serviceType(text(cells.service))
            service = st.code
            if let p = st.problem { add(.serviceType, text(cells.service), p) }
        }
        var date: Day?
        if required(cells.date) {
            switch Values.date(bytes(cells.date), label: "回答日") {
            case .success(let d):
                date = d
                if let window, !window.contains(d) {
                    // A few days or weeks late is an office being late; more than a year away is a typo.
                    let days =
                        d < window.lowerBound
                        ? window.lowerBound.ordinal - d.ordinal : d.ordinal - window.upperBound.ordinal
                    let raw = text(cells.date)
                    let span = "the survey window \(window.lowerBound) – \(window.upperBound)"
                    if days > 365 {
                        date = nil
                        add(
                            .responseDate, raw,
                            CellProblem(.date, "回答日 \(d): more than a year outside \(span); check the year"))
                    } else {
                        add(.responseDate, raw, CellProblem(.outsideSurveyWindow, "回答日 \(d): outside \(span) (kept)"))
                    }
                }
            case .failure(let problem):
                add(.responseDate, text(cells.date), problem)
            }
        }
        // The counts, by `CountField.rawValue`, in a fixed-size tuple: an array a row cost an
        // allocation and a look-up of its type's metadata.
        var counts: CountValues = (nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil)
        for f in Self.countFields {
            let field = f.field
            let cell = fields[Self.countPositions[f.rawValue]]
            let result =
                f.isDecimal
                ? Values.decimal(cell, label: Self.countLabels[f.rawValue])
                : Values.count(cell, label: Self.countLabels[f.rawValue])
            switch result {
            case .success(let x?) where x > Self.plausibleMaximum:
                // 2,500,000,000 求人 would publish a 欠員率 of 99.999%; 10^20 would be dropped by aggregate.
                add(
                    field, text(field),
                    CellProblem(
                        .implausibleCount,
                        "\(Self.countLabels[f.rawValue]) \(formatNumber(x)): more than \(formatNumber(Self.plausibleMaximum)) "
                            + "for one establishment; check the digits"))
            case .success(let x): Self.set(&counts, f, x)
            case .failure(let p): add(field, text(field), p)
            }
        }
        var shortage: String?
        switch Values.category(bytes(cells.shortage), Categories.shortage, label: "従業員の過不足感") {
        case .success(let x): shortage = x
        case .failure(let p): add(.shortagePerception, text(cells.shortage), p)
        }

        // Cross-field rules, where every field they need is present.
        func v(_ f: CountField) -> Double? { Self.get(counts, f) }
        func sum(_ a: CountField, _ b: CountField) -> Double? {
            guard let x = v(a), let y = v(b) else { return nil }
            return x + y
        }
        let careNow = sum(.careStaffRegular, .careStaffNonregular)
        let hires = sum(.hiresRegular, .hiresNonregular)
        let seps = sum(.separationsRegular, .separationsNonregular)
        let ago = v(.careStaffYearAgo)
        if let seps, let ago, let hires, seps > ago + hires {
            add(
                .separationsRegular, formatNumber(seps),
                CellProblem(
                    .separationsExceed,
                    "離職者数 \(formatNumber(seps)) > 1年前の介護職員数 \(formatNumber(ago)) + 採用者数 \(formatNumber(hires)): "
                        + "more people left than could have"))
        }
        if let careNow, let ago, let hires, let seps {
            let expected = ago + hires - seps
            if abs(careNow - expected) > max(3, 0.2 * careNow) {
                add(
                    .careStaffRegular, formatNumber(careNow),
                    CellProblem(
                        .staffBalance,
                        "介護職員数 \(formatNumber(careNow)) differs from 1年前 \(formatNumber(ago)) + 採用 \(formatNumber(hires)) "
                            + "− 離職 \(formatNumber(seps)) = \(formatNumber(expected)) by more than max(3, 20%) (kept)"))
            }
        }
        if let careNow, let cert = v(.certifiedCareWorkers), cert > careNow {
            add(
                .certifiedCareWorkers, formatNumber(cert),
                CellProblem(
                    .certifiedExceedsCareStaff,
                    "介護福祉士数 \(formatNumber(cert)) > 介護職員数 \(formatNumber(careNow)) (kept)"))
        }
        var allNow: Double?
        if let careNow, let n = v(.nurses), let m = v(.careManagers), let o = v(.otherStaff) {
            allNow = careNow + n + m + o
        }
        if let allNow, let x = v(.staffAged60Plus), x > allNow {
            add(
                .staffAged60Plus, formatNumber(x),
                CellProblem(.aged60ExceedsStaff, "60歳以上職員数 \(formatNumber(x)) > 全職員数 \(formatNumber(allNow)) (kept)"))
        }
        if let allNow, let x = v(.foreignStaff), x > allNow {
            add(
                .foreignStaff, formatNumber(x),
                CellProblem(.foreignExceedsStaff, "外国籍職員数 \(formatNumber(x)) > 全職員数 \(formatNumber(allNow)) (kept)"))
        }

        if let frame, !id.isEmpty, errors.isEmpty, frame[id] == nil {
            add(
                .establishmentID, id,
                CellProblem(
                    .notInFrame,
                    "事業所番号 \(id): answered but not in the frame (事業所台帳); kept, not counted in the response rate"))
        }
        guard errors.isEmpty, let municipality, let service, let date else {
            return .rejected(errors, municipality: municipality)
        }
        // Written straight as the clean row, in CleanEstablishmentColumn order: the source, then
        // every field in declaration order (the switch is exhaustive).
        var encoded: [UInt8] = []
        encoded.reserveCapacity(512)
        CSVWriter.appendField(file.utf8, to: &encoded)
        encoded.append(UInt8(ascii: ","))
        appendNumber(Double(line), to: &encoded)
        for (n, f) in Self.fields.enumerated() {
            encoded.append(UInt8(ascii: ","))
            switch f {
            case .establishmentID: CSVWriter.appendField(id.utf8, to: &encoded)
            case .establishmentName: CSVWriter.appendField(Normalize.value(text(cells.name)).utf8, to: &encoded)
            case .municipalityCode: CSVWriter.appendField(municipality.text.utf8, to: &encoded)
            case .serviceType: CSVWriter.appendField(service.utf8, to: &encoded)
            case .responseDate: CSVWriter.appendField(date.description.utf8, to: &encoded)
            case .shortagePerception: CSVWriter.appendField((shortage ?? "").utf8, to: &encoded)
            case .comment: CSVWriter.appendField(Normalize.nfkc(text(cells.comment)).utf8, to: &encoded)
            case .careStaffRegular, .careStaffNonregular, .careStaffYearAgo, .hiresRegular, .hiresNonregular,
                .separationsRegular, .separationsNonregular, .nurses, .careManagers, .otherStaff, .fteTotal,
                .certifiedCareWorkers, .staffAged60Plus, .foreignStaff, .vacancies:
                // Numbers hold no comma, quote or space: never quoted.
                appendNumber(Self.countOfField[n].flatMap { Self.get(counts, $0) }, to: &encoded)
            }
        }
        encoded.append(0x0A)
        // Kept until de-duplication (900,000 rows at ten times Hokkaido): a copy of exactly its
        // size, not the capacity it was built in (`Array(encoded[...])` would keep that buffer).
        let row = encoded
        encoded = [UInt8](unsafeUninitializedCapacity: row.count) { buffer, initialized in
            initialized = buffer.initialize(fromContentsOf: row)
        }
        return .accepted(
            EstablishmentRow(
                sourceIndex: sourceIndex, line: line, id: id,
                // Never 0: an accepted 事業所番号 is 10 digits (the 3rd may be a capital), which always packs.
                key: CodeKey.pack(id.utf8) ?? 0, date: date,
                encoded: encoded, municipality: municipality, warnings: warns))
    }

    /// One row's counts, by `CountField.rawValue` (15 of them).
    typealias CountValues = (
        Double?, Double?, Double?, Double?, Double?, Double?, Double?, Double?, Double?, Double?, Double?, Double?,
        Double?, Double?, Double?
    )

    @inline(__always)
    static func get(_ counts: CountValues, _ f: CountField) -> Double? {
        withUnsafeBytes(of: counts) {
            $0.load(fromByteOffset: f.rawValue * MemoryLayout<Double?>.stride, as: Double?.self)
        }
    }

    @inline(__always)
    static func set(_ counts: inout CountValues, _ f: CountField, _ value: Double?) {
        withUnsafeMutableBytes(of: &counts) {
            $0.storeBytes(of: value, toByteOffset: f.rawValue * MemoryLayout<Double?>.stride, as: Double?.self)
        }
    }
}
