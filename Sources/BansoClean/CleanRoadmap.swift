import BansoCore

extension Cleaner {
    /// Cleans the context figures (地域の指標): a municipality of the master (or the prefecture
    /// itself), an id, a name, a number or a missing marker, and a source for every figure.
    ///
    /// The same figure given twice (municipality, id, year) keeps the row read last.
    mutating func cleanContext() throws {
        let files = indices(of: .context)
        guard !files.isEmpty else { return }
        var candidates: [(figure: ContextFigure, source: Int, line: Int)] = []
        let known = masterCodes.union([c.prefectureMunicipalityCode])
        for i in files {
            for cells in try IngestCopy<ContextField>.read(path: try copyPath(i)) {
                let line = cells.line
                var found: [Finding] = []
                func problem(_ field: ContextField, _ p: CellProblem) {
                    found.append(finding(i, line: line, id: "", field: field.rawValue, value: cells[field], p))
                }
                let muni = municipalityRow(i, cells, code: .municipalityCode, known: known, into: &found)
                let id = Normalize.value(cells[.indicatorID])
                if let p = Self.identifier(id, label: "指標ID") { problem(.indicatorID, p) }
                let label = Normalize.value(cells[.label])
                if label.isEmpty { problem(.label, CellProblem(.required, "指標名 is required")) }
                let source = Normalize.value(cells[.source])
                if source.isEmpty {
                    problem(.source, CellProblem(.required, "出典 is required: every figure is printed with its source"))
                }
                var value: Double?
                // A missing marker is a missing figure (shown as such), never 0; a word is an error.
                switch Values.number(Array(cells[.value].utf8)[...]) {
                case .value(let v): value = v
                case .missing: value = nil
                case .invalid(let text): problem(.value, CellProblem(.notANumber, "値 \"\(text)\": not a number"))
                }
                if found.isEmpty, let muni {
                    let figure = ContextFigure(
                        municipality: muni, id: id, label: label, unit: Normalize.value(cells[.unit]), value: value,
                        year: Normalize.value(cells[.year]), source: source)
                    candidates.append((figure, i, line))
                } else {
                    rejects += found
                    sources[i].rejected += 1
                    countQuality(muni, kind: .context, rules: Set(found.map(\.rule)))
                }
            }
        }
        candidates = unifyUnits(candidates)
        struct Key: Hashable {
            let municipality: MunicipalityCode, id: String, year: String
        }
        // The same figure twice — the same period however it is written (令和6年度, 2024年度, R6) —
        // the row read last is kept.
        func key(_ f: ContextFigure) -> Key {
            let period = ContextFigures.yearKey(f.year)
            return Key(municipality: f.municipality, id: f.id, year: period == 0 ? f.year : String(period))
        }
        let winner = latestIndex(in: candidates, key: { key($0.figure) }, date: { _ in 0 })
        var rows: [ContextFigure] = []
        for (n, c) in candidates.enumerated() {
            let w = winner[key(c.figure)]!
            if w == n {
                rows.append(c.figure)
                sources[c.source].accepted += 1
            } else {
                let kept = candidates[w]
                rejects.append(
                    finding(
                        c.source, line: c.line, id: "", field: ContextField.indicatorID.rawValue, value: c.figure.id,
                        CellProblem(
                            .duplicate,
                            "\(c.figure.municipality) \(c.figure.id) \(c.figure.year.isEmpty ? "" : "(\(c.figure.year)) ")"
                                + "is given again at \(sources[kept.source].report.path):\(kept.line); that row is kept"
                        )))
                sources[c.source].rejected += 1
            }
        }
        rows.sort { ($0.municipality, $0.id, $0.year) < ($1.municipality, $1.id, $1.year) }
        try RunFiles.context.write(rows, in: ctx.layout)
        contextIDs = Set(rows.map(\.id))
    }

    /// Cleans the prefecture's 構築ロードマップ item list.
    ///
    /// Like the master, any problem fails the stage: a dropped item or an unreadable threshold
    /// would silently change the stage every municipality reaches.
    mutating func cleanRoadmapItems() throws {
        let files = indices(of: .roadmap)
        guard !files.isEmpty else { return }
        var items: [RoadmapItem] = []
        var problems: [Finding] = []
        var seen: [String: Int] = [:]
        for i in files {
            let copy = try IngestCopy<RoadmapField>.read(path: try copyPath(i))
            for cells in copy {
                let line = cells.line
                func problem(_ field: RoadmapField, _ p: CellProblem) {
                    problems.append(finding(i, line: line, id: "", field: field.rawValue, value: cells[field], p))
                }
                if let p = Cleaner.extraCells(cells.extraCells) {
                    problems.append(finding(i, line: line, id: "", field: "extra_cells", value: cells.extraCells, p))
                }
                let id = Normalize.value(cells[.itemID])
                if let p = Self.identifier(id, label: "項目ID") {
                    problem(.itemID, p)
                } else if let first = seen[id] {
                    problem(
                        .itemID,
                        CellProblem(.duplicate, "項目ID \(id) appears again (first on line \(first)); ids are unique"))
                } else {
                    seen[id] = line
                }
                let area = Normalize.value(cells[.area])
                if area.isEmpty { problem(.area, CellProblem(.required, "領域 is required (介護人材, 介護予防 …)")) }
                let stageText = Normalize.value(cells[.stage])
                let stage = ManagementStage(text: stageText)
                if stage == nil {
                    problem(
                        .stage,
                        stageText.isEmpty
                            ? CellProblem(.required, "段階 is required (1, 2 or 3)")
                            : CellProblem(.invalidCategory, "段階 \"\(stageText)\": expected 1, 2 or 3 (or 第1段階 …)"))
                }
                let label = Normalize.value(cells[.label])
                if label.isEmpty { problem(.label, CellProblem(.required, "項目 (the wording shown) is required")) }
                let kindText = Normalize.value(cells[.kind])
                let kind = RoadmapKind(rawValue: kindText)
                if kind == nil {
                    problem(
                        .kind,
                        kindText.isEmpty
                            ? CellProblem(.required, "種別 is required (主観, 客観 or 見守り)")
                            : CellProblem(.invalidCategory, "種別 \"\(kindText)\": expected 主観, 客観 or 見守り"))
                }
                let indicator = Normalize.value(cells[.indicator])
                let thresholdText = Normalize.value(cells[.threshold])
                var threshold: RoadmapThreshold?
                if kind == .objective || kind == .watch {
                    if indicator.isEmpty {
                        problem(.indicator, CellProblem(.required, "指標 is required for a \(kindText) item"))
                    } else if Indicator(rawValue: indicator) == nil && !contextIDs.contains(indicator) {
                        problem(
                            .indicator,
                            CellProblem(
                                .unknownIndicator,
                                "指標 \"\(indicator)\" is neither an indicator (docs/indicators.md) nor an id of the "
                                    + "context figures (\(contextIDs.isEmpty ? "none given" : contextIDs.sorted().joined(separator: ", ")))"
                            ))
                    }
                }
                if kind == .watch && !thresholdText.isEmpty {
                    problem(
                        .threshold,
                        CellProblem(
                            .invalidCategory,
                            "a 見守り item follows residents' own activities and takes no 基準 (no target): "
                                + "clear 基準, or write 客観 in 種別"))
                }
                if kind == .objective {
                    threshold = RoadmapThreshold(text: thresholdText)
                    if threshold == nil {
                        problem(
                            .threshold,
                            thresholdText.isEmpty
                                ? CellProblem(.required, "基準 is required for a 客観 item (>= 50, > 0, <= 15 …)")
                                : CellProblem(
                                    .invalidThreshold,
                                    "基準 \"\(thresholdText)\": expected >=, >, <=, < or = and a number "
                                        + "(>= 50, 50以上, ≧ 50, 15以下, ≦ 15, 5未満, 20超)"))
                    }
                } else if kind == .subjective && !(indicator.isEmpty && thresholdText.isEmpty) {
                    problem(
                        indicator.isEmpty ? .threshold : .indicator,
                        CellProblem(
                            .invalidCategory,
                            "a 主観 item is self-assessed and takes no 指標 or 基準: write 客観 in 種別, or clear them"))
                }
                if let stage, let kind, !area.isEmpty, !label.isEmpty {
                    items.append(
                        RoadmapItem(
                            id: id, area: area, stage: stage, label: label, kind: kind,
                            measure: kind == .subjective ? nil : RoadmapMeasure(indicator), threshold: threshold))
                }
            }
            sources[i].accepted = copy.count
        }
        try Cleaner.refuse(problems, "the roadmap item list")
        guard !items.isEmpty else { throw StageFailure(.data, "clean: the roadmap item list has no items") }
        try RunFiles.roadmapItems.write(items, in: ctx.layout)
        roadmapItems = Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0) })
    }

    /// One unit per context indicator: the unit most of its rows use.
    ///
    /// A figure in another unit of
    /// the same quantity (割合 beside %, ‰, 千円 beside 円) is converted with a warning; one in an
    /// unrelated unit is refused, since 0.231 beside percentages would "achieve" a 「20%以下」 item.
    mutating func unifyUnits(_ candidates: [(figure: ContextFigure, source: Int, line: Int)])
        -> [(figure: ContextFigure, source: Int, line: Int)]
    {
        var counts: [String: [String: Int]] = [:]
        for c in candidates { counts[c.figure.id, default: [:]][c.figure.unit, default: 0] += 1 }
        var out: [(figure: ContextFigure, source: Int, line: Int)] = []
        for var c in candidates {
            let units = counts[c.figure.id]!
            // The most common unit; on a tie the first in text order, so the choice is stable.
            let main = units.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.first!.key
            let unit = c.figure.unit
            if unit == main {
                out.append(c)
                continue
            }
            if let factor = ContextUnits.factor(from: unit, to: main) {
                let old = c.figure.value
                c.figure.value = old.map { $0 * factor }
                c.figure.unit = main
                warnings.append(
                    finding(
                        c.source, line: c.line, id: "", field: ContextField.unit.rawValue, value: unit,
                        CellProblem(
                            .unitConverted,
                            "\(c.figure.id): \(formatNumber(old)) \(unit) read as \(formatNumber(c.figure.value)) \(main), "
                                + "the unit of its other rows")))
                sources[c.source].withWarnings += 1
                out.append(c)
            } else {
                rejects.append(
                    finding(
                        c.source, line: c.line, id: "", field: ContextField.unit.rawValue, value: unit,
                        CellProblem(
                            .unitMismatch,
                            "\(c.figure.id) in \"\(unit)\" while its other rows are in \"\(main)\"; write it in \(main)"
                        )))
                sources[c.source].rejected += 1
                countQuality(c.figure.municipality, kind: .context, rules: [.unitMismatch])
            }
        }
        return out
    }

    /// Cleans the self-assessments: a known municipality, a 主観 item of the roadmap, a score and a
    /// date; the latest answer per municipality and item wins (on a tie, the row read last).
    mutating func cleanSelfAssessments() throws {
        let files = indices(of: .selfAssessment)
        guard !files.isEmpty else { return }
        var candidates: [SelfAssessment] = []
        var sourceOf: [Int] = []
        for i in files {
            for cells in try IngestCopy<SelfAssessmentField>.read(path: try copyPath(i)) {
                let line = cells.line
                var found: [Finding] = []
                func problem(_ field: SelfAssessmentField, _ p: CellProblem) {
                    found.append(finding(i, line: line, id: "", field: field.rawValue, value: cells[field], p))
                }
                let muni = municipalityRow(i, cells, code: .municipalityCode, known: masterCodes, into: &found)
                let item = Normalize.value(cells[.itemID])
                if item.isEmpty {
                    problem(.itemID, CellProblem(.required, "項目ID is required"))
                } else if let known = roadmapItems[item] {
                    if known.kind == .objective {
                        problem(
                            .itemID,
                            CellProblem(
                                .objectiveItemAnswered,
                                "項目ID \(item) is a 客観 item, judged from \(known.measure?.description ?? "a figure"); it takes no self-assessment"
                            ))
                    }
                } else {
                    problem(.itemID, CellProblem(.unknownItem, "項目ID \"\(item)\" is not an item of the roadmap"))
                }
                var score: Int?
                // 対象外: the item does not apply to this municipality (it leaves its stage judgement).
                let notApplicable = Normalize.value(cells[.score]) == SelfAssessment.notApplicable
                if !notApplicable {
                    switch Values.category(Array(cells[.score].utf8)[...], Categories.selfAssessment, label: "評価") {
                    case .success(let code?): score = Int(code)
                    case .success(nil):
                        problem(
                            .score,
                            CellProblem(
                                .required,
                                "評価 is empty: leave the row out, and the item counts as not answered (or write 対象外)"))
                    case .failure(let p): problem(.score, p)
                    }
                }
                var date: Day?
                let rawDate = cells[.responseDate]
                if Normalize.value(rawDate).isEmpty {
                    problem(.responseDate, CellProblem(.required, "回答日 is required: the latest answer wins"))
                } else {
                    switch Values.date(rawDate, label: "回答日") {
                    case .success(let d) where !c.answersWindow.contains(d):
                        problem(
                            .responseDate,
                            CellProblem(
                                .answerOutsideWave,
                                "回答日 \(d) is outside the answers of wave \(c.wave) (\(c.answersWindow.lowerBound) to "
                                    + "\(c.answersWindow.upperBound)): not counted for this wave ([roadmap] answers_from, answers_to)"
                            ))
                    case .success(let d): date = d
                    case .failure(let p): problem(.responseDate, p)
                    }
                }
                if found.isEmpty, let muni, score != nil || notApplicable, let date {
                    candidates.append(
                        SelfAssessment(
                            municipality: muni, item: item, score: score, date: date,
                            comment: Normalize.value(cells[.comment]), sourceFile: sources[i].report.path,
                            sourceLine: line))
                    sourceOf.append(i)
                } else {
                    rejects += found
                    sources[i].rejected += 1
                    countQuality(muni, kind: .selfAssessment, rules: Set(found.map(\.rule)))
                }
            }
        }
        struct Key: Hashable {
            let municipality: MunicipalityCode, item: String
        }
        let winner = latestIndex(
            in: candidates, key: { Key(municipality: $0.municipality, item: $0.item) }, date: \.date)
        var rows: [SelfAssessment] = []
        for (n, a) in candidates.enumerated() {
            let w = winner[Key(municipality: a.municipality, item: a.item)]!
            if w == n {
                rows.append(a)
                sources[sourceOf[n]].accepted += 1
            } else {
                let kept = candidates[w]
                rejects.append(
                    finding(
                        sourceOf[n], line: a.sourceLine, id: "", field: SelfAssessmentField.itemID.rawValue,
                        value: a.item,
                        CellProblem(
                            .duplicate,
                            "\(a.municipality) answered \(a.item) more than once; kept the answer at "
                                + "\(kept.sourceFile):\(kept.sourceLine) (回答日 \(kept.date)), this one has 回答日 \(a.date)"
                        )
                    ))
                sources[sourceOf[n]].rejected += 1
                countQuality(a.municipality, kind: .selfAssessment, rules: [.duplicate])
            }
        }
        rows.sort { ($0.municipality, $0.item) < ($1.municipality, $1.item) }
        try RunFiles.selfAssessments.write(rows, in: ctx.layout)
    }

    /// Cleans the prefecture's record of support given.
    ///
    /// Each row needs a known municipality, an area of the roadmap, a stage, the support (an
    /// offer's id or words) and its date. The same support to the same municipality, area and
    /// stage on the same day twice is a copy: the second is rejected as a duplicate, naming the
    /// first.
    mutating func cleanSupport() throws {
        let files = indices(of: .support)
        guard !files.isEmpty else { return }
        let areas = Set(roadmapItems.values.map(\.area))
        struct Key: Hashable {
            let municipality: MunicipalityCode, area: String, stage: ManagementStage, support: String, date: Day
        }
        var seen: [Key: SupportRecord] = [:]
        var rows: [SupportRecord] = []
        for i in files {
            for cells in try IngestCopy<SupportLogField>.read(path: try copyPath(i)) {
                let line = cells.line
                var found: [Finding] = []
                func problem(_ field: SupportLogField, _ p: CellProblem) {
                    found.append(finding(i, line: line, id: "", field: field.rawValue, value: cells[field], p))
                }
                let muni = municipalityRow(i, cells, code: .municipalityCode, known: masterCodes, into: &found)
                let area = Normalize.value(cells[.area])
                if area.isEmpty {
                    problem(.area, CellProblem(.required, "領域 is required"))
                } else if let p = Self.areaProblem(area, areas: areas) {
                    problem(.area, p)
                }
                let stageText = Normalize.value(cells[.stage])
                let stage = ManagementStage(text: stageText)
                if stageText.isEmpty {
                    problem(.stage, CellProblem(.required, "段階 is required"))
                } else if stage == nil {
                    problem(.stage, CellProblem(.invalidCategory, "段階 \"\(stageText)\" is not 1, 2 or 3"))
                }
                let support = Normalize.value(cells[.support])
                if support.isEmpty {
                    problem(
                        .support,
                        CellProblem(.required, "支援ID is required: an id of [roadmap.support] or the support in words"))
                }
                var date: Day?
                if Normalize.value(cells[.date]).isEmpty {
                    problem(.date, CellProblem(.required, "実施日 is required"))
                } else {
                    switch Values.date(cells[.date], label: "実施日") {
                    case .success(let d): date = d
                    case .failure(let p): problem(.date, p)
                    }
                }
                guard found.isEmpty, let muni, let stage, let date else {
                    rejects += found
                    sources[i].rejected += 1
                    countQuality(muni, kind: .support, rules: Set(found.map(\.rule)))
                    continue
                }
                let record = SupportRecord(
                    municipality: muni, area: area, stage: stage, support: support, date: date,
                    note: Normalize.value(cells[.note]), sourceFile: sources[i].report.path, sourceLine: line)
                let key = Key(municipality: muni, area: area, stage: stage, support: support, date: date)
                if let first = seen[key] {
                    rejects.append(
                        finding(
                            i, line: line, id: "", field: SupportLogField.support.rawValue, value: support,
                            CellProblem(
                                .duplicate,
                                "the same support to \(muni) on \(date) is recorded at \(first.sourceFile):\(first.sourceLine)"
                            )))
                    sources[i].rejected += 1
                    countQuality(muni, kind: .support, rules: [.duplicate])
                    continue
                }
                seen[key] = record
                rows.append(record)
                sources[i].accepted += 1
            }
        }
        rows.sort { ($0.municipality, $0.area, $0.date, $0.support) < ($1.municipality, $1.area, $1.date, $1.support) }
        try RunFiles.support.write(rows, in: ctx.layout)
    }

    /// Cleans the prefecture's own comments: a known municipality, an area of the roadmap or 全体,
    /// and words.
    mutating func cleanPrefectureComments() throws {
        let files = indices(of: .prefectureComments)
        guard !files.isEmpty else { return }
        let areas = Set(roadmapItems.values.map(\.area))
        var rows: [PrefectureComment] = []
        for i in files {
            for cells in try IngestCopy<PrefectureCommentField>.read(path: try copyPath(i)) {
                var found: [Finding] = []
                func problem(_ field: PrefectureCommentField, _ p: CellProblem) {
                    found.append(finding(i, line: cells.line, id: "", field: field.rawValue, value: cells[field], p))
                }
                let muni = municipalityRow(i, cells, code: .municipalityCode, known: masterCodes, into: &found)
                var area = Normalize.value(cells[.area])
                if area.isEmpty { area = PrefectureComment.whole }
                if let p = Self.areaProblem(area, areas: areas, whole: PrefectureComment.whole) {
                    problem(.area, p)
                }
                let comment = Normalize.value(cells[.comment])
                if comment.isEmpty { problem(.comment, CellProblem(.required, "コメント is empty")) }
                guard found.isEmpty, let muni else {
                    rejects += found
                    sources[i].rejected += 1
                    countQuality(muni, kind: .prefectureComments, rules: Set(found.map(\.rule)))
                    continue
                }
                rows.append(
                    PrefectureComment(
                        municipality: muni, area: area, comment: comment, sourceFile: sources[i].report.path,
                        sourceLine: cells.line))
                sources[i].accepted += 1
            }
        }
        // In file order within a municipality: the prefecture wrote them in the order it wants them read.
        let ordered = rows.enumerated().sorted {
            ($0.element.municipality, $0.offset) < ($1.element.municipality, $1.offset)
        }
        try RunFiles.prefectureComments.write(ordered.map(\.element), in: ctx.layout)
    }

    /// Cleans the municipalities' own items: a known municipality, an id unique within it, an area
    /// of the roadmap, a label, and optionally a stage (1–3) and an answer (1–4).
    mutating func cleanOwnItems() throws {
        let files = indices(of: .ownItems)
        guard !files.isEmpty else { return }
        let areas = Set(roadmapItems.values.map(\.area))
        var rows: [OwnItem] = []
        var seen: [String: Int] = [:]
        for i in files {
            for cells in try IngestCopy<OwnItemField>.read(path: try copyPath(i)) {
                var found: [Finding] = []
                func problem(_ field: OwnItemField, _ p: CellProblem) {
                    found.append(finding(i, line: cells.line, id: "", field: field.rawValue, value: cells[field], p))
                }
                let muni = municipalityRow(i, cells, code: .municipalityCode, known: masterCodes, into: &found)
                let item = Normalize.value(cells[.itemID])
                if item.isEmpty {
                    problem(
                        .itemID, CellProblem(.required, "項目ID is empty; give the item an id of its own (OWN-1, say)"))
                } else if let muni, let first = seen["\(muni.text):\(item)"] {
                    problem(
                        .itemID,
                        CellProblem(.duplicate, "項目ID \(item) appears again for \(muni) (first on line \(first))"))
                }
                let area = Normalize.value(cells[.area])
                if let p = Self.areaProblem(area, areas: areas) { problem(.area, p) }
                let label = Normalize.value(cells[.label])
                if label.isEmpty { problem(.label, CellProblem(.required, "項目 is empty")) }
                let stageText = Normalize.value(cells[.stage])
                let stage = ManagementStage(rawValue: Int(stageText) ?? 0)?.rawValue
                if !stageText.isEmpty && stage == nil {
                    problem(.stage, CellProblem(.invalidCategory, "段階 \"\(stageText)\" is not 1, 2 or 3 (or empty)"))
                }
                var score: Int?
                switch Values.category(Array(cells[.score].utf8)[...], Categories.selfAssessment, label: "評価") {
                case .success(let s): score = s.flatMap { Int($0) }
                case .failure(let p): problem(.score, p)
                }
                guard found.isEmpty, let muni else {
                    rejects += found
                    sources[i].rejected += 1
                    countQuality(muni, kind: .ownItems, rules: Set(found.map(\.rule)))
                    continue
                }
                seen["\(muni.text):\(item)"] = cells.line
                rows.append(
                    OwnItem(
                        municipality: muni, item: item, area: area, stage: stage, label: label, score: score,
                        comment: Normalize.value(cells[.comment]), sourceFile: sources[i].report.path,
                        sourceLine: cells.line))
                sources[i].accepted += 1
            }
        }
        // In file order within a municipality: the order it wrote them in.
        let ordered = rows.enumerated().sorted {
            ($0.element.municipality, $0.offset) < ($1.element.municipality, $1.offset)
        }
        try RunFiles.ownItems.write(ordered.map(\.element), in: ctx.layout)
    }

    /// The problem of a 領域 that is not an area of the roadmap's item list (`unknown_area`), nor
    /// `whole` where a word for everything is allowed; nil when it is fine.
    static func areaProblem(_ area: String, areas: Set<String>, whole: String? = nil) -> CellProblem? {
        guard area != whole, !areas.contains(area) else { return nil }
        let allowed = (whole.map { [$0] } ?? []) + areas.sorted()
        return CellProblem(
            .unknownArea,
            "領域 \"\(area)\" is \(whole.map { "neither \($0) nor" } ?? "not") an area of the roadmap "
                + "(\(allowed.joined(separator: "、")))")
    }

    /// The problem of an id that is not `[A-Za-z0-9_-]+` (nil when it is).
    static func identifier(_ id: String, label: String) -> CellProblem? {
        if id.isEmpty { return CellProblem(.required, "\(label) is required") }
        if RoadmapIdentifier.isValid(id) { return nil }
        return CellProblem(.invalidID, "\(label) \"\(id)\": use letters, digits, _ and - only")
    }
}
