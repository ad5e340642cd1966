import BansoCore

extension Cleaner {
    /// Cleans the establishment frame; returns establishment id → municipality code of its accepted rows.
    mutating func cleanFrame() throws -> [String: String] {
        var byID: [String: String] = [:]
        var rows: [FrameEntry] = []
        for i in indices(of: .frame) {
            for cells in try IngestCopy<FrameField>.read(path: try copyPath(i)) {
                let line = cells.line
                var found: [Finding] = []
                if let p = Cleaner.extraCells(cells.extraCells) {
                    found.append(finding(i, line: line, id: "", field: "extra_cells", value: cells.extraCells, p))
                }
                let idRaw = cells[.establishmentID]
                var id = ""
                func problem(_ field: FrameField, _ p: CellProblem) {
                    found.append(finding(i, line: line, id: id, field: field.rawValue, value: cells[field], p))
                }
                if Values.isMissing(Array(idRaw.utf8)[...]) {
                    id = ""
                    problem(.establishmentID, CellProblem(.required, "事業所番号 is required"))
                } else {
                    switch Values.establishmentID(idRaw, prefecture: c.prefectureCode) {
                    case .success(let v): id = v
                    case .failure(let p):
                        id = Normalize.value(idRaw)
                        problem(.establishmentID, p)
                    }
                }
                var muni = ""
                switch Values.municipality(cells[.municipalityCode], known: masterCodes) {
                case .success(let m): muni = m
                case .failure(let p): problem(.municipalityCode, p)
                }
                let st = Values.serviceType(cells[.serviceType])
                if let p = st.problem, p.rule.severity == .error { problem(.serviceType, p) }
                if found.isEmpty, byID[id] != nil {
                    problem(
                        .establishmentID,
                        CellProblem(.duplicate, "事業所番号 \(id): listed twice in the frame; the first listing is kept"))
                }
                if found.isEmpty {
                    byID[id] = muni
                    rows.append(FrameEntry(establishmentID: id, municipality: muni, serviceType: st.code ?? ""))
                    sources[i].accepted += 1
                } else {
                    rejects += found
                    sources[i].rejected += 1
                }
            }
        }
        if !indices(of: .frame).isEmpty { try RunFiles.frame.write(rows, in: ctx.layout) }
        return byID
    }
}
