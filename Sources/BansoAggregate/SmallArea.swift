import BansoCore
import Foundation

/// The Fay–Herriot area-level model: small-area estimates for municipalities whose direct
/// estimates rest on few respondents.
///
/// θ̂ᵢ = xᵢ'β + bᵢvᵢ + eᵢ with vᵢ ~ N(0, σᵥ²) between areas, bᵢ a known scale of area i's effect
/// (Rao and Molina, *Small Area Estimation*, 2015, §4.2: 1 in the basic model) and eᵢ ~ N(0, ψᵢ)
/// the direct estimate's sampling error (ψᵢ taken as known). σᵥ² is estimated by REML with Fisher
/// scoring, β by generalised least squares; the EBLUP is γᵢθ̂ᵢ + (1 − γᵢ)xᵢ'β̂ with
/// γᵢ = σᵥ²bᵢ² ÷ (σᵥ²bᵢ² + ψᵢ), and its MSE the Prasad–Rao estimator for REML, g1 + g2 + 2·g3. This is
/// samplics' `EblupAreaModel` (method "REML", `b_const` = bᵢ), which the tests check it against;
/// for g3 with unequal bᵢ samplics keeps the basic model's form, and this the Prasad–Rao term
/// of the model with bᵢ: g3ᵢ = bᵢ⁴ψᵢ² ÷ (σᵥ²bᵢ² + ψᵢ)³ · 2 ÷ Σⱼ bⱼ⁴ ÷ (σᵥ²bⱼ² + ψⱼ)², the same when every bᵢ is 1.
package enum FayHerriot {
    /// One area in the model.
    package struct Area: Sendable, Equatable {
        package var code: String
        /// The direct estimate θ̂ᵢ.
        package var direct: Double
        /// Its sampling variance ψᵢ (> 0).
        package var variance: Double
        /// The covariates xᵢ, without the intercept (added here).
        package var covariates: [Double]
        /// bᵢ², the scale of the area's random effect: its variance is σᵥ²bᵢ².
        package var effectScale: Double
        package init(code: String, direct: Double, variance: Double, covariates: [Double], effectScale: Double = 1) {
            self.code = code
            self.direct = direct
            self.variance = variance
            self.covariates = covariates
            self.effectScale = effectScale
        }
    }

    /// The fitted model.
    package struct Model: Sendable {
        /// σᵥ², at least 0.
        package var modelVariance: Double
        /// β̂, the intercept first.
        package var beta: [Double]
        package var iterations: Int
        package var converged: Bool
    }

    /// One area's small-area estimate.
    package struct Prediction: Sendable, Equatable {
        package var code: String
        package var gamma: Double
        /// xᵢ'β̂.
        package var synthetic: Double
        package var eblup: Double
        package var mse: Double
    }

    /// Fits σᵥ² (REML, Fisher scoring from σᵥ² = 10⁻⁶ until the relative change is below `tolerance`)
    /// and β̂; nil when the covariates are collinear or there are no more areas than coefficients.
    ///
    /// When REML puts σᵥ² at or below 0 it is set to 0: the covariates explain the differences
    /// between areas, every γᵢ is 0 and the EBLUP is the regression (synthetic) estimate, whose MSE
    /// is then g2 + 2·g3 (no g1).
    package static func fit(_ areas: [Area], tolerance: Double = 1e-10, maxIterations: Int = 200) -> Model? {
        let m = areas.count
        let x = areas.map { [1.0] + $0.covariates }
        let p = x.first?.count ?? 0
        guard m > p, p > 0 else { return nil }
        let y = areas.map(\.direct), psi = areas.map(\.variance), b2 = areas.map(\.effectScale)
        var s2 = 1e-6
        var iterations = 0
        var change = tolerance + 1
        while iterations < maxIterations && change > tolerance {
            let v = (0..<m).map { psi[$0] + s2 * b2[$0] }
            guard let pm = projection(x, v) else { return nil }
            // With B = diag(bᵢ²): P y, tr(PB) and tr(PBPB) (P is symmetric: tr(PBPB) = Σ pᵢⱼ²bᵢ²bⱼ²).
            var py = [Double](repeating: 0, count: m)
            var trace = 0.0, traceSquared = 0.0
            for i in 0..<m {
                trace += pm[i][i] * b2[i]
                for j in 0..<m {
                    py[i] += pm[i][j] * y[j]
                    traceSquared += pm[i][j] * pm[i][j] * b2[i] * b2[j]
                }
            }
            let ypBPy = (0..<m).reduce(0) { $0 + py[$1] * py[$1] * b2[$1] }
            let score = -0.5 * (trace - ypBPy)
            let information = 0.5 * traceSquared
            let previous = s2
            s2 += score / information
            change = abs((s2 - previous) / previous)
            iterations += 1
        }
        s2 = max(s2, 0)
        guard let beta = gls(x, y, (0..<m).map { psi[$0] + s2 * b2[$0] }) else { return nil }
        return Model(modelVariance: s2, beta: beta, iterations: iterations, converged: change <= tolerance)
    }

    /// The EBLUP and its MSE for every area of the fit.
    package static func predict(_ areas: [Area], _ model: Model) -> [Prediction] {
        let x = areas.map { [1.0] + $0.covariates }
        let s2 = model.modelVariance
        let v = areas.map { $0.variance + s2 * $0.effectScale }
        guard let inverse = invert(crossProduct(x, v)) else { return [] }
        // The asymptotic variance of σ̂ᵥ² (REML): 2 ÷ Σ bⱼ⁴ ÷ vⱼ².
        let varianceOfS2 = 2 / areas.indices.reduce(0) { $0 + pow(areas[$1].effectScale / v[$1], 2) }
        return areas.indices.map { i in
            let a = areas[i]
            let synthetic = zip(x[i], model.beta).reduce(0) { $0 + $1.0 * $1.1 }
            let gamma = s2 * a.effectScale / v[i]
            var quadratic = 0.0
            for r in 0..<x[i].count { for c in 0..<x[i].count { quadratic += x[i][r] * inverse[r][c] * x[i][c] } }
            let g1 = gamma * a.variance
            let g2 = (1 - gamma) * (1 - gamma) * quadratic
            let g3 = pow(a.effectScale * a.variance, 2) / pow(v[i], 3) * varianceOfS2
            return Prediction(
                code: a.code, gamma: gamma, synthetic: synthetic, eblup: gamma * a.direct + (1 - gamma) * synthetic,
                mse: g1 + g2 + 2 * g3)
        }
    }

    /// X'V⁻¹X for diagonal V.
    static func crossProduct(_ x: [[Double]], _ v: [Double]) -> [[Double]] {
        let p = x[0].count
        var out = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
        for i in x.indices {
            for r in 0..<p { for c in 0..<p { out[r][c] += x[i][r] * x[i][c] / v[i] } }
        }
        return out
    }

    /// β̂ = (X'V⁻¹X)⁻¹X'V⁻¹y.
    static func gls(_ x: [[Double]], _ y: [Double], _ v: [Double]) -> [Double]? {
        guard let inverse = invert(crossProduct(x, v)) else { return nil }
        let p = x[0].count
        var xty = [Double](repeating: 0, count: p)
        for i in x.indices { for r in 0..<p { xty[r] += x[i][r] * y[i] / v[i] } }
        return (0..<p).map { r in (0..<p).reduce(0) { $0 + inverse[r][$1] * xty[$1] } }
    }

    /// P = V⁻¹ − V⁻¹X(X'V⁻¹X)⁻¹X'V⁻¹ for diagonal V.
    static func projection(_ x: [[Double]], _ v: [Double]) -> [[Double]]? {
        guard let inverse = invert(crossProduct(x, v)) else { return nil }
        let m = x.count, p = x[0].count
        // A = X(X'V⁻¹X)⁻¹ (m × p), then P = V⁻¹ − V⁻¹ A X' V⁻¹.
        let a = x.map { row in (0..<p).map { c in (0..<p).reduce(0) { $0 + row[$1] * inverse[$1][c] } } }
        var out = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
        for i in 0..<m {
            for j in 0..<m {
                var axt = 0.0
                for k in 0..<p { axt += a[i][k] * x[j][k] }
                out[i][j] = (i == j ? 1 / v[i] : 0) - axt / (v[i] * v[j])
            }
        }
        return out
    }

    /// The inverse of a small symmetric positive-definite matrix (Gauss–Jordan with partial
    /// pivoting); nil when it is singular to working precision (collinear covariates).
    static func invert(_ matrix: [[Double]]) -> [[Double]]? {
        let n = matrix.count
        var a = matrix
        var inverse = (0..<n).map { r in (0..<n).map { $0 == r ? 1.0 : 0.0 } }
        let scale = matrix.indices.map { abs(matrix[$0][$0]) }.max() ?? 0
        for col in 0..<n {
            guard let pivot = (col..<n).max(by: { abs(a[$0][col]) < abs(a[$1][col]) }),
                abs(a[pivot][col]) > 1e-12 * max(scale, 1e-300)
            else { return nil }
            a.swapAt(col, pivot)
            inverse.swapAt(col, pivot)
            let d = a[col][col]
            for k in 0..<n {
                a[col][k] /= d
                inverse[col][k] /= d
            }
            for r in 0..<n where r != col {
                let f = a[r][col]
                guard f != 0 else { continue }
                for k in 0..<n {
                    a[r][k] -= f * a[col][k]
                    inverse[r][k] -= f * inverse[col][k]
                }
            }
        }
        return inverse
    }
}

/// The small-area estimates of one wave: a Fay–Herriot model per indicator over the
/// municipalities' direct estimates, benchmarked to the prefecture.
package enum SmallAreaEstimates {
    /// The indicators modelled: the rates a small municipality most needs and can least estimate.
    package static let indicators = Indicator.keyRates

    /// The service groups whose share of a municipality's frame is a covariate (with weighting):
    /// turnover and vacancies differ by service, and so do the municipalities' mixes.
    package static let mixGroups = ["訪問", "通所", "施設", "居住"]

    /// The master's covariates of a municipality: log population, 高齢化率, 後期高齢者割合, log
    /// population density; nil when the master cannot give them (no population or area).
    static func covariates(_ m: MasterEntry) -> [Double]? {
        guard m.population > 0, m.area > 0 else { return nil }
        return [
            Foundation.log(m.population), m.aged65 / m.population, m.aged75 / m.population,
            Foundation.log(m.population / m.area),
        ]
    }

    /// One row per modelled municipality and indicator (`published` still false), and a line per
    /// indicator for the log.
    ///
    /// Municipalities with a direct value from at least `minimumEstablishments` establishments (the
    /// disclosure threshold) are fitted, with their sampling variance smoothed
    /// (`GeneralisedVariance`) and, with a frame, their random effect scaled by bᵢ² = 1 ÷ Nᵢ (the
    /// establishments of the municipality's frame): a municipality's true figure strays from what
    /// its covariates predict by as much as the average over its few establishments does, so the
    /// 8 establishments of a village stray further than a city's 800. One whose value has no
    /// sampling error (全数) keeps it (γ = 1, MSE 0). Benchmarking: every EBLUP is multiplied
    /// by one factor so that the municipalities' values, weighted by their estimated denominators
    /// (Σwx: the staff a year ago for 離職率, the establishments answering for 不足感), average to the
    /// prefecture's direct figure; the MSE is the EBLUP's.
    package static func compute(
        _ rows: [IndicatorRow], master: [MasterEntry], prefectureCode: MunicipalityCode, minimumEstablishments: Int,
        frameSizes: [MunicipalityCode: Int] = [:], serviceMix: [MunicipalityCode: [Double]] = [:],
        context: [ContextFigure] = []
    ) -> (
        rows: [SmallAreaRow], log: [String]
    ) {
        var out: [SmallAreaRow] = []
        var log: [String] = []
        let masterByCode = Dictionary(master.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        /// bᵢ² = 1 ÷ Nᵢ (respondents outside the frame count too); 1 without a frame.
        func effectScale(_ code: MunicipalityCode, n: Int) -> Double {
            frameSizes[code].map { 1 / Double(max($0, n, 1)) } ?? 1
        }
        for indicator in indicators {
            let cells = rows.filter { $0.indicator == indicator && $0.code != prefectureCode }
            guard
                let prefecture = rows.first(where: { $0.indicator == indicator && $0.code == prefectureCode })?
                    .estimate.value
            else { continue }
            var fitted: [(code: MunicipalityCode, area: FayHerriot.Area, weight: Double, raw: Double)] = []
            var exact: [(row: IndicatorRow, covariates: [Double])] = []
            var candidates: [(row: IndicatorRow, covariates: [Double])] = []
            for r in cells.sorted(by: { $0.code < $1.code }) {
                guard r.estimate.value != nil, let se = r.estimate.se, let m = masterByCode[r.code],
                    let base = covariates(m)
                else { continue }
                let x = serviceMix.isEmpty ? base : base + (serviceMix[r.code] ?? mixGroups.map { _ in 0 })
                if se == 0 && r.estimate.reliability == .census {
                    exact.append((r, x))
                } else if r.estimate.n >= minimumEstablishments {
                    // Fewer establishments than disclosure allows: too erratic to inform the model
                    // (100% from one establishment), and never published.
                    candidates.append((r, x))
                }
            }
            // The sampling variances the model takes as known are smoothed: a municipality's own
            // variance rests on a handful of establishments and is as noisy as its estimate.
            let smoothed = GeneralisedVariance(
                candidates.map { ($0.row.estimate.n, frameSizes[$0.row.code], $0.row.estimate.se!) })
            for c in candidates {
                let frameSize = frameSizes[c.row.code]
                guard let psi = smoothed?.variance(n: c.row.estimate.n, frameSize: frameSize) else { continue }
                fitted.append(
                    (
                        c.row.code,
                        FayHerriot.Area(
                            code: c.row.code.text, direct: c.row.estimate.value!, variance: psi,
                            covariates: c.covariates,
                            effectScale: effectScale(c.row.code, n: c.row.estimate.n)),
                        c.row.estimate.denominator ?? 0, c.row.estimate.se! * c.row.estimate.se!
                    ))
            }
            // The context figures every modelled municipality has are covariates too, while there
            // are at least three modelled municipalities per coefficient.
            var contextIDs: [String] = []
            var contextValue: [MunicipalityCode: [String: Double]] = [:]
            for f in context { if let v = f.value { contextValue[f.municipality, default: [:]][f.id] = v } }
            let codes = fitted.map(\.code) + exact.map(\.row.code)
            let baseCount = 1 + (fitted.first?.area.covariates.count ?? 0)
            for id in Set(context.map(\.id)).sorted()
            where codes.allSatisfy({ contextValue[$0]?[id] != nil })
                && fitted.count >= 3 * (baseCount + contextIDs.count + 1)
            {
                contextIDs.append(id)
            }
            for i in fitted.indices {
                fitted[i].area.covariates += contextIDs.map { contextValue[fitted[i].code]![$0]! }
            }
            for i in exact.indices { exact[i].covariates += contextIDs.map { contextValue[exact[i].row.code]![$0]! } }
            var fit = FayHerriot.fit(fitted.map(\.area))
            // Without the service mix and the context figures when they leave the covariates
            // collinear.
            if fit == nil, fitted.first.map({ $0.area.covariates.count > 4 }) == true {
                contextIDs = []
                for i in fitted.indices { fitted[i].area.covariates = Array(fitted[i].area.covariates.prefix(4)) }
                for i in exact.indices { exact[i].covariates = Array(exact[i].covariates.prefix(4)) }
                fit = FayHerriot.fit(fitted.map(\.area))
            }
            let areas = fitted.map(\.area)
            guard let model = fit else {
                log.append("\(indicator.rawValue): no small-area model (\(areas.count) municipalities with an SE)")
                continue
            }
            let predictions = FayHerriot.predict(areas, model)
            let exactWeight = exact.reduce(0) { $0 + ($1.row.estimate.denominator ?? 0) }
            let exactSum = exact.reduce(0) { $0 + ($1.row.estimate.denominator ?? 0) * ($1.row.estimate.value ?? 0) }
            let fittedWeight = fitted.reduce(0) { $0 + $1.weight }
            let fittedSum = zip(fitted, predictions).reduce(0) { $0 + $1.0.weight * $1.1.eblup }
            let factor = fittedSum > 0 ? (prefecture * (fittedWeight + exactWeight) - exactSum) / fittedSum : 1
            for (f, p) in zip(fitted, predictions) {
                out.append(
                    SmallAreaRow(
                        municipality: f.code, indicator: indicator, direct: f.area.direct, directVariance: f.raw,
                        variance: f.area.variance, effectScale: f.area.effectScale,
                        covariates: f.area.covariates, contextCovariates: contextIDs,
                        modelVariance: model.modelVariance, gamma: p.gamma,
                        synthetic: p.synthetic, eblup: p.eblup, benchmarked: p.eblup * factor, mse: p.mse,
                        published: false))
            }
            for e in exact {
                let v = e.row.estimate.value ?? 0
                let synthetic = zip([1.0] + e.covariates, model.beta).reduce(0) { $0 + $1.0 * $1.1 }
                out.append(
                    SmallAreaRow(
                        municipality: e.row.code, indicator: indicator, direct: v, directVariance: 0, variance: 0,
                        effectScale: effectScale(e.row.code, n: e.row.estimate.n), covariates: e.covariates,
                        contextCovariates: contextIDs, modelVariance: model.modelVariance,
                        gamma: 1, synthetic: synthetic,
                        eblup: v, benchmarked: v, mse: 0, published: false))
            }
            log.append(
                "\(indicator.rawValue): σv² = \(formatFixed(model.modelVariance, digits: 3)) over \(areas.count) "
                    + "municipalities, benchmark factor \(formatFixed(factor, digits: 4))")
        }
        return (out.sorted { ($0.municipality, $0.indicator.rawValue) < ($1.municipality, $1.indicator.rawValue) }, log)
    }
}

/// A generalised variance function of a sample mean's form, ψ̃ = c · (1 − f) ÷ n.
///
/// n is the establishments behind the value and f = n ÷ N its share of the municipality's frame
/// (0 without a frame). log c is the mean of log(SE² · n ÷ (1 − f)) over the
/// municipalities with a positive SE, plus half its variance s² (the mean of a log-normal).
///
/// A direct variance from 3 to 10 establishments has 2 to 9 degrees of freedom: taken as known, as
/// the Fay–Herriot model takes it, it would make the model trust a lucky small municipality and
/// state intervals far too narrow. The slope in n is the sampling theory's, not fitted: a fitted
/// one follows the noise of the few small municipalities, and the finite-population factor keeps
/// a municipality where most establishments answered from being given the variance of one where
/// few did.
package struct GeneralisedVariance {
    /// log c, with s²/2 added.
    package var logScale: Double

    /// Fitted from (n, N, SE) triples; nil with fewer than 3 positive SEs.
    package init?(_ points: [(n: Int, frameSize: Int?, se: Double)]) {
        let logs = points.filter { $0.se > 0 && $0.n > 0 }.map {
            Foundation.log($0.se * $0.se * Double($0.n) / (1 - Self.sampledFraction(n: $0.n, frameSize: $0.frameSize)))
        }
        guard logs.count >= 3 else { return nil }
        let mean = logs.reduce(0, +) / Double(logs.count)
        let s2 = logs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(logs.count - 1)
        logScale = mean + s2 / 2
    }

    /// f = n ÷ N; 0 without a frame or when respondents outside the frame make n reach N (no
    /// finite-population correction rather than a variance of 0).
    package static func sampledFraction(n: Int, frameSize: Int?) -> Double {
        guard let frameSize, n < frameSize else { return 0 }
        return Double(n) / Double(frameSize)
    }

    /// ψ̃ for an estimate from `n` of the municipality's `frameSize` establishments.
    package func variance(n: Int, frameSize: Int?) -> Double? {
        guard n > 0 else { return nil }
        return Foundation.exp(logScale) * (1 - Self.sampledFraction(n: n, frameSize: frameSize)) / Double(n)
    }
}
