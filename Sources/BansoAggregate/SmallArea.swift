import BansoCore
import Foundation

/// The Fay–Herriot area-level model: small-area estimates for municipalities whose direct
/// estimates rest on few respondents.
///
/// θ̂ᵢ = xᵢ'β + vᵢ + eᵢ with vᵢ ~ N(0, σᵥ²) between areas and eᵢ ~ N(0, ψᵢ) the direct estimate's
/// sampling error (ψᵢ = SEᵢ², taken as known). σᵥ² is estimated by REML with Fisher scoring,
/// β by generalised least squares; the EBLUP is γᵢθ̂ᵢ + (1 − γᵢ)xᵢ'β̂ with γᵢ = σᵥ² ÷ (σᵥ² + ψᵢ), and its
/// MSE the Prasad–Rao estimator for REML, g1 + g2 + 2·g3. This is samplics' `EblupAreaModel`
/// (method "REML"), which the tests check it against.
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
        package init(code: String, direct: Double, variance: Double, covariates: [Double]) {
            self.code = code
            self.direct = direct
            self.variance = variance
            self.covariates = covariates
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
        let y = areas.map(\.direct), psi = areas.map(\.variance)
        var s2 = 1e-6
        var iterations = 0
        var change = tolerance + 1
        while iterations < maxIterations && change > tolerance {
            let v = psi.map { $0 + s2 }
            guard let pm = projection(x, v) else { return nil }
            // P y, tr(P) and tr(P P) (P is symmetric: tr(PP) = Σ pᵢⱼ²).
            var py = [Double](repeating: 0, count: m)
            var trace = 0.0, traceSquared = 0.0
            for i in 0..<m {
                trace += pm[i][i]
                for j in 0..<m {
                    py[i] += pm[i][j] * y[j]
                    traceSquared += pm[i][j] * pm[i][j]
                }
            }
            let ypPy = py.reduce(0) { $0 + $1 * $1 }
            let score = -0.5 * (trace - ypPy)
            let information = 0.5 * traceSquared
            let previous = s2
            s2 += score / information
            change = abs((s2 - previous) / previous)
            iterations += 1
        }
        s2 = max(s2, 0)
        guard let beta = gls(x, y, psi.map { $0 + s2 }) else { return nil }
        return Model(modelVariance: s2, beta: beta, iterations: iterations, converged: change <= tolerance)
    }

    /// The EBLUP and its MSE for every area of the fit.
    package static func predict(_ areas: [Area], _ model: Model) -> [Prediction] {
        let x = areas.map { [1.0] + $0.covariates }
        let s2 = model.modelVariance
        let v = areas.map { $0.variance + s2 }
        guard let inverse = invert(crossProduct(x, v)) else { return [] }
        let sumInverseSquares = v.reduce(0) { $0 + 1 / ($1 * $1) }
        return areas.indices.map { i in
            let a = areas[i]
            let synthetic = zip(x[i], model.beta).reduce(0) { $0 + $1.0 * $1.1 }
            let gamma = s2 / v[i]
            var quadratic = 0.0
            for r in 0..<x[i].count { for c in 0..<x[i].count { quadratic += x[i][r] * inverse[r][c] * x[i][c] } }
            let g1 = gamma * a.variance
            let g2 = (1 - gamma) * (1 - gamma) * quadratic
            let g3 = (1 - gamma) * (1 - gamma) * (2 / sumInverseSquares) / v[i]
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
    package static let indicators: [Indicator] = [.turnoverRate, .hiringRate, .vacancyRate, .shortageShare]

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
    /// (`GeneralisedVariance`); one whose value has no sampling error (全数) keeps it (γ = 1, MSE 0). Benchmarking: every EBLUP is multiplied
    /// by one factor so that the municipalities' values, weighted by their estimated denominators
    /// (Σwx: the staff a year ago for 離職率, the establishments answering for 不足感), average to the
    /// prefecture's direct figure; the MSE is the EBLUP's.
    package static func compute(
        _ rows: [IndicatorRow], master: [MasterEntry], prefectureCode: MunicipalityCode, minimumEstablishments: Int,
        serviceMix: [MunicipalityCode: [Double]] = [:], context: [ContextFigure] = []
    ) -> (
        rows: [SmallAreaRow], log: [String]
    ) {
        var out: [SmallAreaRow] = []
        var log: [String] = []
        let masterByCode = Dictionary(master.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
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
            let smoothed = GeneralisedVariance(candidates.map { ($0.row.estimate.n, $0.row.estimate.se!) })
            for c in candidates {
                guard let psi = smoothed?.variance(n: c.row.estimate.n) else { continue }
                fitted.append(
                    (
                        c.row.code,
                        FayHerriot.Area(
                            code: c.row.code.text, direct: c.row.estimate.value!, variance: psi,
                            covariates: c.covariates),
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
                        variance: f.area.variance,
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
                        covariates: e.covariates, contextCovariates: contextIDs, modelVariance: model.modelVariance,
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

/// A generalised variance function: log ψ = a + b·log n fitted by least squares over the
/// municipalities with a positive SE, ψ̃(n) = exp(a + b·log n + s²/2) (s² the residual variance:
/// the mean of a log-normal).
///
/// A direct variance from 3 to 10 establishments has 2 to 9 degrees of freedom: taken as known, as
/// the Fay–Herriot model takes it, it would make the model trust a lucky small municipality and
/// state intervals far too narrow.
struct GeneralisedVariance {
    var intercept: Double
    var slope: Double
    var residual: Double

    /// Fitted from (n, SE) pairs; nil with fewer than 3 positive SEs or one n only.
    init?(_ pairs: [(n: Int, se: Double)]) {
        let points = pairs.filter { $0.se > 0 && $0.n > 0 }.map {
            (Foundation.log(Double($0.n)), Foundation.log($0.se * $0.se))
        }
        guard points.count >= 3 else { return nil }
        let mx = points.reduce(0) { $0 + $1.0 } / Double(points.count)
        let my = points.reduce(0) { $0 + $1.1 } / Double(points.count)
        let sxx = points.reduce(0) { $0 + ($1.0 - mx) * ($1.0 - mx) }
        guard sxx > 0 else { return nil }
        let b = points.reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) } / sxx
        let a = my - b * mx
        let ss = points.reduce(0) { $0 + pow($1.1 - (a + b * $1.0), 2) }
        slope = b
        intercept = a
        residual = ss / Double(max(1, points.count - 2))
    }

    /// ψ̃ for an estimate from `n` units.
    func variance(n: Int) -> Double? {
        guard n > 0 else { return nil }
        return Foundation.exp(intercept + slope * Foundation.log(Double(n)) + residual / 2)
    }
}
