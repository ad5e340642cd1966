import BansoCore

/// The sampling design behind the weighted estimates: strata (the weighting cells after
/// collapsing) with their frame and respondent counts, and each respondent's stratum.
///
/// Establishments are the sampling units (clusters of workers); a stratum's weight is its frame
/// count N over its respondents n, and its finite-population correction is 1 − n/N.
package struct SamplingDesign: Sendable {
    /// One stratum: a weighting cell, or several collapsed into one.
    package struct Stratum: Sendable, Equatable {
        /// `202011:施設`, `202011:通所+訪問`, `全域:多機能`, `全域:統合`, `枠外:202011`.
        package var id: String
        /// Establishments of the frame in the stratum (N).
        package var frameCount: Int
        /// Responding establishments in it (n).
        package var respondents: Int
        /// `枠外:<code>`: respondents missing from the frame, each standing for itself.
        package var outsideFrame = false
        package var weight: Double { respondents > 0 ? Double(frameCount) / Double(respondents) : 0 }
        /// Every establishment of the stratum answered: weight 1, no sampling error.
        package var complete: Bool { respondents == frameCount }
    }

    package var strata: [Stratum]
    /// Establishment id → its stratum (respondents only).
    package var stratumOf: [String: Int]
    /// Establishment id → its service group (framed respondents; その他 for the unframed).
    package var groupOf: [String: String]
    /// Every cell of the frame (`<code>:<group>`) → the stratum that holds it after collapsing.
    package var cellStratum: [String: Int]
    /// What was collapsed, in words, for the log.
    package var collapses: [String]
    /// Frame establishments no respondent stands for (only when the prefecture has no respondent
    /// in the frame at all).
    package var unrepresented: Int

    /// The sizes the variance formula needs, with n counted over the units of one survey.
    package func sizes(respondentsPerStratum counts: [Int]) -> DesignSizes {
        DesignSizes(frameCounts: strata.map { Double($0.frameCount) }, respondents: counts)
    }
}

/// N and n of every stratum, as one estimator needs them.
package struct DesignSizes: Sendable {
    package var frameCounts: [Double]
    package var respondents: [Int]
    package init(frameCounts: [Double], respondents: [Int]) {
        self.frameCounts = frameCounts
        self.respondents = respondents
    }
}

/// Builds design weights from the frame (`[weights] method = "frame"`).
package enum DesignWeights {
    /// A weighting cell while the strata are being formed.
    struct Cell {
        var id: String
        var groups: [String]
        /// The original cells (`<code>:<group>`) it holds.
        var keys: [String] = []
        var frameCount = 0
        var outsideFrame = false
        var members: [String] = []
        var n: Int { members.count }
        /// Every frame establishment of the cell answered: weight 1, no sampling error, never
        /// collapsed (merging it would lend it others' weights).
        var complete: Bool { frameCount > 0 && n == frameCount }

        mutating func absorb(_ other: Cell) {
            groups += other.groups
            keys += other.keys
            frameCount += other.frameCount
            members += other.members
        }
    }

    /// The design for `respondents` (establishment id and municipality, in the order of the clean
    /// file) drawn from `frame`.
    ///
    /// Cells are municipality × service group (the frame's サービス種別). A cell with fewer than
    /// `minRespondents` respondents is collapsed: first with the municipality's other short cells,
    /// and if they are still short into the municipality's largest cell with enough respondents
    /// (or else its largest complete cell); a municipality with no such cell (every cell short,
    /// fewer respondents than that in all) goes to a prefecture-wide cell of the same service
    /// group, and short prefecture-wide cells into one `全域:統合` cell, itself merged into the
    /// largest stratum when short. A respondent missing from the frame (or in it under another
    /// municipality) is its own certainty stratum `枠外:<code>` with weight 1.
    package static func build(
        frame: [FrameEntry], respondents: [(id: String, municipality: MunicipalityCode)], _ p: WeightingParameters
    ) -> SamplingDesign {
        let m = p.minRespondents
        let groupOrder = p.serviceGroups.map(\.name) + [ServiceGroup.other]
        var framed: [String: FrameEntry] = [:]
        var cells: [MunicipalityCode: [String: Cell]] = [:]
        for f in frame where framed[f.establishmentID.text] == nil {
            framed[f.establishmentID.text] = f
            let g = p.group(of: f.serviceType)
            let key = "\(f.municipality):\(g)"
            cells[f.municipality, default: [:]][g, default: Cell(id: key, groups: [g], keys: [key])].frameCount += 1
        }
        var unframed: [MunicipalityCode: [String]] = [:]
        var groupOf: [String: String] = [:]
        for r in respondents {
            if let f = framed[r.id], f.municipality == r.municipality {
                let g = p.group(of: f.serviceType)
                cells[r.municipality]![g]!.members.append(r.id)
                groupOf[r.id] = g
            } else {
                unframed[r.municipality, default: []].append(r.id)
                groupOf[r.id] = ServiceGroup.other
            }
        }
        var strata: [Cell] = []
        var collapses: [String] = []
        var prefectureWide: [String: Cell] = [:]
        for code in cells.keys.sorted() {
            let list = groupOrder.compactMap { cells[code]![$0] }
            var kept = list.filter { $0.n >= m || $0.complete }
            let short = list.filter { $0.n < m && !$0.complete }
            guard !short.isEmpty else {
                strata += kept
                continue
            }
            var pool = Cell(id: "", groups: [])
            for c in short { pool.absorb(c) }
            pool.id = "\(code):" + pool.groups.joined(separator: "+")
            if pool.n >= m {
                strata += kept + [pool]
                collapses.append("\(pool.id): short cells pooled within the municipality (n = \(pool.n))")
            } else if let largest = kept.indices.filter({ kept[$0].n >= m }).max(by: {
                kept[$0].n < kept[$1].n || (kept[$0].n == kept[$1].n && $0 > $1)
            })
                // A complete cell is joined rather than letting the municipality's frame be stood
                // for by other municipalities: its own figures must estimate its own frame.
                ?? kept.indices.max(by: { kept[$0].n < kept[$1].n || (kept[$0].n == kept[$1].n && $0 > $1) })
            {
                kept[largest].absorb(pool)
                kept[largest].id = "\(code):" + kept[largest].groups.joined(separator: "+")
                strata += kept
                collapses.append("\(kept[largest].id): short cells merged into the municipality's largest cell")
            } else {
                // Too few respondents in the whole municipality: each cell joins its service group
                // across the prefecture (complete cells stay, with weight 1).
                strata += kept
                for c in short {
                    prefectureWide[c.groups[0], default: Cell(id: "全域:\(c.groups[0])", groups: [c.groups[0]])]
                        .absorb(c)
                }
                collapses.append(
                    "\(code): fewer than \(m) respondents; its cells go to their service groups across the prefecture")
            }
        }
        var rest = Cell(id: "全域:統合", groups: [])
        for g in groupOrder {
            guard var c = prefectureWide[g] else { continue }
            c.groups = [g]
            if c.n >= m { strata.append(c) } else { rest.absorb(c) }
        }
        var unrepresented = 0
        if rest.frameCount > 0 {
            if rest.n >= m {
                strata.append(rest)
                collapses.append("全域:統合: short prefecture-wide cells pooled (n = \(rest.n))")
            } else if let largest = strata.indices.filter({ !strata[$0].complete }).max(by: {
                strata[$0].n < strata[$1].n
            })
                ?? strata.indices.max(by: { strata[$0].n < strata[$1].n })
            {
                strata[largest].absorb(rest)
                strata[largest].id += "+全域:統合"
                collapses.append("\(strata[largest].id): short prefecture-wide cells merged into the largest stratum")
            } else if rest.n > 0 {
                strata.append(rest)
            } else {
                unrepresented = rest.frameCount
            }
        }
        for code in unframed.keys.sorted() {
            let ids = unframed[code]!
            strata.append(
                Cell(
                    id: "枠外:\(code)", groups: [ServiceGroup.other], frameCount: ids.count, outsideFrame: true,
                    members: ids))
        }
        var stratumOf: [String: Int] = [:]
        var cellStratum: [String: Int] = [:]
        for (h, s) in strata.enumerated() {
            for id in s.members { stratumOf[id] = h }
            for key in s.keys { cellStratum[key] = h }
        }
        return SamplingDesign(
            strata: strata.map {
                .init(id: $0.id, frameCount: $0.frameCount, respondents: $0.n, outsideFrame: $0.outsideFrame)
            },
            stratumOf: stratumOf, groupOf: groupOf, cellStratum: cellStratum, collapses: collapses,
            unrepresented: unrepresented)
    }
}

extension DesignWeights {
    /// Rakes (iterative proportional fitting) the weights of the framed respondents so that they
    /// add up to the frame's establishments of each service group across the prefecture, while
    /// each municipality keeps its own sum.
    ///
    /// Collapsing a municipality's short cells mixes service groups: the 訪問 establishments that
    /// did not answer are then stood for by its 施設, which answer more and differ. Raking puts each
    /// service group back at its frame count. Complete cells keep weight 1. A group without a
    /// respondent cannot be raked; the
    /// group targets are scaled to the weights' total so that the two margins agree. Stops when
    /// every factor is within 10⁻¹² of 1, or after 200 rounds.
    package static func rake(
        _ weights: [Double], groups: [String], municipalities: [MunicipalityCode], framed: [Bool], complete: [Bool],
        frameGroupCounts: [String: Int]
    ) -> [Double] {
        var w = weights
        // Respondents of complete cells stand for themselves only: they keep weight 1 (exact), and
        // the groups' targets are what is left once they are counted.
        let units = w.indices.filter { framed[$0] && !complete[$0] }
        guard !units.isEmpty else { return w }
        var fixed: [String: Double] = [:]
        for i in w.indices where framed[i] && complete[i] { fixed[groups[i], default: 0] += w[i] }
        var municipalityTarget: [MunicipalityCode: Double] = [:]
        for i in units { municipalityTarget[municipalities[i], default: 0] += w[i] }
        let total = units.reduce(0) { $0 + w[$1] }
        let represented = Set(units.map { groups[$0] })
        let left = represented.map { max(0, Double(frameGroupCounts[$0] ?? 0) - (fixed[$0] ?? 0)) }
        let frameTotal = left.reduce(0, +)
        guard frameTotal > 0 else { return w }
        var groupTarget: [String: Double] = [:]
        for (g, n) in zip(represented, left) { groupTarget[g] = n * total / frameTotal }
        /// A margin with its keys numbered once: each unit's key's number (in `units` order) and
        /// each key's target.
        ///
        /// The rounds then add into arrays; looking a String key up for every unit in every round
        /// was most of feedback's and aggregate's time on a 900,000-establishment frame.
        func margin<Key: Hashable>(_ targets: [Key: Double], _ key: [Key]) -> (ids: [Int], targets: [Double?]) {
            var number: [Key: Int] = [:]
            var ids: [Int] = []
            ids.reserveCapacity(units.count)
            var keys: [Key] = []
            for i in units {
                if let n = number[key[i]] {
                    ids.append(n)
                } else {
                    number[key[i]] = keys.count
                    ids.append(keys.count)
                    keys.append(key[i])
                }
            }
            return (ids, keys.map { targets[$0] })
        }
        // The raked units' weights side by side, in `units` order (the same sums, in the same
        // order, as through the index list; without its indirection on every unit of every round).
        var raked = units.map { w[$0] }
        /// Scales the weights to one margin's targets; returns the largest change of a factor.
        func adjust(_ m: (ids: [Int], targets: [Double?])) -> Double {
            var sums = [Double](repeating: 0, count: m.targets.count)
            for u in raked.indices { sums[m.ids[u]] += raked[u] }
            var factor = [Double](repeating: 1, count: sums.count)
            var worst = 0.0
            for k in sums.indices where sums[k] > 0 {
                factor[k] = (m.targets[k] ?? sums[k]) / sums[k]
                worst = max(worst, abs(factor[k] - 1))
            }
            for u in raked.indices { raked[u] *= factor[m.ids[u]] }
            return worst
        }
        let byGroup = margin(groupTarget, groups)
        let byMunicipality = margin(municipalityTarget, municipalities)
        for _ in 0..<200 {
            let worst = max(adjust(byGroup), adjust(byMunicipality))
            if worst < 1e-12 { break }
        }
        for (u, i) in units.enumerated() { w[i] = raked[u] }
        return w
    }
}
