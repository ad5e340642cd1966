import BansoCore

/// The figures of the 圏域 and of the service groups: the same estimator over the respondents of
/// a 圏域, a service group of the prefecture, or a service group of a 圏域 (each one more domain of
/// the prefecture's sample, as a municipality is).
package enum AreaTables {
    /// One domain to estimate: a 圏域 or the prefecture, all establishments or one service group.
    package struct Domain: Sendable {
        package var region: Region?
        package var serviceGroup: String?
        package var data: AreaData
        /// The 圏域's municipalities (the prefecture's all).
        package var members: [MunicipalityCode]
    }

    /// The 圏域 of the master, in code order, each with its municipalities in code order (empty
    /// when the master names none).
    package static func regions(_ master: [MasterEntry]) -> [(region: Region, members: [MunicipalityCode])] {
        var members: [Region: [MunicipalityCode]] = [:]
        for m in master { if let r = m.region { members[r, default: []].append(m.code) } }
        return members.keys.sorted().map { ($0, members[$0]!.sorted()) }
    }

    /// Every row of the tables: every 圏域, then (with weighting, which knows each respondent's
    /// service group) every service group of the prefecture and of each 圏域, in that order.
    ///
    /// One level at a time: the 圏域 together, then the prefecture's groups, then each 圏域's. A
    /// level's copies of the establishments and workers are let go before the next is made (all
    /// of them at once were the stage's peak of memory).
    package static func rows(
        _ inputs: AggregateStage.Inputs, groups: [String], indicators: [Indicator], wave: Wave,
        prefectureName: String
    ) -> [AreaIndicatorRow] {
        let regions = regions(inputs.master)
        func table(_ domains: [Domain]) -> [AreaIndicatorRow] {
            rows(domains, indicators: indicators, wave: wave, prefectureName: prefectureName)
        }
        var out = table(
            regions.map { r in
                Domain(region: r.region, serviceGroup: nil, data: merged(r.members, inputs), members: r.members)
            })
        guard inputs.design != nil else { return out }
        // Workers' clusters and wages name their establishment by its packed number.
        var groupOfKey: [Int: String] = [:]
        for (id, g) in inputs.serviceGroupOf { if let k = CodeKey.pack(id.utf8) { groupOfKey[k] = g } }
        func groupDomains(_ region: Region?, _ members: [MunicipalityCode], _ data: AreaData) -> [Domain] {
            let parts = split(data, groupOf: inputs.serviceGroupOf, groupOfKey: groupOfKey)
            return groups.map { g in
                var d = parts[g] ?? empty(data)
                let frame = members.map { inputs.frameGroupSizes[$0]?[g] ?? 0 }.reduce(0, +)
                d.frameSize = data.frameSize != nil ? frame : nil
                let framed = d.establishments.filter(\.inFrame).count
                d.census = frame > 0 && framed == frame
                return Domain(region: region, serviceGroup: g, data: d, members: members)
            }
        }
        out += table(groupDomains(nil, inputs.master.map(\.code).sorted(), inputs.prefecture))
        for r in regions { out += table(groupDomains(r.region, r.members, merged(r.members, inputs))) }
        return out
    }

    /// The municipalities' data together (the design and sizes are the prefecture's: a domain).
    static func merged(_ codes: [MunicipalityCode], _ inputs: AggregateStage.Inputs) -> AreaData {
        let areas = codes.map { inputs.areas[$0] ?? AreaData() }
        var d = AreaData()
        d.establishments = ArraySlice(areas.flatMap(\.establishments))
        if inputs.prefecture.workers != nil {
            var w = WorkerGroup()
            for a in areas { if let g = a.workers { w.merge(g) } }
            d.workers = w
        }
        let frames = areas.compactMap(\.frameSize)
        d.frameSize = frames.count == areas.count && !areas.isEmpty ? frames.reduce(0, +) : nil
        d.census = !areas.isEmpty && areas.allSatisfy(\.census)
        d.aged75 = areas.reduce(0) { $0 + ($1.aged75 ?? 0) }
        d.design = inputs.prefecture.design
        d.workerDesign = inputs.prefecture.workerDesign
        return d
    }

    /// An area's data with no respondents (a service group nobody in it answered for).
    static func empty(_ a: AreaData) -> AreaData {
        var d = a
        d.establishments = []
        if a.workers != nil { d.workers = WorkerGroup() }
        return d
    }

    /// An area's data split by service group, in one pass over its establishments, clusters and
    /// wages (a million wages: one pass, not one per group).
    static func split(_ a: AreaData, groupOf: [String: String], groupOfKey: [Int: String]) -> [String: AreaData] {
        var establishments: [String: [EstablishmentCounts]] = [:]
        for e in a.establishments { establishments[groupOf[e.id] ?? ServiceGroup.other, default: []].append(e) }
        var workers: [String: WorkerGroup] = [:]
        if let w = a.workers {
            for c in w.clusters {
                workers[groupOfKey[c.establishment] ?? ServiceGroup.other, default: WorkerGroup()].clusters.append(c)
            }
            // Each wage's index under its group (one look-up per wage), then each group's arrays.
            var wageIndices: [String: [Int]] = [:]
            for i in w.regularWages.indices {
                wageIndices[groupOfKey[w.regularWageEstablishments[i]] ?? ServiceGroup.other, default: []].append(i)
            }
            let weighted = w.regularWageWeights.count == w.regularWages.count
            for (g, indices) in wageIndices {
                var group = workers[g] ?? WorkerGroup()
                group.regularWages = indices.map { w.regularWages[$0] }
                group.regularWageEstablishments = indices.map { w.regularWageEstablishments[$0] }
                if weighted { group.regularWageWeights = indices.map { w.regularWageWeights[$0] } }
                workers[g] = group
            }
        }
        var out: [String: AreaData] = [:]
        for g in Set(establishments.keys).union(workers.keys) {
            var d = empty(a)
            d.establishments = ArraySlice(establishments[g] ?? [])
            if a.workers != nil { d.workers = workers[g] ?? WorkerGroup() }
            out[g] = d
        }
        return out
    }

    /// Every indicator of every domain, unsuppressed, in domain order then indicator order, each
    /// with the dominance figures of its respondents.
    static func rows(
        _ domains: [Domain], indicators: [Indicator], wave: Wave, prefectureName: String
    ) -> [AreaIndicatorRow] {
        let computed = parallelMap(domains.indices) { IndicatorComputer.compute(domains[$0].data) }
        var rows: [AreaIndicatorRow] = []
        for (domain, values) in zip(domains, computed) {
            var largest: AggregateStage.Largest = [:]
            for e in domain.data.establishments {
                for indicator in IndicatorComputer.totals {
                    guard let v = IndicatorComputer.contribution(indicator, e) else { continue }
                    let old = largest[indicator] ?? (0, 0)
                    largest[indicator] = (max(old.largest, v), old.sum + v)
                }
            }
            for indicator in indicators {
                var estimate = values[indicator] ?? Estimate(n: 0)
                estimate.reliability = AggregateStage.reliability(indicator, estimate, census: domain.data.census)
                var row = AreaIndicatorRow(
                    wave: wave, region: domain.region?.code, name: domain.region?.name ?? prefectureName,
                    serviceGroup: domain.serviceGroup, indicator: indicator, estimate: estimate)
                row.largestContribution = largest[indicator]?.largest
                row.respondentSum = largest[indicator]?.sum
                rows.append(row)
            }
        }
        return rows
    }
}
