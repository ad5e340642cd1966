import BansoCore

/// The rules of the roadmap contract, as pure functions of cleaned inputs (no files, no clock).
package enum RoadmapEvaluation {
    /// A stage's self-assessment counts as achieved from this mean score (3 = 実施中).
    package static let selfScoreToAchieve = 3.0

    /// The figure an objective item is judged on, for one municipality.
    package struct Figures: Sendable {
        /// Published (disclosure-controlled) values: cell → estimate; suppressed ones are absent.
        var published: [CellKey: Estimate] = [:]
        /// The latest year's context value: municipality → id → value (missing values are absent).
        var context: [MunicipalityCode: [String: Double]] = [:]

        package init(published: [IndicatorRow], context: [ContextFigure]) {
            for r in published where !r.suppressed && r.estimate.value != nil {
                self.published[CellKey(r.code, r.indicator)] = r.estimate
            }
            for f in ContextFigures.latest(context) {
                if let v = f.value { self.context[f.municipality, default: [:]][f.id] = v }
            }
        }

        /// The value an item names for a municipality; nil when suppressed, missing or not given.
        package func value(_ measure: RoadmapMeasure, for code: MunicipalityCode) -> Double? {
            switch measure {
            case .indicator(let i): published[CellKey(code, i)]?.value
            case .context(let id): context[code]?[id]
            }
        }

        /// The survey value's 95% interval (nil for a context figure, exact as published).
        package func interval(_ measure: RoadmapMeasure, for code: MunicipalityCode) -> ClosedRange<Double>? {
            guard case .indicator(let i) = measure, let e = published[CellKey(code, i)], let lo = e.ciLow,
                let hi = e.ciHigh, lo <= hi
            else { return nil }
            return lo...hi
        }

        /// How an item stands: on the whole interval for a survey value, 判定保留 for a 参考値,
        /// on the value for a context figure or a value without an interval.
        package func judge(_ measure: RoadmapMeasure, _ threshold: RoadmapThreshold, for code: MunicipalityCode)
            -> RoadmapJudgement
        {
            guard let v = value(measure, for: code) else { return .noValue }
            if case .indicator(let i) = measure, published[CellKey(code, i)]?.reliability == .reference {
                return .undecided
            }
            return threshold.judge(interval(measure, for: code) ?? v...v)
        }
    }

    /// Every item for every municipality (in code order, then the list's order).
    package static func items(
        _ items: [RoadmapItem], answers: [SelfAssessment], municipalities: [MunicipalityCode], figures: Figures
    ) -> [RoadmapItemResult] {
        struct Key: Hashable {
            let municipality: MunicipalityCode, item: String
        }
        // Clean keeps one answer per municipality and item; should two arrive, the latest wins here too.
        let answer = latestIndex(in: answers, key: { Key(municipality: $0.municipality, item: $0.item) }, date: \.date)
            .mapValues { answers[$0] }
        var out: [RoadmapItemResult] = []
        for code in municipalities.sorted() {
            for item in items {
                var r = RoadmapItemResult(
                    municipality: code, item: item.id, area: item.area, stage: item.stage, kind: item.kind)
                switch item.kind {
                case .subjective:
                    if let a = answer[Key(municipality: code, item: item.id)] {
                        r.score = a.score
                        r.notApplicable = a.score == nil
                        r.comment = a.comment
                    }
                case .objective, .watch:
                    // A 見守り item is shown with its figure, never judged.
                    guard let measure = item.measure, item.kind == .watch || item.threshold != nil else { break }
                    r.value = figures.value(measure, for: code)
                    let interval = figures.interval(measure, for: code)
                    (r.ciLow, r.ciHigh) = (interval?.lowerBound, interval?.upperBound)
                    if let threshold = item.threshold, item.kind == .objective {
                        r.judgement = figures.judge(measure, threshold, for: code)
                    }
                }
                out.append(r)
            }
        }
        return out
    }

    /// Each municipality's stages per area, with the stage reached (from `items`' results).
    package static func stages(_ results: [RoadmapItemResult], items: [RoadmapItem]) -> [RoadmapStageResult] {
        let areas = RoadmapItem.areas(items)
        struct Key: Hashable {
            let area: String, stage: ManagementStage
        }
        var stagesOfArea: [String: [ManagementStage]] = [:]
        for a in areas {
            // A stage with only 見守り items is not a stage to achieve.
            stagesOfArea[a] = ManagementStage.allCases.filter { s in
                items.contains { $0.area == a && $0.stage == s && $0.kind != .watch }
            }
        }
        var byMunicipality: [MunicipalityCode: [RoadmapItemResult]] = [:]
        for r in results { byMunicipality[r.municipality, default: []].append(r) }
        var out: [RoadmapStageResult] = []
        for code in byMunicipality.keys.sorted() {
            var cells: [Key: [RoadmapItemResult]] = [:]
            for r in byMunicipality[code]! { cells[Key(area: r.area, stage: r.stage), default: []].append(r) }
            for area in areas {
                var rows: [RoadmapStageResult] = []
                for stage in stagesOfArea[area]! {
                    let rs = cells[Key(area: area, stage: stage)] ?? []
                    // An item the municipality answered 対象外 leaves its judgement.
                    let subjective = rs.filter { $0.kind == .subjective && !$0.notApplicable }
                    let allNotApplicable = !rs.isEmpty && rs.allSatisfy { $0.notApplicable || $0.kind == .watch }
                    let scores = subjective.compactMap(\.score)
                    let objective = rs.filter { $0.kind == .objective }
                    let assessable = objective.filter { $0.achieved != nil }
                    let selfScore = scores.isEmpty ? nil : Double(scores.reduce(0, +)) / Double(scores.count)
                    // 未回答 is never assumed: a stage with 主観 items needs answers to be achieved.
                    let selfOK = subjective.isEmpty || (selfScore.map { $0 >= selfScoreToAchieve } ?? false)
                    let objectiveOK = assessable.allSatisfy { $0.achieved == true }
                    // A stage whose every item is 対象外 for the municipality does not hold it back.
                    let anything = !scores.isEmpty || !assessable.isEmpty || allNotApplicable
                    rows.append(
                        RoadmapStageResult(
                            municipality: code, area: area, stage: stage, selfScore: selfScore,
                            selfAnswered: scores.count, selfItems: subjective.count,
                            objectiveAchieved: assessable.filter { $0.achieved == true }.count,
                            objectiveItems: objective.count, objectiveAssessable: assessable.count,
                            achieved: selfOK && objectiveOK && anything, reached: 0))
                }
                let reached = reachedStage(rows.map { ($0.stage, $0.achieved) })
                for i in rows.indices { rows[i].reached = reached }
                out += rows
            }
        }
        return out
    }

    /// The highest stage s such that stages 1…s are all achieved (0 if none); a stage without items is not achieved.
    package static func reachedStage(_ stages: [(ManagementStage, Bool)]) -> Int {
        var reached = 0
        for s in ManagementStage.allCases {
            guard stages.contains(where: { $0.0 == s && $0.1 }) else { break }
            reached = s.rawValue
        }
        return reached
    }

    /// For each municipality and area with a next stage, up to `limit` municipalities that have
    /// already reached it: its nearest municipalities first (nearest first), then the rest of its
    /// peer group (by code).
    ///
    /// Someone to visit or ask (先進地視察, 近隣の経験者の助言), for the prefecture to arrange.
    package static func pairings(
        _ stages: [RoadmapStageResult], master: [MasterEntry], peers: PeerSets, limit: Int = 3
    ) -> [PairingRow] {
        let names = Dictionary(master.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        var reached: [MunicipalityCode: [String: Int]] = [:]
        var next: [MunicipalityCode: [String: ManagementStage]] = [:]
        var areas: [String] = []
        for s in stages {
            reached[s.municipality, default: [:]][s.area] = s.reached
            if !s.achieved && next[s.municipality]?[s.area] == nil {
                next[s.municipality, default: [:]][s.area] = s.stage
            }
            if !areas.contains(s.area) { areas.append(s.area) }
        }
        var out: [PairingRow] = []
        for code in reached.keys.sorted() {
            let candidates = peers.nearestThenGroup(of: code)
            for area in areas {
                guard let stage = next[code]?[area] else { continue }
                let found = candidates.filter { (reached[$0.code]?[area] ?? 0) >= stage.rawValue }.prefix(limit)
                for (n, (candidate, relation)) in found.enumerated() {
                    out.append(
                        PairingRow(
                            municipality: code, municipalityName: names[code] ?? code.text, area: area,
                            nextStage: stage, order: n + 1, candidate: candidate,
                            candidateName: names[candidate] ?? candidate.text,
                            candidateReached: reached[candidate]?[area] ?? 0, relation: relation))
                }
            }
        }
        return out
    }

    /// Per area, how the municipalities that received the area's support in `window` moved from
    /// the last wave's stage reached to this wave's, beside those that did not (two rows per area,
    /// supported first).
    ///
    /// Only municipalities that answered in both waves count (a stage without answers says little
    /// of where a municipality stands). This compares two groups; it does not estimate an effect:
    /// the prefecture offers support where it is needed, so the groups differ before any support.
    package static func supportOutcomes(
        _ stages: [RoadmapStageResult], previous: [RoadmapPreviousRow], answered: Set<MunicipalityCode>,
        records: [SupportRecord], window: ClosedRange<Day>, areas: [String]
    ) -> [SupportOutcomeRow] {
        struct Key: Hashable {
            let municipality: MunicipalityCode, area: String
        }
        var last: [Key: RoadmapPreviousRow] = [:]
        for p in previous {
            let k = Key(municipality: p.municipality, area: p.area)
            if let kept = last[k], kept.wave >= p.wave { continue }
            last[k] = p
        }
        let supported = Set(
            records.filter { window.contains($0.date) }.map { Key(municipality: $0.municipality, area: $0.area) })
        var now: [Key: Int] = [:]
        for s in stages { now[Key(municipality: s.municipality, area: s.area)] = s.reached }
        return areas.flatMap { area in
            [true, false].map { wasSupported in
                var row = SupportOutcomeRow(
                    area: area, supported: wasSupported, municipalities: 0, movedUp: 0, stayed: 0, movedDown: 0)
                for (k, reached) in now where k.area == area && answered.contains(k.municipality) {
                    guard let before = last[k], before.answered, supported.contains(k) == wasSupported else {
                        continue
                    }
                    row.municipalities += 1
                    if reached > before.reached {
                        row.movedUp += 1
                    } else if reached < before.reached {
                        row.movedDown += 1
                    } else {
                        row.stayed += 1
                    }
                }
                return row
            }
        }
    }

    /// Municipalities that answered at least one 主観 item (the others are 未回答).
    package static func answered(_ results: [RoadmapItemResult]) -> Set<MunicipalityCode> {
        Set(results.filter(\.answered).map(\.municipality))
    }

    /// Per area and stage: how many achieved it, of all and of those that answered; the targets beside.
    ///
    /// Throws when a target names an area and stage the item list does not have.
    package static func overview(
        _ stages: [RoadmapStageResult], items: [RoadmapItem], municipalities: Int, answered: Set<MunicipalityCode>,
        targets: [RoadmapTarget]
    ) throws -> [RoadmapOverviewRow] {
        var rows: [RoadmapOverviewRow] = []
        for area in RoadmapItem.areas(items) {
            for stage in ManagementStage.allCases where items.contains(where: { $0.area == area && $0.stage == stage })
            {
                let cell = stages.filter { $0.area == area && $0.stage == stage }
                let achieved = cell.filter(\.achieved)
                var row = RoadmapOverviewRow(
                    area: area, stage: stage, municipalities: municipalities, achieved: achieved.count,
                    answered: answered.count,
                    achievedAnswered: achieved.filter { answered.contains($0.municipality) }.count)
                if let t = targets.first(where: { $0.area == area && $0.stage == stage }) {
                    row.targetShare = t.share
                    row.targetBy = t.by
                }
                rows.append(row)
            }
        }
        for t in targets where !rows.contains(where: { $0.area == t.area && $0.stage == t.stage }) {
            throw StageFailure(
                .configuration,
                "roadmap.targets.\"\(t.key)\": the item list has no items for \(t.area) \(t.stage.ordinal) "
                    + "(areas: \(RoadmapItem.areas(items).joined(separator: ", ")))")
        }
        return rows
    }
}
