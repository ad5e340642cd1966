/// One municipality's Fay–Herriot inputs and outputs for one indicator (`internal/small_area.csv`).
package struct SmallAreaRow: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case municipality = "municipality_code"
        case indicator
        case direct
        case directVariance = "direct_variance"
        case variance
        case effectScale = "effect_scale"
        case logPopulation = "log_population"
        case aged65Share = "aged_65_share"
        case aged75Share = "aged_75_share"
        case logDensity = "log_density"
        case homeVisitShare = "home_visit_share"
        case dayServiceShare = "day_service_share"
        case facilityShare = "facility_share"
        case residentialShare = "residential_share"
        case context
        case modelVariance = "model_variance"
        case gamma
        case synthetic
        case eblup
        case benchmarked
        case mse
        case published
    }
    typealias CodingKeys = Column
    package var municipality: MunicipalityCode
    package var indicator: Indicator
    /// The weighted direct estimate and its sampling variance (SE²).
    package var direct: Double
    package var directVariance: Double
    /// The smoothed sampling variance the model took as known (a generalised variance function).
    package var variance: Double
    /// bᵢ², the scale of the municipality's random effect: 1 ÷ the establishments of its frame
    /// (1 without a frame).
    package var effectScale: Double
    package var logPopulation: Double
    package var aged65Share: Double
    package var aged75Share: Double
    package var logDensity: Double
    /// The municipality's frame shares of 訪問, 通所, 施設 and 居住 (with weighting; empty without).
    package var homeVisitShare: Double?
    package var dayServiceShare: Double?
    package var facilityShare: Double?
    package var residentialShare: Double?
    /// The context figures used as covariates, `id=value` joined by `;` (empty when none).
    package var context: String
    /// σᵥ² of the indicator's model (the same on every row of the indicator).
    package var modelVariance: Double
    /// γ = σᵥ²bᵢ² ÷ (σᵥ²bᵢ² + ψ): the direct estimate's share of the EBLUP (1 for a 全数 value).
    package var gamma: Double
    /// The regression estimate x'β̂.
    package var synthetic: Double
    package var eblup: Double
    /// The EBLUP scaled so that the municipalities add up to the prefecture's direct figure.
    package var benchmarked: Double
    /// The EBLUP's mean squared error (Prasad–Rao, REML).
    package var mse: Double
    /// The direct value passed disclosure control, so the estimate is published.
    package var published: Bool

    package init(
        municipality: MunicipalityCode, indicator: Indicator, direct: Double, directVariance: Double, variance: Double,
        effectScale: Double, covariates: [Double], contextCovariates: [String] = [],
        modelVariance: Double, gamma: Double, synthetic: Double, eblup: Double, benchmarked: Double, mse: Double,
        published: Bool
    ) {
        self.municipality = municipality
        self.indicator = indicator
        self.direct = direct
        self.directVariance = directVariance
        self.variance = variance
        self.effectScale = effectScale
        logPopulation = covariates[0]
        aged65Share = covariates[1]
        aged75Share = covariates[2]
        logDensity = covariates[3]
        // Master (4), then the service mix (4, with weighting), then the context figures.
        let mix = covariates.count - 4 - contextCovariates.count == 4 ? Array(covariates[4..<8]) : []
        context = zip(contextCovariates, covariates.suffix(contextCovariates.count)).map { "\($0)=\(formatNumber($1))" }
            .joined(separator: ";")
        homeVisitShare = mix.first
        dayServiceShare = mix.count > 1 ? mix[1] : nil
        facilityShare = mix.count > 2 ? mix[2] : nil
        residentialShare = mix.count > 3 ? mix[3] : nil
        self.modelVariance = modelVariance
        self.gamma = gamma
        self.synthetic = synthetic
        self.eblup = eblup
        self.benchmarked = benchmarked
        self.mse = mse
        self.published = published
    }
}

/// A published small-area estimate (`aggregate/small_area.csv`): 推計値（小地域推定）.
package struct SmallAreaEstimate: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case municipality = "municipality_code"
        case indicator
        case value
        case se
        case cv
    }
    typealias CodingKeys = Column
    package var municipality: MunicipalityCode
    package var indicator: Indicator
    /// The benchmarked EBLUP.
    package var value: Double
    /// √MSE.
    package var se: Double
    package var cv: Double?

    package init(municipality: MunicipalityCode, indicator: Indicator, value: Double, se: Double) {
        self.municipality = municipality
        self.indicator = indicator
        self.value = value
        self.se = se
        cv = value != 0 ? se / abs(value) : nil
    }
}
