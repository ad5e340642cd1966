import BansoCSV
import BansoCore
import BansoHistory
import Foundation
import Logging
import Synchronization
import SystemPackage

/// Stage aggregate: indicators with intervals, disclosure control, history.
package enum AggregateStage: PipelineStage {
    /// What aggregate reads from the pipeline file.
    package struct Settings: StageSettings {
        package var wave: Wave
        package var prefectureCode: PrefectureCode
        /// A worker survey is declared: the worker indicators are computed.
        package var hasWorkers: Bool
        /// A frame is declared: the response rate is computed.
        package var hasFrame: Bool
        /// `[disclosure]`.
        package var disclosure: Disclosure.Parameters
        /// `[weights]`, with a frame only (nil: no weighting is possible).
        package var weighting: WeightingParameters?

        /// Figures are weighted to the frame.
        package var weighted: Bool { weighting?.method == .frame }

        package init(_ c: PipelineConfig) {
            wave = c.wave
            prefectureCode = c.prefectureCode
            hasWorkers = c.workers != nil
            hasFrame = c.frame != nil
            disclosure = .init(
                minEstablishments: c.minEstablishments, minWorkers: c.minWorkers, dominanceShare: c.dominanceShare)
            weighting = c.frame != nil ? c.weighting : nil
        }

        /// The prefecture's own code with check digit.
        var prefectureMunicipalityCode: MunicipalityCode { prefectureCode.municipalityCode }
    }

    package static let name = StageName.aggregate

    /// How many earlier waves are snapshotted for trends (with this one, five years).
    package static let earlierWaves = 4

    /// The clean files aggregate computes from (the history store is fingerprinted as a parameter).
    package static let reads: [RunFileDescriptor] = [
        RunFiles.establishments, RunFiles.workers, RunFiles.master, RunFiles.frame, RunFiles.context,
    ]

    /// The largest single establishment's own value and the respondents' own sum, for each count
    /// total of one area (the dominance rule looks at respondents, never at weighted figures).
    package typealias Largest = [Indicator: (largest: Double, sum: Double)]

    /// Everything the indicators are computed from, grouped by area.
    package struct Inputs {
        package var master: [MasterEntry]
        package var areas: [MunicipalityCode: AreaData]
        package var prefecture: AreaData
        package var largest: [MunicipalityCode: Largest]
        package var prefectureLargest: Largest
        /// The sampling design, when figures are weighted.
        package var design: SamplingDesign?
        /// The weights written to the internal files (empty without weighting).
        package var weights: [EstablishmentWeightRow] = []
        package var workerWeights: [WorkerWeightRow] = []
        /// Each municipality's frame shares of `SmallAreaEstimates.mixGroups` (with weighting).
        package var serviceMix: [MunicipalityCode: [Double]] = [:]
        /// Each municipality's frame establishments by service group (with weighting).
        package var frameGroupSizes: [MunicipalityCode: [String: Int]] = [:]
        /// Every establishment's service group (with weighting).
        ///
        /// The frame's, and その他 for respondents outside it: workers of an establishment that did
        /// not answer the establishment survey still belong to its group.
        package var serviceGroupOf: [String: String] = [:]

        /// Inputs of the given areas, unweighted (tests and small callers; `loadInputs` builds the
        /// rest).
        package init(master: [MasterEntry], areas: [MunicipalityCode: AreaData], prefecture: AreaData) {
            self.init(
                master: master, areas: areas, prefecture: prefecture, largest: [:], prefectureLargest: [:], design: nil)
        }

        init(
            master: [MasterEntry], areas: [MunicipalityCode: AreaData], prefecture: AreaData,
            largest: [MunicipalityCode: Largest], prefectureLargest: Largest, design: SamplingDesign?,
            weights: [EstablishmentWeightRow] = [], workerWeights: [WorkerWeightRow] = [],
            serviceMix: [MunicipalityCode: [Double]] = [:], frameGroupSizes: [MunicipalityCode: [String: Int]] = [:],
            serviceGroupOf: [String: String] = [:]
        ) {
            self.master = master
            self.areas = areas
            self.prefecture = prefecture
            self.largest = largest
            self.prefectureLargest = prefectureLargest
            self.design = design
            self.weights = weights
            self.workerWeights = workerWeights
            self.serviceMix = serviceMix
            self.frameGroupSizes = frameGroupSizes
            self.serviceGroupOf = serviceGroupOf
        }
    }

    /// Reads the clean outputs into areas.
    ///
    /// With `remember`, the establishments' side (everything but the workers) stays in memory
    /// for the next call in this process that reads the same files with the same weighting:
    /// feedback pools the peers from it right after aggregate, instead of reading and weighting
    /// the frame and the establishments a second time. The files are known to be the same by the
    /// digests the runner hashed them under (`StageContext.runFileDigests`); without digests
    /// nothing is remembered.
    package static func loadInputs(
        _ ctx: StageContext, hasWorkers: Bool, weighting: WeightingParameters? = nil, remember: Bool = false
    ) throws -> Inputs {
        try ctx.checkDeclared(RunFiles.master)
        try ctx.checkDeclared(RunFiles.frame)
        try ctx.checkDeclared(RunFiles.establishments)
        try ctx.checkDeclared(RunFiles.workers)
        let key = EstablishmentSide.Key(ctx, weighting: weighting)
        let remembered = key.flatMap { EstablishmentSide.memo.take($0) }
        if remembered != nil {
            ctx.logger.info("the establishments as aggregate read and weighted them (kept in memory)")
        }
        // The worker file (much the largest) is read on one core while the other reads the
        // master, the frame and the establishments and weights them.
        let read = parallelMap([0, 1]) { part -> Result<Loaded, Error> in
            Result {
                guard part == 0 else { return .workers(hasWorkers ? try readWorkers(ctx.layout) : [:]) }
                return .establishments(try remembered ?? EstablishmentSide.build(ctx, weighting: weighting))
            }
        }
        var side: EstablishmentSide!
        var groups: [MunicipalityCode: WorkerGroup] = [:]
        for r in read {
            switch try r.get() {
            case .establishments(let e): side = e
            case .workers(let g): groups = g
            }
        }
        if remember, let key { EstablishmentSide.memo.keep(side, for: key) }
        var areas = side.areas
        var prefecture = side.prefecture
        var workerWeightRows: [WorkerWeightRow] = []
        if hasWorkers {
            for m in side.master { areas[m.code]!.workers = WorkerGroup() }
            if let design = side.design, let weighting {
                let assigned = WorkerDesign.assign(
                    &groups, establishments: side.all, frame: side.frameRows, design: design, weighting)
                workerWeightRows = assigned.rows
                for m in side.master { areas[m.code]!.workerDesign = assigned.sizes }
                prefecture.workerDesign = assigned.sizes
            }
            var pref = WorkerGroup()
            for code in groups.keys.sorted() {
                areas[code, default: AreaData()].workers = groups[code]
                pref.merge(groups[code]!)
            }
            prefecture.workers = pref
        }
        return Inputs(
            master: side.master, areas: areas, prefecture: prefecture, largest: side.largest,
            prefectureLargest: side.prefectureLargest,
            design: side.design, weights: side.weightRows, workerWeights: workerWeightRows,
            serviceMix: side.serviceMix, frameGroupSizes: side.frameGroupSizes, serviceGroupOf: side.serviceGroupOf)
    }

    /// The inputs without the workers: the master, the frame and the establishments, weighted.
    struct EstablishmentSide: Sendable {
        var master: [MasterEntry]
        /// Every area with its establishments, frame size, census mark and design sizes.
        var areas: [MunicipalityCode: AreaData]
        var prefecture: AreaData
        var largest: [MunicipalityCode: Largest]
        var prefectureLargest: Largest
        var design: SamplingDesign?
        var weightRows: [EstablishmentWeightRow]
        var serviceMix: [MunicipalityCode: [Double]]
        var frameGroupSizes: [MunicipalityCode: [String: Int]]
        var serviceGroupOf: [String: String]
        /// The establishments, weighted, sorted by municipality (the areas hold slices of it).
        var all: [EstablishmentCounts]
        /// The frame's rows, kept with weighting (the workers are weighted from them).
        var frameRows: [FrameEntry]

        /// What a side was read from: the files' digests and the weighting.
        struct Key: Equatable, Sendable {
            var digests: [String?]
            var weighting: WeightingParameters?

            /// Nil when the runner did not hash the master and the establishments.
            init?(_ ctx: StageContext, weighting: WeightingParameters?) {
                let files: [any RunFileDescriptor] = [RunFiles.master, RunFiles.establishments, RunFiles.frame]
                digests = files.map { ctx.runFileDigests[$0.id.path] }
                guard digests[0] != nil, digests[1] != nil else { return nil }
                self.weighting = weighting
            }
        }

        /// One side kept from one call of `loadInputs` for the next (at most one at a time).
        final class Memo: Sendable {
            private let kept = Mutex<(key: Key, side: EstablishmentSide)?>(nil)

            func keep(_ side: EstablishmentSide, for key: Key) {
                kept.withLock { $0 = (key, side) }
            }

            /// The side kept under `key`, handed over once (its memory goes with its last user).
            func take(_ key: Key) -> EstablishmentSide? {
                kept.withLock { kept in
                    defer { kept = nil }
                    return kept?.key == key ? kept?.side : nil
                }
            }
        }
        static let memo = Memo()

        /// The ranges of `all` that hold one municipality each, in order (`readEstablishments`
        /// returns them sorted by municipality).
        static func municipalityRuns(_ all: [EstablishmentCounts]) -> [Range<Int>] {
            var runs: [Range<Int>] = []
            var start = 0
            while start < all.count {
                var end = start + 1
                while end < all.count && all[end].municipality == all[start].municipality { end += 1 }
                runs.append(start..<end)
                start = end
            }
            return runs
        }

        /// Reads the master, the frame and the establishments, and weights them.
        static func build(_ ctx: StageContext, weighting: WeightingParameters?) throws -> EstablishmentSide {
            let master = try RunFiles.master.read(ctx)
            var areas: [MunicipalityCode: AreaData] = [:]
            for m in master {
                var a = AreaData()
                a.aged75 = m.aged75
                areas[m.code] = a
            }
            var prefecture = AreaData()
            prefecture.aged75 = master.reduce(0) { $0 + $1.aged75 }
            var all: [EstablishmentCounts]
            var design: SamplingDesign?
            var frameRows: [FrameEntry] = []
            if RunFiles.frame.exists(in: ctx.layout) {
                var listed: (sizes: [MunicipalityCode: Int], total: Int) = ([:], 0)
                var framed: [String: MunicipalityCode] = [:]
                let rows = try RunFiles.frame.read(ctx)
                for r in rows {
                    listed.sizes[r.municipality, default: 0] += 1
                    listed.total += 1
                    if framed[r.establishmentID.text] == nil { framed[r.establishmentID.text] = r.municipality }
                }
                all = try readEstablishments(ctx.layout, frame: framed)
                design = weighting.flatMap { w in
                    w.method == .frame
                        ? DesignWeights.build(frame: rows, respondents: all.map { ($0.id, $0.municipality) }, w)
                        : nil
                }
                if design != nil { frameRows = rows }
                for code in areas.keys { areas[code]!.frameSize = listed.sizes[code] ?? 0 }
                prefecture.frameSize = listed.total
            } else {
                all = try readEstablishments(ctx.layout, frame: nil)
            }
            // 全数: every establishment of the area's frame answered (and is in it there).
            var framedRespondents: [MunicipalityCode: Int] = [:]
            for e in all where e.inFrame { framedRespondents[e.municipality, default: 0] += 1 }
            for code in areas.keys {
                if let size = areas[code]!.frameSize, size > 0 { areas[code]!.census = framedRespondents[code] == size }
            }
            if let size = prefecture.frameSize, size > 0 {
                prefecture.census = framedRespondents.values.reduce(0, +) == size
            }
            // Each municipality's run of establishments adds into an array per total, in the
            // establishments' order: the sums of one pass.
            let runs = municipalityRuns(all)
            var largest: [MunicipalityCode: Largest] = [:]
            let totals = IndicatorComputer.totals
            var prefectureParts = [(largest: Double, sum: Double)?](repeating: nil, count: totals.count)
            for run in runs {
                var parts = [(largest: Double, sum: Double)?](repeating: nil, count: totals.count)
                for e in all[run] {
                    for k in totals.indices {
                        guard let v = IndicatorComputer.contribution(totals[k], e) else { continue }
                        let old = parts[k] ?? (0, 0)
                        parts[k] = (max(old.largest, v), old.sum + v)
                        let p = prefectureParts[k] ?? (0, 0)
                        prefectureParts[k] = (max(p.largest, v), p.sum + v)
                    }
                }
                var own: Largest = [:]
                for k in totals.indices { if let part = parts[k] { own[totals[k]] = part } }
                if !own.isEmpty { largest[all[run.lowerBound].municipality] = own }
            }
            var prefectureLargest: Largest = [:]
            for k in totals.indices { if let part = prefectureParts[k] { prefectureLargest[totals[k]] = part } }
            var weightRows: [EstablishmentWeightRow] = []
            var serviceMix: [MunicipalityCode: [Double]] = [:]
            var frameGroupSizes: [MunicipalityCode: [String: Int]] = [:]
            var serviceGroupOf: [String: String] = [:]
            if let design, let weighting {
                let sizes = design.sizes(respondentsPerStratum: design.strata.map(\.respondents))
                var frameGroupCounts: [String: Int] = [:]
                var seen: Set<String> = []
                var mixCounts: [MunicipalityCode: [String: Int]] = [:]
                for f in frameRows where seen.insert(f.establishmentID.text).inserted {
                    let group = weighting.group(of: f.serviceType)
                    serviceGroupOf[f.establishmentID.text] = group
                    frameGroupCounts[group, default: 0] += 1
                    mixCounts[f.municipality, default: [:]][group, default: 0] += 1
                }
                frameGroupSizes = mixCounts
                serviceGroupOf.merge(design.groupOf) { _, respondent in respondent }
                for (code, counts) in mixCounts {
                    let total = Double(counts.values.reduce(0, +))
                    serviceMix[code] = SmallAreaEstimates.mixGroups.map { Double(counts[$0] ?? 0) / total }
                }
                let stratum = all.map { design.stratumOf[$0.id]! }
                let strata = stratum.map { design.strata[$0] }
                let raked = DesignWeights.rake(
                    strata.map(\.weight), groups: all.map { design.groupOf[$0.id] ?? ServiceGroup.other },
                    municipalities: all.map(\.municipality), framed: strata.map { !$0.outsideFrame },
                    complete: strata.map(\.complete), frameGroupCounts: frameGroupCounts)
                for i in all.indices {
                    all[i].stratum = Int32(stratum[i])
                    all[i].weight = raked[i]
                    let s = strata[i]
                    weightRows.append(
                        EstablishmentWeightRow(
                            establishmentID: EstablishmentID(all[i].id)!, municipality: all[i].municipality,
                            serviceGroup: design.groupOf[all[i].id] ?? ServiceGroup.other, cell: s.id,
                            frameCount: s.frameCount, respondents: s.respondents, baseWeight: s.weight,
                            weight: raked[i]))
                }
                // By municipality, then number: a row per establishment, in their municipality
                // order already, so each municipality's run is sorted on its own (the same order).
                for run in runs { weightRows[run].sort { $0.establishmentID < $1.establishmentID } }
                for code in areas.keys { areas[code]!.design = sizes }
                prefecture.design = sizes
            }
            for run in runs { areas[all[run.lowerBound].municipality, default: AreaData()].establishments = all[run] }
            prefecture.establishments = all[...]
            return EstablishmentSide(
                master: master, areas: areas, prefecture: prefecture, largest: largest,
                prefectureLargest: prefectureLargest, design: design, weightRows: weightRows, serviceMix: serviceMix,
                frameGroupSizes: frameGroupSizes, serviceGroupOf: serviceGroupOf, all: all, frameRows: frameRows)
        }
    }

    enum Loaded: Sendable {
        case establishments(EstablishmentSide)
        case workers([MunicipalityCode: WorkerGroup])
    }

    /// Reads `clean/establishments.csv`, sorted by municipality.
    ///
    /// The sort is stable, so that each municipality is a slice of one array. With a frame, each
    /// establishment is marked as in the frame under the same municipality or not: only those
    /// count towards the response rate.
    static func readEstablishments(_ layout: RunLayout, frame: [String: MunicipalityCode]?) throws
        -> [EstablishmentCounts]
    {
        typealias Column = CleanEstablishmentColumn
        var all: [EstablishmentCounts] = []
        let counts = CountField.allCases.map { ColumnIndex(Column.count($0)) }
        let municipality = ColumnIndex(Column.field(.municipalityCode))
        let establishment = ColumnIndex(Column.field(.establishmentID))
        let shortage = ColumnIndex(Column.field(.shortagePerception))
        try RunFiles.establishments.stream(in: layout) { r in
            let raw = counts.map { NumberParser.plain(r[$0]) ?? .nan }
            let s = r[shortage]
            // Clean wrote both: a code or number in another form means the file was changed since.
            func read<T: ValidatedText>(_ index: ColumnIndex<Column>, _ field: EstablishmentField) throws -> T {
                let text = String(decoding: r[index], as: UTF8.self)
                guard let value = T(text) else {
                    throw StageFailure(
                        .data,
                        at: .init(
                            file: RunFiles.establishments.path(in: layout), line: r.line,
                            field: Column.field(field).rawValue),
                        "\"\(text)\" is not \(T.expected); run clean again")
                }
                return value
            }
            let muni: MunicipalityCode = try read(municipality, .municipalityCode)
            var e = EstablishmentCounts(
                municipality: muni, raw: raw,
                shortage: s.count == 1 ? s.first.flatMap(ShortageAnswer.init(digit:)) : nil)
            e.id = (try read(establishment, .establishmentID) as EstablishmentID).text
            if let frame { e.inFrame = frame[e.id] == muni }
            all.append(e)
        }
        // A stable sort by municipality: each municipality's establishments in file order.
        var positions: [MunicipalityCode: [Int]] = [:]
        for i in all.indices { positions[all[i].municipality, default: []].append(i) }
        return positions.keys.sorted().flatMap { positions[$0]!.map { all[$0] } }
    }

    /// Reads `clean/workers.csv` into per-municipality groups of establishment clusters
    /// (clusters in establishment-number order, so every sum is deterministic).
    static func readWorkers(_ layout: RunLayout) throws -> [MunicipalityCode: WorkerGroup] {
        let totals = Box(WorkerTotals(path: RunFiles.workers.path(in: layout)))
        // This thread parses while another adds the rows up, in file order (the same sums). The
        // sums are a struct reached once per batch: a class's stored properties would be checked
        // for exclusive access at every row.
        let handOff = SerialHandOff<CSVRecord> { records in try totals.value.add(records) }
        try RunFiles.workers.stream(in: layout) { try handOff.add($0) }
        try handOff.finish()
        return totals.value.groups()
    }

    /// The sums of `clean/workers.csv`, added up row by row on one thread.
    ///
    /// Codes are looked up as packed integers (a million rows: no String and no SipHash per
    /// row). Establishments are kept in the order first seen, each with the municipality of its
    /// first row.
    struct WorkerTotals {
        typealias Column = CleanWorkerColumn
        let path: FilePath
        var establishmentSlots = CodeKeyIndex(capacity: 1 << 16)
        var clusters: [(key: Int, municipality: Int32, cluster: WorkerCluster)] = []
        var municipalitySlots = CodeKeyIndex(capacity: 512)
        var municipalities: [MunicipalityCode] = []
        var wages: [[Double]] = []
        var wageEstablishments: [[Int]] = []
        let municipality = ColumnIndex(Column.municipalityCode), establishment = ColumnIndex(Column.establishmentID)
        let employment = ColumnIndex(Column.employmentType), wage = ColumnIndex(Column.monthlyWage)
        let intention = ColumnIndex(Column.intentionToContinue)
        let age = ColumnIndex(Column.age), tenure = ColumnIndex(Column.tenureYears)
        let regular = Array(EmploymentType.regular.code.utf8)

        init(path: FilePath) { self.path = path }

        /// One row's figures, read before any establishment is looked up.
        struct Parsed {
            var establishment: Int
            var municipality: Int32
            var intention: IntentionAnswer?
            var regularWage: Double?
            var age: Double?
            var tenure: Double?
        }
        /// A batch's rows and their establishments' slots, kept for the next batch.
        private var parsed: [Parsed] = []
        private var slots: [Int32] = []

        /// Adds a batch of rows, in order.
        ///
        /// In three passes: the cells are read, then every row's establishment is looked up, then
        /// each is added to its establishment. In a million rows in random establishment order each
        /// look-up and each cluster is a cache miss; loops this short let the processor wait for
        /// many of them at once, where one long loop per row waited for each in turn. The sums
        /// are still added in file order.
        mutating func add(_ records: [CSVRecord]) throws {
            parsed.removeAll(keepingCapacity: true)
            for r in records { try r.withFields { try parse($0, line: r.line) } }
            slots.removeAll(keepingCapacity: true)
            for p in parsed {
                if let known = establishmentSlots[p.establishment] {
                    slots.append(known)
                } else {
                    let slot = Int32(clusters.count)
                    clusters.append((p.establishment, p.municipality, WorkerCluster()))
                    establishmentSlots.set(p.establishment, slot)
                    slots.append(slot)
                }
            }
            for (p, slot) in zip(parsed, slots) {
                clusters[Int(slot)].cluster.add(
                    wage: p.regularWage, intention: p.intention, age: p.age, tenure: p.tenure)
                if let w = p.regularWage {
                    wages[Int(p.municipality)].append(w)
                    wageEstablishments[Int(p.municipality)].append(p.establishment)
                }
            }
        }

        /// Clean wrote plain numbers: read them from bytes (no String per cell).
        @inline(__always)
        func number(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
            NumberParser.plain(b) ?? (b.isEmpty ? nil : Double(String(decoding: b, as: UTF8.self)))
        }

        func key(_ r: CSVFields, line: Int, _ index: ColumnIndex<Column>, _ column: Column) throws -> Int {
            let b = r[index]
            // A 事業所番号 in EstablishmentID's form, checked on the bytes: a million rows.
            guard column != .establishmentID || EstablishmentID.isWellFormed(b), let k = CodeKey.pack(b) else {
                throw StageFailure(
                    .data, at: .init(file: path, line: line, field: column.rawValue),
                    "\"\(String(decoding: b, as: UTF8.self))\" is not a code clean writes; run clean again")
            }
            return k
        }

        /// Reads one row through byte views of its fields (a slice per cell would retain the
        /// record).
        private mutating func parse(_ r: CSVFields, line: Int) throws {
            let mKey = try key(r, line: line, municipality, .municipalityCode)
            let m: Int32
            if let known = municipalitySlots[mKey] {
                m = known
            } else {
                let text = String(decoding: r[municipality], as: UTF8.self)
                guard let code = MunicipalityCode(text) else {
                    throw StageFailure(
                        .data, at: .init(file: path, line: line, field: Column.municipalityCode.rawValue),
                        "\"\(text)\" is not \(MunicipalityCode.expectedInCell); run clean again")
                }
                municipalities.append(code)
                wages.append([])
                wageEstablishments.append([])
                m = Int32(municipalities.count - 1)
                municipalitySlots.set(mKey, m)
            }
            let answer = r[intention]
            parsed.append(
                Parsed(
                    establishment: try key(r, line: line, establishment, .establishmentID), municipality: m,
                    intention: answer.count == 1 ? IntentionAnswer(digit: answer[0]) : nil,
                    regularWage: r[employment].elementsEqual(regular) ? number(r[wage]) : nil, age: number(r[age]),
                    tenure: number(r[tenure])))
        }

        /// Per municipality: clusters in establishment-number order (keys sort as the numbers
        /// do), regular wages in file order.
        mutating func groups() -> [MunicipalityCode: WorkerGroup] {
            clusters.sort { $0.key < $1.key }
            var groups: [MunicipalityCode: WorkerGroup] = [:]
            for c in clusters {
                var cluster = c.cluster
                cluster.establishment = c.key
                groups[municipalities[Int(c.municipality)], default: WorkerGroup()].clusters.append(cluster)
            }
            for (m, list) in wages.enumerated() where !list.isEmpty {
                groups[municipalities[m], default: WorkerGroup()].regularWages = list
                groups[municipalities[m], default: WorkerGroup()].regularWageEstablishments = wageEstablishments[m]
            }
            return groups
        }
    }

    /// The indicators a pipeline computes: worker ones only with a worker survey, the response
    /// rate only with a frame; in identifier order (the row order of `indicators.csv`).
    package static func indicators(_ c: Settings) -> [Indicator] {
        Indicator.fileOrder.filter {
            ($0.workerBased ? c.hasWorkers : true) && ($0 != .responseRate || c.hasFrame)
                && ($0.form != .estimatedTotal || c.weighted)
        }
    }

    /// Computes the unsuppressed rows for every municipality of the master and the prefecture,
    /// sorted by municipality code then indicator.
    package static func computeRows(_ inputs: Inputs, settings c: Settings) -> [IndicatorRow] {
        var rows: [IndicatorRow] = []
        let prefCode = c.prefectureMunicipalityCode
        let prefName = PrefectureWording(code: c.prefectureCode).name
        var targets: [(code: MunicipalityCode, name: String, data: AreaData, largest: Largest)] = inputs.master.map {
            ($0.code, $0.name, inputs.areas[$0.code] ?? AreaData(), inputs.largest[$0.code] ?? [:])
        }
        targets.append((prefCode, prefName, inputs.prefecture, inputs.prefectureLargest))
        let names = indicators(c)
        let sortedTargets = targets.sorted(by: { $0.code < $1.code })
        // Areas are independent: compute them on all cores, assemble in code order.
        let computed = parallelMap(sortedTargets.indices) { IndicatorComputer.compute(sortedTargets[$0].data) }
        for (target, values) in zip(sortedTargets, computed) {
            for ind in names {
                // nil only where the area's data does not measure it (a municipality missing from the
                // frame has no response rate): an empty row with n = 0, as for no respondents.
                var estimate = values[ind] ?? Estimate(n: 0)
                estimate.reliability = reliability(ind, estimate, census: target.data.census)
                var row = IndicatorRow(
                    wave: c.wave, code: target.code, name: target.name, indicator: ind, estimate: estimate,
                    largestContribution: target.largest[ind]?.largest)
                row.respondentSum = target.largest[ind]?.sum
                rows.append(row)
            }
        }
        return rows
    }

    /// The unsuppressed rows of every 圏域 and of the service-group tables (empty when the master
    /// names no 圏域 and figures are not weighted).
    package static func areaRows(_ inputs: Inputs, settings c: Settings) -> [AreaIndicatorRow] {
        let groups = (c.weighting?.serviceGroups.map(\.name) ?? []) + [ServiceGroup.other]
        return AreaTables.rows(
            inputs, groups: groups, indicators: indicators(c), wave: c.wave,
            prefectureName: PrefectureWording(code: c.prefectureCode).name)
    }

    /// 全数 for an establishment-survey estimate of an area whose frame establishments all
    /// answered; 参考値 for an estimate whose coefficient of variation is over 30%, or whose SE is 0
    /// outside a census (its precision is unknown).
    static func reliability(_ indicator: Indicator, _ e: Estimate, census: Bool) -> Reliability? {
        guard e.value != nil, e.se != nil, !indicator.form.isCount || indicator.form == .estimatedTotal else {
            return nil
        }
        if census && !indicator.workerBased { return .census }
        // An SE of 0 outside a census measures nothing: the area's respondents all sit in complete
        // cells while the rest of its frame was pooled with other municipalities.
        if e.se == 0 { return .reference }
        guard let cv = e.cv, cv > Reliability.maxCV else { return nil }
        return .reference
    }

    package static func run(_ ctx: StageContext, _ c: Settings) throws -> StageResult {
        // Where the stage spends its time, one line in the run's log.
        let clock = ContinuousClock()
        var lap = clock.now
        var laps: [String] = []
        func time(_ what: String) {
            laps.append("\(what) \(formatFixed((clock.now - lap).seconds, digits: 2)) s")
            lap = clock.now
        }
        let inputs = try loadInputs(ctx, hasWorkers: c.hasWorkers, weighting: c.weighting, remember: true)
        time("read the clean files")
        var rows = computeRows(inputs, settings: c)
        time("municipalities and prefecture")
        try RunLayout.makeDirectory(ctx.layout.internal, permissions: 0o700)
        try RunLayout.makeDirectory(ctx.layout.aggregate)

        var areaRows = areaRows(inputs, settings: c)
        time("圏域 and service groups")
        let summary = Disclosure.apply(
            &rows, areas: &areaRows, regions: inputs.master.reduce(into: [:]) { $0[$1.code] = $1.regionCode },
            prefectureCode: c.prefectureMunicipalityCode, c.disclosure)
        try RunFiles.internalAreas.write(areaRows, in: ctx.layout)
        try RunFiles.areas.write(areaRows.filter { $0.serviceGroup == nil }.map(\.published), in: ctx.layout)
        try RunFiles.serviceGroups.write(areaRows.filter { $0.serviceGroup != nil }.map(\.published), in: ctx.layout)
        // The unsuppressed values with the disclosure decision beside them: what the runner loads
        // into the history store once this run is published (never before).
        try RunFiles.internalIndicators.write(rows, in: ctx.layout)
        // The previous wave as it was published, snapshotted into the run so that feedback reads
        // the run folder only (and the runner's hashes cover it).
        var earlier: [IndicatorRow] = []
        var previousPanel: (wave: Wave, units: [PanelUnit])?
        if let history = try HistoryStore.openIfPresent(path: ctx.historyPath) {
            for wave in try history.earlierWaves(before: c.wave, limit: earlierWaves) {
                earlier += try history.rows(wave: wave)
            }
            if let wave = try history.previousWave(before: c.wave) {
                previousPanel = (wave, try history.panel(wave: wave))
            }
        }
        try RunFiles.earlierWaves.write(earlier.map(\.published), in: ctx.layout)
        // The key rates on the establishments that answered both waves, and this wave's parts for
        // the next one.
        time("disclosure control and the published files")
        try RunFiles.panel.write(PanelChanges.rows(inputs), in: ctx.layout)
        time("panel written")
        var changes: [PanelChangeRow] = []
        if let previousPanel, !previousPanel.units.isEmpty {
            changes = PanelChanges.compute(
                inputs, previous: previousPanel.units, previousWave: previousPanel.wave, published: rows,
                earlier: earlier, prefectureCode: c.prefectureMunicipalityCode,
                prefectureName: PrefectureWording(code: c.prefectureCode).name,
                minEstablishments: c.disclosure.minEstablishments)
        }
        try RunFiles.panelChanges.write(changes, in: ctx.layout)
        try RunFiles.indicators.write(rows.map(\.published), in: ctx.layout)
        try RunFiles.disclosure.write(summary, in: ctx.layout)
        // Small-area estimates: published only where the direct value is (an EBLUP mixes the
        // direct value in, so a suppressed cell's would leak it).
        time("panel changes")
        var smallArea = SmallAreaEstimates.compute(
            rows, master: inputs.master, prefectureCode: c.prefectureMunicipalityCode,
            minimumEstablishments: c.disclosure.minEstablishments,
            frameSizes: inputs.areas.compactMapValues(\.frameSize), serviceMix: inputs.serviceMix,
            context: RunFiles.context.exists(in: ctx.layout)
                ? ContextFigures.latest(try RunFiles.context.read(ctx)) : [])
        let suppressed = Set(rows.filter(\.suppressed).map { ($0.code, $0.indicator) }.map(CellKey.init))
        for i in smallArea.rows.indices {
            let r = smallArea.rows[i]
            smallArea.rows[i].published = !suppressed.contains(CellKey(r.municipality, r.indicator))
        }
        try RunFiles.internalSmallArea.write(smallArea.rows, in: ctx.layout)
        try RunFiles.smallArea.write(
            smallArea.rows.filter(\.published).map {
                SmallAreaEstimate(
                    municipality: $0.municipality, indicator: $0.indicator, value: $0.benchmarked,
                    se: $0.mse.squareRoot())
            }, in: ctx.layout)
        for line in smallArea.log { ctx.logger.info("small-area estimates: \(line)") }
        var counts = [
            "cells": rows.count, "suppressed_threshold": summary.threshold,
            "suppressed_dominance": summary.dominance, "suppressed_secondary": summary.secondary,
            "weighted": inputs.design != nil ? 1 : 0,
        ]
        if let design = inputs.design {
            // The two largest files aggregate writes, one per core.
            let written = parallelMap([0, 1]) { part in
                Result {
                    if part == 0 {
                        try RunFiles.weights.write(inputs.weights, in: ctx.layout)
                    } else if c.hasWorkers {
                        try RunFiles.workerWeights.write(inputs.workerWeights, in: ctx.layout)
                    }
                }
            }
            for w in written { try w.get() }
            var areas = inputs.master.map { (code: $0.code, data: inputs.areas[$0.code] ?? AreaData()) }
            areas.append((c.prefectureMunicipalityCode, inputs.prefecture))
            try RunFiles.weighting.write(WorkerDesign.summaries(areas.sorted { $0.code < $1.code }), in: ctx.layout)
            counts["weighting_strata"] = design.strata.count
            counts["weighting_collapsed"] = design.collapses.count
            counts["worker_weights_capped"] = inputs.workerWeights.filter(\.capped).count
            ctx.logger.info(
                "weighted to the frame: \(design.strata.count) strata, \(design.collapses.count) collapsed cells")
            for line in design.collapses { ctx.logger.debug("\(line)") }
            if design.unrepresented > 0 {
                ctx.logger.warning(
                    "\(design.unrepresented) establishments of the frame have no respondent in the frame to stand for them; estimated totals leave them out"
                )
            }
        } else {
            ctx.logger.info(
                "figures are not weighted (\(c.weighting == nil ? "no frame" : "[weights] method = \"none\""))")
        }
        let message =
            "\(rows.count) cells; suppressed \(summary.threshold) threshold, \(summary.dominance) dominance, "
            + "\(summary.secondary) secondary"
        ctx.logger.info("\(message)")
        time("small-area estimates and the rest")
        ctx.logger.info("time: \(laps.joined(separator: "; "))")
        return StageResult(counts: counts)
    }
}
