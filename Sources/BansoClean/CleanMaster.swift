import BansoCore

extension Cleaner {
    /// Cleans the municipality master.
    ///
    /// Every problem is a finding with its rule; any finding fails the stage, since every indicator and packet hangs on
    /// the master.
    mutating func cleanMaster() throws {
        var rows: [MasterEntry] = []
        var problems: [Finding] = []
        var seen: [MunicipalityCode: Int] = [:]
        // Each row's 圏域 cells, checked once every row is read: all rows name one or none do.
        var regionCells: [(file: Int, line: Int, code: String, name: String, row: Int?)] = []
        for i in indices(of: .master) {
            let copy = try IngestCopy<MasterField>.read(path: try copyPath(i))
            var setAside = 0
            for cells in copy {
                let line = cells.line
                // The prefecture's own row of 総務省's code list is not a municipality: set aside, not fatal.
                if case .success(let code) = Values.municipality(cells[.municipalityCode], known: nil),
                    code == self.c.prefectureMunicipalityCode
                {
                    let f = finding(
                        i, line: line, id: "", field: MasterField.municipalityCode.rawValue,
                        value: cells[.municipalityCode],
                        CellProblem(
                            .prefectureRow,
                            "市区町村コード \(code) is the prefecture's own code (\(Normalize.value(cells[.municipalityName]))), "
                                + "not a municipality's; the row is left out"))
                    rejects.append(f)
                    ctx.logger.warning("\(sources[i].report.path) line \(line): \(f.message)")
                    setAside += 1
                    continue
                }
                func problem(_ field: MasterField, _ p: CellProblem) {
                    problems.append(finding(i, line: line, id: "", field: field.rawValue, value: cells[field], p))
                }
                if let p = Cleaner.extraCells(cells.extraCells) {
                    problems.append(finding(i, line: line, id: "", field: "extra_cells", value: cells.extraCells, p))
                }
                var code: MunicipalityCode?
                switch Values.municipality(cells[.municipalityCode], known: nil) {
                case .failure(let p): problem(.municipalityCode, p)
                case .success(let c):
                    code = c
                    if !c.belongs(to: self.c.prefectureCode) {
                        problem(
                            .municipalityCode,
                            CellProblem(
                                .wrongPrefecture,
                                "市区町村コード \(c) belongs to prefecture \(c.prefectureDigits), not \(self.c.prefectureCode)"
                            ))
                    }
                    if let other = seen[c] {
                        problem(
                            .municipalityCode,
                            CellProblem(
                                .duplicate,
                                "市区町村コード \(c) appears again (first on line \(other)); each municipality must be listed once"
                            ))
                    }
                    seen[c] = line
                }
                let name = Normalize.value(cells[.municipalityName])
                if name.isEmpty { problem(.municipalityName, CellProblem(.required, "市区町村名 is empty")) }
                var populations: [MasterField: Double] = [:]
                for field in [MasterField.population, .population65Plus, .population75Plus] {
                    switch Values.count(Array(cells[field].utf8)[...], label: field.japaneseHeader) {
                    case .success(let v?) where v > 0: populations[field] = v
                    case .success(_?):
                        problem(field, CellProblem(.notPositive, "\(field.japaneseHeader) must be more than 0"))
                    case .success(nil):
                        problem(
                            field,
                            CellProblem(
                                .required, "\(field.japaneseHeader) is missing; populations are required in the master")
                        )
                    case .failure(let p): problem(field, p)
                    }
                }
                if let all = populations[.population], let p65 = populations[.population65Plus],
                    let p75 = populations[.population75Plus], p65 > all || p75 > p65
                {
                    let which =
                        p65 > all
                        ? "65歳以上人口 \(formatNumber(p65)) > 人口 \(formatNumber(all))"
                        : "75歳以上人口 \(formatNumber(p75)) > 65歳以上人口 \(formatNumber(p65))"
                    problem(
                        p65 > all ? .population65Plus : .population75Plus, CellProblem(.populationInconsistent, which))
                }
                let email = Normalize.value(cells[.contactEmail])
                if !MailAddress.isPlausible(email) {
                    let p =
                        email.isEmpty
                        ? CellProblem(.required, "担当者メール is empty; the packet's mail draft needs one address")
                        : CellProblem(
                            .invalidEmail,
                            "担当者メール \"\(StandardStreams.logSafe(email))\" is not one mail address (user@example.lg.jp)")
                    problem(.contactEmail, p)
                }
                var area: Double?
                switch Values.decimal(Array(cells[.areaKm2].utf8)[...], label: "面積") {
                case .success(let v?) where v > 0: area = v
                case .failure(let p): problem(.areaKm2, p)
                default: problem(.areaKm2, CellProblem(.notPositive, "面積 must be a positive number of km²"))
                }
                let regionCode = Normalize.value(cells[.regionCode])
                let regionName = Normalize.value(cells[.regionName])
                if let code, let area, let population = populations[.population],
                    let aged65 = populations[.population65Plus], let aged75 = populations[.population75Plus],
                    !name.isEmpty, MailAddress.isPlausible(email)
                {
                    regionCells.append((i, line, regionCode, regionName, rows.count))
                    rows.append(
                        MasterEntry(
                            code: code, name: name, population: population, aged65: aged65, aged75: aged75, area: area,
                            email: email, department: Normalize.value(cells[.department]),
                            classification: Normalize.value(cells[.classification])))
                }
            }
            sources[i].accepted = copy.count - setAside
            sources[i].rejected += setAside
        }
        problems += assignRegions(regionCells, to: &rows)
        try Cleaner.refuse(problems, "the municipality master")
        guard !rows.isEmpty else { throw StageFailure(.data, "clean: the municipality master has no rows") }
        rows.sort { $0.code < $1.code }
        masterCodes = Set(rows.map(\.code))
        try RunFiles.master.write(rows, in: ctx.layout)
    }

    /// Gives each master row its 圏域 and returns the problems: when any row names a 圏域, every
    /// row must name one (code and name), with a well-formed code and one name per code.
    private func assignRegions(
        _ cells: [(file: Int, line: Int, code: String, name: String, row: Int?)], to rows: inout [MasterEntry]
    ) -> [Finding] {
        guard cells.contains(where: { !$0.code.isEmpty || !$0.name.isEmpty }) else { return [] }
        var problems: [Finding] = []
        var names: [RegionCode: (name: String, line: Int)] = [:]
        for c in cells {
            func problem(_ field: MasterField, _ value: String, _ rule: Rule, _ message: String) {
                problems.append(
                    finding(
                        c.file, line: c.line, id: "", field: field.rawValue, value: value, CellProblem(rule, message)))
            }
            guard !c.code.isEmpty, !c.name.isEmpty else {
                let missing = c.code.isEmpty ? MasterField.regionCode : .regionName
                problem(
                    missing, "", .regionInconsistent,
                    "\(missing.japaneseHeader) is empty; when the master names 圏域, every municipality needs a 圏域コード and a 圏域名"
                )
                continue
            }
            guard let code = RegionCode(c.code) else {
                problem(
                    .regionCode, c.code, .regionInconsistent,
                    "圏域コード \"\(StandardStreams.logSafe(c.code))\" is not \(RegionCode.expected)")
                continue
            }
            if let first = names[code], first.name != c.name {
                problem(
                    .regionName, c.name, .regionInconsistent,
                    "圏域コード \(code) is named \"\(first.name)\" on line \(first.line) and \"\(c.name)\" here; one 圏域 has one name"
                )
                continue
            }
            names[code] = names[code] ?? (c.name, c.line)
            if let row = c.row {
                rows[row].regionCode = code
                rows[row].regionName = c.name
            }
        }
        return problems
    }
}
