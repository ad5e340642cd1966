import BansoCore

extension Cleaner {
    /// Cleans the model projects (モデル事業): a known municipality, a name and a theme each.
    mutating func cleanModelProjects() throws {
        var rows: [ModelProject] = []
        for i in indices(of: .modelProjects) {
            for cells in try IngestCopy<ModelProjectField>.read(path: try copyPath(i)) {
                let line = cells.line
                var found: [Finding] = []
                func problem(_ field: ModelProjectField, _ p: CellProblem) {
                    found.append(finding(i, line: line, id: "", field: field.rawValue, value: cells[field], p))
                }
                let muni = municipalityRow(i, cells, code: .municipalityCode, known: masterCodes, into: &found)
                let name = Normalize.value(cells[.projectName])
                let theme = Normalize.value(cells[.theme])
                if name.isEmpty { problem(.projectName, CellProblem(.required, "事業名 is required")) }
                if theme.isEmpty { problem(.theme, CellProblem(.required, "テーマ is required")) }
                // An outcome is its measure with both figures, or nothing.
                let measure = Normalize.value(cells[.outcomeIndicator])
                var figures: [ModelProjectField: Double] = [:]
                for field in [ModelProjectField.outcomeBefore, .outcomeAfter] {
                    switch Values.decimal(Array(cells[field].utf8)[...], label: field.japaneseHeader) {
                    case .success(let v?): figures[field] = v
                    case .success(nil):
                        if !measure.isEmpty {
                            problem(
                                field,
                                CellProblem(
                                    .required, "\(field.japaneseHeader) is empty; an outcome needs 実施前 and 実施後"))
                        }
                    case .failure(let p): problem(field, p)
                    }
                }
                if measure.isEmpty && !figures.isEmpty {
                    problem(
                        .outcomeIndicator,
                        CellProblem(.required, "成果指標 is empty; name what 実施前 and 実施後 measure (離職率（%）, say)"))
                }
                if found.isEmpty, let muni {
                    var project = ModelProject(
                        municipality: muni, name: name, theme: theme,
                        fiscalYear: Normalize.value(cells[.fiscalYear]), summary: Normalize.value(cells[.summary]))
                    project.area = ProjectTheme.area(theme: theme, declared: Normalize.value(cells[.area]))
                    project.outcomeIndicator = measure
                    project.outcomeBefore = figures[.outcomeBefore]
                    project.outcomeAfter = figures[.outcomeAfter]
                    project.outcomeYear = Normalize.value(cells[.outcomeYear])
                    rows.append(project)
                    sources[i].accepted += 1
                } else {
                    rejects += found
                    sources[i].rejected += 1
                }
            }
        }
        if !indices(of: .modelProjects).isEmpty {
            rows.sort { ($0.municipality, $0.theme, $0.name) < ($1.municipality, $1.theme, $1.name) }
            try RunFiles.modelProjects.write(rows, in: ctx.layout)
        }
    }
}
