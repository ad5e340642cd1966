/// One responding establishment's design weight (`internal/weights.csv`).
package struct EstablishmentWeightRow: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case establishmentID = "establishment_id"
        case municipality = "municipality_code"
        case serviceGroup = "service_group"
        case cell
        case frameCount = "frame_count"
        case respondents
        case baseWeight = "base_weight"
        case weight
    }
    typealias CodingKeys = Column
    package var establishmentID: EstablishmentID
    package var municipality: MunicipalityCode
    package var serviceGroup: String
    /// The stratum after collapsing (`202011:施設`, `全域:統合`, `枠外:202011`).
    package var cell: String
    /// N: the frame's establishments in the cell.
    package var frameCount: Int
    /// n: the cell's responding establishments.
    package var respondents: Int
    /// N ÷ n.
    package var baseWeight: Double
    /// The base weight raked to the service groups' frame counts (the weight every estimate uses).
    package var weight: Double

    package init(
        establishmentID: EstablishmentID, municipality: MunicipalityCode, serviceGroup: String, cell: String,
        frameCount: Int,
        respondents: Int, baseWeight: Double, weight: Double
    ) {
        self.establishmentID = establishmentID
        self.municipality = municipality
        self.serviceGroup = serviceGroup
        self.cell = cell
        self.frameCount = frameCount
        self.respondents = respondents
        self.baseWeight = baseWeight
        self.weight = weight
    }
}

/// One establishment's worker weight (`internal/worker_weights.csv`): its design weight times
/// its staff over its answering workers, capped.
package struct WorkerWeightRow: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case establishmentID = "establishment_id"
        case municipality = "municipality_code"
        case cell
        case frameCount = "frame_count"
        case establishmentWeight = "establishment_weight"
        case staff
        case answering = "answering_workers"
        case factor
        case capped
        case workerWeight = "worker_weight"
    }
    typealias CodingKeys = Column
    package var establishmentID: EstablishmentID
    package var municipality: MunicipalityCode
    package var cell: String
    /// N of the cell (for an establishment outside the frame, the worker survey's own count).
    package var frameCount: Double
    package var establishmentWeight: Double
    /// All staff the establishment reported (empty when it did not answer the establishment survey).
    package var staff: Double?
    package var answering: Int
    /// staff ÷ answering workers (1 without staff, or when fewer staff than answers), at most the cap.
    package var factor: Double
    package var capped: Bool
    package var workerWeight: Double

    package init(
        establishmentID: EstablishmentID, municipality: MunicipalityCode, cell: String, frameCount: Double,
        establishmentWeight: Double,
        staff: Double?,
        answering: Int, factor: Double, capped: Bool, workerWeight: Double
    ) {
        self.establishmentID = establishmentID
        self.municipality = municipality
        self.cell = cell
        self.frameCount = frameCount
        self.establishmentWeight = establishmentWeight
        self.staff = staff
        self.answering = answering
        self.factor = factor
        self.capped = capped
        self.workerWeight = workerWeight
    }
}

/// The weights of one area (`internal/weighting.csv`): their range and Kish's design effect.
package struct WeightingSummaryRow: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case municipality = "municipality_code"
        case survey
        case respondents
        case weightSum = "weight_sum"
        case weightMin = "weight_min"
        case weightMax = "weight_max"
        case kishDeff = "kish_deff"
    }
    typealias CodingKeys = Column
    package var municipality: MunicipalityCode
    /// `establishments` or `workers` (worker weights per answering worker).
    package var survey: String
    package var respondents: Int
    package var weightSum: Double
    package var weightMin: Double
    package var weightMax: Double
    /// 1 + CV² of the weights: n Σw² ÷ (Σw)².
    package var kishDeff: Double

    package init(
        municipality: MunicipalityCode, survey: String, respondents: Int, weightSum: Double, weightMin: Double,
        weightMax: Double, kishDeff: Double
    ) {
        self.municipality = municipality
        self.survey = survey
        self.respondents = respondents
        self.weightSum = weightSum
        self.weightMin = weightMin
        self.weightMax = weightMax
        self.kishDeff = kishDeff
    }

    /// The summary of `weights` (one per unit), nil when there are none.
    package init?(municipality: MunicipalityCode, survey: String, weights: [Double]) {
        guard let lo = weights.min(), let hi = weights.max() else { return nil }
        let sum = weights.reduce(0, +), squares = weights.reduce(0) { $0 + $1 * $1 }
        self.init(
            municipality: municipality, survey: survey, respondents: weights.count, weightSum: sum, weightMin: lo,
            weightMax: hi, kishDeff: Double(weights.count) * squares / (sum * sum))
    }
}
