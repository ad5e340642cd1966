import BansoCore

/// The prefecture's internal overview of every municipality (published values only).
enum PrefectureSummary {
    static let columns = Indicator.summaryColumns

    /// Column labels short enough for one line of an A4 landscape table.
    static func shortLabel(_ i: Indicator) -> String { i.spec.short }

    struct WaveRow: Encodable {
        let wave: String
        let values: [String]
    }

    struct GroupLegend: Encodable {
        let number: Int
        let label: String
    }

    struct View: Encodable {
        struct Column: Encodable {
            let label: String
            let unit: String
        }
        struct Municipality: Encodable {
            let code: String
            let name: String
            let group: String
            let values: [String]
        }
        let css: String
        let prefectureName: String
        let prefectureCode: String
        let whole: String
        let municipalitiesWord: String
        let fiscalYear: String
        let columns: [Column]
        let municipalities: [Municipality]
        let groups: [GroupLegend]
        /// The prefecture's values over the waves (only with more than one wave).
        let waves: [WaveRow]
        let hasWaves: Bool
        let references: [WaveRow]
        let sources: String?
        let totals: [String]
        let noAnswers: Int
        let withSuppressed: Int
        /// Named, not only counted: these are the municipalities to reach out to first.
        let noAnswerNames: String?
        let allSuppressedNames: String?
        let contact: String
        let maps: [MapFigure]
        let hasMaps: Bool
        let mapCredit: String
        let missingShapes: String?
        let roadmap: RoadmapSummaryView?
        /// Rows of the prefecture's own inputs that were set aside (a 見える化 extract, the
        /// model-project list): the prefecture's to fix, so shown here, not in the packets.
        let inputProblems: [String]
        let hasInputProblems: Bool
        /// A few sentences to open the summary with (`Headlines`).
        let headlines: [String]
        let hasHeadlines: Bool
        /// The 圏域's values, and the prefecture's by service group (`wave` holds the row's name).
        let regions: [WaveRow]
        let hasRegions: Bool
        let serviceGroups: [WaveRow]
        let hasServiceGroups: Bool
    }

    struct MapFigure: Encodable {
        let label: String
        let unit: String
        let svg: String
    }

    /// The indicators mapped: the headline ones (the respondents column is a count, not a rate).
    static var mapped: [Indicator] { columns.filter { $0 != .respondents } }

    static func render(
        wording: PrefectureWording, wave: Wave, master: [MasterEntry], feedback: [MunicipalityCode: [FeedbackRow]],
        groups: [MunicipalityCode: PeerGroupRow], prefecture _: Int?, contact: PacketContact, trends: [TrendRow] = [],
        references: [ReferenceFigure] = [], templates: Templates = .standard, boundaries: Boundaries? = nil,
        mapCredit: String = "", roadmap: RoadmapFiles? = nil, roadmapSettings: RoadmapSettings = RoadmapSettings(),
        prefectureInputs: [QualityCount] = [], areas: [AreaIndicatorRow] = [], onWarning: (String) -> Void = { _ in }
    ) -> String {
        // Per input and rule: how many rows, of how many municipalities.
        var problems: [String: (rows: Int, municipalities: Set<MunicipalityCode>)] = [:]
        for q in prefectureInputs {
            let key = "\(q.kind.japaneseName)：\(q.rule.japanese)"
            problems[key, default: (0, [])].rows += q.rows
            problems[key, default: (0, [])].municipalities.insert(q.municipality)
        }
        let inputProblems = problems.keys.sorted().map {
            "\($0) \(problems[$0]!.rows)行（\(problems[$0]!.municipalities.count)\(wording.municipalities)）"
        }
        func cell(_ r: FeedbackRow?, _ c: Indicator) -> String {
            guard let r else { return "—" }
            if r.suppressed { return "秘匿" }
            // The direction of a change beyond sampling noise, beside the value.
            let arrow = r.changeBeyondNoise ? ((r.change ?? 0) > 0 ? " ▲" : " ▼") : ""
            // 参考値 in brackets, as official statistics print them.
            if r.reliability == .reference, r.value != nil { return "(" + HTML.display(r.value, spec: c) + ")" + arrow }
            return HTML.display(r.value, spec: c) + arrow
        }
        let byWave = Dictionary(grouping: trends, by: \.wave)
        let waveRows = byWave.keys.sorted().map { wave in
            WaveRow(
                wave: HTML.fiscalYear(wave),
                values: columns.map { c in
                    byWave[wave]!.first { $0.indicator == c }.map {
                        $0.suppressed ? "秘匿" : HTML.display($0.value, spec: c)
                    }
                        ?? "—"
                })
        }
        let labels = Array(Set(references.map(\.label))).sorted()
        let referenceRows = labels.map { label in
            WaveRow(
                wave: label,
                values: columns.map { c in
                    references.first { $0.label == label && $0.indicator == c }.map { HTML.display($0.value, spec: c) }
                        ?? "—"
                })
        }
        let anyRows = feedback.values.first ?? []
        // 圏域 and service groups, in the order aggregate wrote them (code order, the groups' order).
        func areaCell(_ a: AreaIndicatorRow?, _ c: Indicator) -> String {
            guard let a else { return "—" }
            if a.suppressed { return "秘匿" }
            let v = HTML.display(a.estimate.value, spec: c)
            return a.estimate.reliability == .reference && a.estimate.value != nil ? "(" + v + ")" : v
        }
        func table(_ rows: [AreaIndicatorRow], name: (AreaIndicatorRow) -> String) -> [WaveRow] {
            var order: [String] = []
            var byName: [String: [Indicator: AreaIndicatorRow]] = [:]
            for a in rows {
                let n = name(a)
                if byName[n] == nil { order.append(n) }
                byName[n, default: [:]][a.indicator] = a
            }
            return order.map { n in WaveRow(wave: n, values: columns.map { areaCell(byName[n]![$0], $0) }) }
        }
        let regionRows = table(areas.filter { $0.serviceGroup == nil && $0.region != nil }) { "\($0.name)圏域" }
        let serviceRows = table(
            areas.filter { $0.serviceGroup != nil && $0.region == nil && $0.estimate.n > 0 }
        ) { $0.serviceGroup ?? "" }
        var maps: [MapFigure] = []
        var missing: [String] = []
        if let boundaries {
            let shapes = Maps.paths(boundaries, width: Maps.summaryWidth)
            maps = mapped.map { c in
                let values = Dictionary(
                    uniqueKeysWithValues: master.map { m in
                        let r = feedback[m.code]?.first { $0.indicator == c }
                        return (m.code, r?.suppressed == false ? r?.value : nil)
                    })
                return MapFigure(
                    label: shortLabel(c), unit: c.unit,
                    svg: Maps.choropleth(shapes, values: values, spec: c, width: Maps.summaryWidth))
            }
            missing = boundaries.missing(in: master).map(\.name)
        }
        let headlines = Headlines.messages(
            wording: wording, trends: trends, feedback: feedback, master: master, overview: roadmap?.overview ?? [])
        let respondents = { (m: MasterEntry) in feedback[m.code]?.first { $0.indicator == .respondents }?.value ?? 0 }
        let silent = master.filter { respondents($0) == 0 }
        // Answered, but not one rate or mean could be published: nothing of their own to read.
        let allSuppressed = master.filter { m in
            respondents(m) > 0
                && (feedback[m.code] ?? []).allSatisfy { $0.indicator.form.isCount || $0.suppressed || $0.value == nil }
        }
        let view = View(
            css: templates.css, prefectureName: wording.name,
            prefectureCode: master.first.flatMap {
                MunicipalityCode.completing(fiveDigits: String($0.code.prefectureDigits) + "000")
            }?.text ?? "",
            whole: wording.whole, municipalitiesWord: wording.municipalities, fiscalYear: HTML.fiscalYear(wave),
            columns: columns.map { View.Column(label: shortLabel($0), unit: $0.unit) },
            municipalities: master.map { m in
                let rows = feedback[m.code] ?? []
                return View.Municipality(
                    code: m.code.text, name: m.name, group: groups[m.code].map { String($0.group) } ?? "",
                    values: columns.map { c in cell(rows.first { $0.indicator == c }, c) })
            },
            groups: Dictionary(groups.values.map { ($0.group, $0.label) }, uniquingKeysWith: { a, _ in a })
                .sorted { $0.key < $1.key }.map { GroupLegend(number: $0.key, label: $0.value) },
            waves: waveRows, hasWaves: waveRows.count > 1, references: referenceRows,
            sources: references.isEmpty
                ? nil
                : references.map { "\($0.label)の\($0.indicator.japanese)：\($0.source)（\($0.year)）" }.joined(
                    separator: "　"),
            totals: columns.map { c in HTML.display(anyRows.first { $0.indicator == c }?.prefectureValue, spec: c) },
            noAnswers: silent.count,
            withSuppressed: master.filter { m in feedback[m.code]?.contains(where: \.suppressed) ?? false }.count,
            noAnswerNames: silent.isEmpty ? nil : silent.map(\.name).joined(separator: "、"),
            allSuppressedNames: allSuppressed.isEmpty ? nil : allSuppressed.map(\.name).joined(separator: "、"),
            contact: contact.line(wording),
            maps: maps, hasMaps: !maps.isEmpty, mapCredit: mapCredit,
            missingShapes: missing.isEmpty ? nil : missing.joined(separator: "、"),
            roadmap: roadmap.flatMap {
                $0.overview.isEmpty ? nil : RoadmapSummaryView(files: $0, master: master, settings: roadmapSettings)
            }, inputProblems: inputProblems, hasInputProblems: !inputProblems.isEmpty,
            headlines: headlines, hasHeadlines: !headlines.isEmpty,
            regions: regionRows, hasRegions: !regionRows.isEmpty, serviceGroups: serviceRows,
            hasServiceGroups: !serviceRows.isEmpty)
        for warning in templates.unknownNames("prefecture_summary", views: [view]) { onWarning(warning) }
        return templates.render(view, "prefecture_summary")
    }
}

/// The roadmap part of the prefecture's summary: progress per area and stage, targets, who has
/// not answered, and whom each stage's support would help (for planning; never mailed).
struct RoadmapSummaryView: Encodable {
    struct Row: Encodable {
        let area: String
        let stage: String
        let achieved: String
        let share: String
        let shareAnswered: String
        let target: String?
        let gap: String?
        let met: Bool
    }
    struct Plan: Encodable {
        let area: String
        let stage: String
        let count: Int
        let municipalities: String
        let support: [String]
        let hasSupport: Bool
    }
    /// A municipality's next stage in an area and who has already reached it (`roadmap/pairings.csv`).
    struct Pairing: Encodable {
        let area: String
        let municipality: String
        let stage: String
        let candidates: String
        /// The candidates' own model projects in the area (`ModelProject.area`), at most two.
        let projects: String
    }
    /// An area's model projects, listed once above the pairings (not repeated on every row).
    struct AreaProjects: Encodable {
        let area: String
        let projects: String
    }
    let areaProjects: [AreaProjects]
    let rows: [Row]
    let unanswered: String?
    let unansweredCount: Int
    let answeredCount: Int
    let plans: [Plan]
    let pairings: [Pairing]
    let hasPairings: Bool
    /// Per area, how the supported and the other municipalities moved since the last wave.
    struct Outcome: Encodable {
        let area: String
        let group: String
        let municipalities: Int
        let movedUp: Int
        let stayed: Int
        let movedDown: Int
    }
    /// One support given since the last wave, by area and stage.
    struct Received: Encodable {
        let area: String
        let stage: String
        let municipality: String
        let support: String
    }
    let outcomes: [Outcome]
    let received: [Received]
    let hasSupportLog: Bool

    init(files r: RoadmapFiles, master: [MasterEntry], settings: RoadmapSettings) {
        let names = Dictionary(uniqueKeysWithValues: master.map { ($0.code, $0.name) })
        outcomes = r.supportOutcomes.map {
            Outcome(
                area: $0.area, group: $0.supported ? "支援あり" : "支援なし", municipalities: $0.municipalities,
                movedUp: $0.movedUp, stayed: $0.stayed, movedDown: $0.movedDown)
        }
        // The areas in the item list's order, for every table of this view.
        let areas = RoadmapItem.areas(r.items)
        received = r.support.sorted {
            (areas.firstIndex(of: $0.area) ?? 0, $0.stage, $0.municipality, $0.date, $0.support) < (
                areas.firstIndex(of: $1.area) ?? 0, $1.stage, $1.municipality, $1.date, $1.support
            )
        }.map {
            Received(
                area: $0.area, stage: $0.stage.ordinal, municipality: names[$0.municipality] ?? $0.municipality.text,
                support: settings.received($0))
        }
        hasSupportLog = !outcomes.isEmpty
        struct PairingKey: Hashable {
            let area: String, municipality: MunicipalityCode
        }
        pairings = Dictionary(grouping: r.pairings) { PairingKey(area: $0.area, municipality: $0.municipality) }
            .values.sorted {
                (areas.firstIndex(of: $0[0].area) ?? 0, $0[0].municipality) < (
                    areas.firstIndex(of: $1[0].area) ?? 0, $1[0].municipality
                )
            }.map { rows in
                let theirs = r.projects.filter { p in
                    p.area == rows[0].area && rows.contains { $0.candidate == p.municipality }
                }
                return Pairing(
                    area: rows[0].area, municipality: rows[0].municipalityName,
                    stage: rows[0].nextStage.ordinal,
                    candidates: rows.map { "\($0.candidateName)（第\($0.candidateReached)段階まで）" }.joined(separator: "、"),
                    projects: theirs.prefix(2).map { project($0, withResult: false) }.joined(separator: "、"))
            }
        func project(_ p: ModelProject, withResult: Bool) -> String {
            "\(names[p.municipality] ?? p.municipality.text)「\(p.name)」"
                + (withResult && !p.outcome.isEmpty ? "（成果：\(p.outcome)）" : "")
        }
        let paired = Set(r.pairings.map(\.area))
        areaProjects = areas.filter(paired.contains).compactMap { area in
            let inArea = r.projects.filter { $0.area == area }
            return inArea.isEmpty
                ? nil
                : AreaProjects(
                    area: area, projects: inArea.map { project($0, withResult: true) }.joined(separator: "、"))
        }
        hasPairings = !pairings.isEmpty
        rows = r.overview.map { o in
            var gap: String?
            if let t = o.targetShare, let s = o.share {
                let needed = Int((t * Double(o.municipalities)).rounded(.up)) - o.achieved
                gap = needed > 0 ? "あと\(needed)団体（\(formatFixed((t - s) * 100, digits: 0))ポイント）" : "達成"
            }
            return Row(
                area: o.area, stage: o.stage.ordinal, achieved: "\(o.achieved) / \(o.municipalities)",
                share: KarteText.share(o.share), shareAnswered: KarteText.share(o.shareAnswered),
                target: o.targetShare.map { KarteText.target($0, by: o.targetBy) }, gap: gap,
                met: o.targetShare.map { (o.share ?? 0) >= $0 } ?? false)
        }
        let answered = Set(r.results.filter(\.answered).map(\.municipality))
        let missing = master.filter { !answered.contains($0.code) }.map(\.name)
        unanswered = missing.isEmpty ? nil : missing.joined(separator: "、")
        unansweredCount = missing.count
        answeredCount = answered.count
        // Per area, each municipality's first stage not achieved: whom that stage's support would help.
        var next: [String: [ManagementStage: [String]]] = [:]
        var seen: Set<String> = []
        for s in r.stages where !s.achieved {
            let key = s.municipality.text + " " + s.area
            guard seen.insert(key).inserted else { continue }
            next[s.area, default: [:]][s.stage, default: []].append(names[s.municipality] ?? s.municipality.text)
        }
        plans = areas.flatMap { area in
            ManagementStage.allCases.compactMap { stage -> Plan? in
                guard let who = next[area]?[stage], !who.isEmpty else { return nil }
                let support = settings.offers(area: area, stage: stage).map(\.japanese)
                return Plan(
                    area: area, stage: "\(stage.ordinal)「\(stage.japanese)」", count: who.count,
                    municipalities: who.joined(separator: "、"), support: support, hasSupport: !support.isEmpty)
            }
        }
    }
}
