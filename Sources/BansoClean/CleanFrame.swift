import BansoCSV
import BansoCore
import Foundation

extension Cleaner {
    /// Cleans the establishment frame; returns establishment id → municipality code of its accepted rows.
    ///
    /// A frame lists every establishment of the prefecture (100,000 rows for Hokkaido): its rows
    /// are checked on the other cores while this thread reads, then de-duplicated here in file
    /// order, which is what needs one thread.
    mutating func cleanFrame() throws -> [String: MunicipalityCode] {
        var byID: [String: MunicipalityCode] = [:]
        var rows: [FrameEntry] = []
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        for i in indices(of: .frame) {
            let parser = FrameParser(
                file: sources[i].report.path, order: sources[i].order, prefecture: c.prefectureCode,
                known: masterCodes)
            var checked: [FrameParser.Checked] = []
            try Self.chunked(IngestCopy<FrameField>.self, path: try copyPath(i), cores: cores, into: &checked) {
                records in
                records.map(parser.check)
            } merge: { all, part in
                all += part
            }
            byID.reserveCapacity(byID.count + checked.count)
            rows.reserveCapacity(rows.count + checked.count)
            for var row in checked {
                if row.found.isEmpty, byID[row.id] != nil {
                    row.found.append(
                        finding(
                            i, line: row.line, id: row.id, field: FrameField.establishmentID.rawValue, value: row.rawID,
                            CellProblem(
                                .duplicate, "事業所番号 \(row.id): listed twice in the frame; the first listing is kept")))
                }
                if row.found.isEmpty, let municipality = row.municipality, let id = EstablishmentID(row.id) {
                    byID[row.id] = municipality
                    rows.append(FrameEntry(establishmentID: id, municipality: municipality, serviceType: row.service))
                    sources[i].accepted += 1
                } else {
                    rejects += row.found
                    sources[i].rejected += 1
                }
            }
        }
        if !indices(of: .frame).isEmpty { try RunFiles.frame.write(rows, in: ctx.layout) }
        return byID
    }
}

/// Checks one frame row on its own (no shared state: safe on any thread); duplicates are found
/// afterwards, in file order.
struct FrameParser: Sendable {
    let file: String
    let order: Int
    let prefecture: PrefectureCode
    let known: Set<MunicipalityCode>?

    /// A checked row: its values, and every finding but a duplicate listing.
    struct Checked: Sendable {
        var id = "", rawID = "", service = ""
        var municipality: MunicipalityCode?
        var line = 0
        var found: [Finding] = []
    }

    static let positions = (
        id: IngestCopy<FrameField>.position(.establishmentID),
        municipality: IngestCopy<FrameField>.position(.municipalityCode),
        service: IngestCopy<FrameField>.position(.serviceType), line: IngestCopy<FrameField>.linePosition,
        extra: IngestCopy<FrameField>.extraCellsPosition
    )

    func check(_ r: CSVRecord) -> Checked {
        let p = Self.positions
        var out = Checked()
        out.line = Int(r.string(p.line)) ?? 0
        func problem(_ field: String, _ value: String, _ c: CellProblem) {
            out.found.append(
                Finding(
                    file: file, line: out.line, establishmentID: out.id, field: field, rule: c.rule, value: value,
                    message: c.message, fileOrder: order))
        }
        let extra = r.string(p.extra)
        if let c = Cleaner.extraCells(extra) { problem("extra_cells", extra, c) }
        let idBytes = p.id < r.count ? r[p.id] : []
        out.rawID = String(decoding: idBytes, as: UTF8.self)
        if Values.isMissing(idBytes) {
            problem(FrameField.establishmentID.rawValue, out.rawID, CellProblem(.required, "事業所番号 is required"))
        } else {
            switch Values.establishmentID(out.rawID, prefecture: prefecture) {
            case .success(let v): out.id = v
            case .failure(let c):
                out.id = Normalize.value(out.rawID)
                problem(FrameField.establishmentID.rawValue, out.rawID, c)
            }
        }
        let rawMunicipality = r.string(p.municipality)
        switch Values.municipality(rawMunicipality, known: known) {
        case .success(let m): out.municipality = m
        case .failure(let c): problem(FrameField.municipalityCode.rawValue, rawMunicipality, c)
        }
        let rawService = r.string(p.service)
        let st = Values.serviceType(rawService)
        if let c = st.problem, c.rule.severity == .error { problem(FrameField.serviceType.rawValue, rawService, c) }
        out.service = st.code ?? ""
        return out
    }
}
