import BansoCore

/// Worker weights: the worker survey's establishments placed in the design, each weighted by its
/// design weight times its staff over its answering workers.
enum WorkerDesign {
    /// Sets each worker cluster's stratum and weight (and each regular wage's weight); returns
    /// the rows of `internal/worker_weights.csv` and the worker design's stratum sizes (strata:
    /// the municipalities; no finite-population correction: N infinite).
    ///
    /// An establishment that answered the establishment survey has its design weight and its
    /// staff; one in the frame that did not has its cell's weight and factor 1 (its staff is not
    /// known); one outside the frame has weight 1 in a certainty stratum of its own municipality.
    /// The factor staff ÷ answering workers is 1 when there are fewer staff than answers, and at
    /// most `max_worker_factor` (capped, and said so in the file).
    static func assign(
        _ groups: inout [MunicipalityCode: WorkerGroup], establishments: [EstablishmentCounts], frame: [FrameEntry],
        design: SamplingDesign, _ p: WeightingParameters
    ) -> (rows: [WorkerWeightRow], sizes: DesignSizes) {
        var respondent: [Int: Int] = [:]
        for (i, e) in establishments.enumerated() {
            if let key = CodeKey.pack(Array(e.id.utf8)) { respondent[key] = i }
        }
        var framed: [Int: FrameEntry] = [:]
        for f in frame {
            if let key = CodeKey.pack(Array(f.establishmentID.text.utf8)), framed[key] == nil { framed[key] = f }
        }
        var ids = design.strata.map(\.id)
        var frameCounts = design.strata.map { Double($0.frameCount) }
        var certainty: [MunicipalityCode: Int] = [:]
        var weightOf: [Int: Double] = [:]
        var rows: [WorkerWeightRow] = []
        // The variance strata are the municipalities (see below); the weights come from the cells.
        let codes = groups.keys.sorted()
        var counts = [Int](repeating: 0, count: codes.count)
        for (stratum, code) in codes.enumerated() {
            counts[stratum] = groups[code]!.clusters.count
            for j in groups[code]!.clusters.indices {
                let key = groups[code]!.clusters[j].establishment
                let h: Int
                let designWeight: Double
                var staff: Double?
                if let i = respondent[key] {
                    h = Int(establishments[i].stratum)
                    designWeight = establishments[i].weight
                    staff = establishments[i].allNow
                } else if let f = framed[key], f.municipality == code,
                    let s = design.cellStratum["\(code):\(p.group(of: f.serviceType))"]
                {
                    h = s
                    designWeight = design.strata[s].weight
                } else {
                    if let s = certainty[code] {
                        h = s
                    } else {
                        h = ids.count
                        certainty[code] = h
                        ids.append("枠外労働者:\(code)")
                        frameCounts.append(0)
                    }
                    frameCounts[h] += 1
                    designWeight = 1
                }
                let answering = groups[code]!.clusters[j].workers
                var factor = 1.0, capped = false
                if let staff, answering > 0, staff > Double(answering) {
                    factor = staff / Double(answering)
                    if factor > p.maxWorkerFactor {
                        factor = p.maxWorkerFactor
                        capped = true
                    }
                }
                let weight = designWeight * factor
                groups[code]!.clusters[j].stratum = Int32(stratum)
                groups[code]!.clusters[j].weight = weight
                weightOf[key] = weight
                rows.append(
                    WorkerWeightRow(
                        establishmentID: EstablishmentID(CodeKey.unpack(key))!, municipality: code, cell: ids[h],
                        frameCount: 0,
                        establishmentWeight: designWeight, staff: staff, answering: answering, factor: factor,
                        capped: capped, workerWeight: weight))
            }
            groups[code]!.regularWageWeights = groups[code]!.regularWageEstablishments.map { weightOf[$0] ?? 1 }
        }
        // N is known only now for the certainty strata (their size in the worker survey).
        let stratumOf = Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        for i in rows.indices { rows[i].frameCount = frameCounts[stratumOf[rows[i].cell]!] }
        rows.sort { ($0.municipality, $0.establishmentID) < ($1.municipality, $1.establishmentID) }
        // Workers are a sample within each establishment: the variance is the ultimate clusters'
        // with no finite-population correction, so that an area whose establishments all
        // answered still has the sampling error of its workers (R: the design without `fpc`).
        // Its strata are the municipalities, not the weighting cells: few establishments answer the
        // worker survey in a cell, and a cell with one would add no variance at all.
        return (rows, DesignSizes(frameCounts: counts.map { _ in .infinity }, respondents: counts))
    }

    /// The weights' range and Kish design effect per area: establishments' design weights, and
    /// each answering worker's weight.
    static func summaries(_ areas: [(code: MunicipalityCode, data: AreaData)]) -> [WeightingSummaryRow] {
        var out: [WeightingSummaryRow] = []
        for (code, a) in areas {
            if let row = WeightingSummaryRow(
                municipality: code, survey: "establishments", weights: a.establishments.map(\.weight))
            {
                out.append(row)
            }
            let workers = (a.workers?.clusters ?? []).flatMap { Array(repeating: $0.weight, count: $0.workers) }
            if let row = WeightingSummaryRow(municipality: code, survey: "workers", weights: workers) {
                out.append(row)
            }
        }
        return out
    }
}
