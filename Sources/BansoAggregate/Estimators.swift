import BansoCore
import Foundation

/// The estimators of the indicator contract.
package enum Estimators {
    static let z = Estimate.z95

    /// Ratio r = Σy ÷ Σx over clusters (establishments), with the clustered standard error SE = sqrt(n/(n−1) · Σ(yᵢ −
    /// r·xᵢ)²) ÷ Σx, times sqrt(1 − n/N) when the frame gives N.
    ///
    /// `scale` is 100 for percentages; the interval is clipped to [0, 100] for them and at 0 below.
    package static func ratio(_ pairs: [(y: Double, x: Double)], scale: Double, frameSize: Int?, percentage: Bool)
        -> Estimate
    {
        let n = pairs.count
        var sy = 0.0, sx = 0.0
        for p in pairs {
            sy += p.y
            sx += p.x
        }
        guard n > 0 else { return Estimate(n: 0) }
        guard sx > 0 else { return Estimate(value: nil, numerator: sy, denominator: sx, n: n) }
        let r = sy / sx
        var est = Estimate(value: r * scale, numerator: sy, denominator: sx, n: n)
        guard n >= 2 else { return est }
        var ss = 0.0
        for p in pairs {
            let d = p.y - r * p.x
            ss += d * d
        }
        var se = (Double(n) / Double(n - 1) * ss).squareRoot() / sx
        if let big = frameSize, big > 0 { se *= max(0, 1 - Double(n) / Double(big)).squareRoot() }
        var lo = (r - z * se) * scale
        var hi = (r + z * se) * scale
        lo = max(0, lo)
        if percentage { hi = min(100, hi) }
        est.ciLow = lo
        est.ciHigh = hi
        est.se = se * scale
        est.method = .linearised
        return est
    }

    /// Wilson score interval for k successes in n trials, as percentages.
    package static func wilson(successes k: Int, trials n: Int) -> (low: Double, high: Double) {
        wilson(share: Double(k) / Double(n), size: Double(n))
    }

    /// Wilson score interval for a share `p` (0–1) from a sample of (effective) size `size`.
    static func wilson(share p: Double, size nn: Double) -> (low: Double, high: Double) {
        let z2 = z * z
        let denom = 1 + z2 / nn
        let center = (p + z2 / (2 * nn)) / denom
        let half = z * (p * (1 - p) / nn + z2 / (4 * nn * nn)).squareRoot() / denom
        return (max(0, center - half) * 100, min(1, center + half) * 100)
    }

    /// The binomial standard error at the Wilson interval's centre (Agresti–Coull).
    ///
    /// √(p̃(1−p̃)/ñ) with ñ = n + z² and p̃ = (k + z²/2)/ñ. Unlike √(p(1−p)/n) it is never 0 at 0% or 100%, where
    /// a 3-answer municipality's share is as uncertain as any.
    package static func agrestiCoullSE(successes k: Int, trials n: Int) -> Double {
        let nn = Double(n) + z * z
        let p = (Double(k) + z * z / 2) / nn
        return (p * (1 - p) / nn).squareRoot()
    }

    /// Share of establishments answering in `hits` among those answering at all.
    package static func share(successes k: Int, trials n: Int) -> Estimate {
        guard n > 0 else { return Estimate(n: 0) }
        var e = Estimate(value: Double(k) / Double(n) * 100, numerator: Double(k), denominator: Double(n), n: n)
        if n >= 2 {
            let w = wilson(successes: k, trials: n)
            e.ciLow = w.low
            e.ciHigh = w.high
            e.se = agrestiCoullSE(successes: k, trials: n) * 100
            e.method = .wilson
        }
        return e
    }

    // MARK: weighted (design-based) estimators

    /// One unit of a weighted estimator: its stratum in the design, its weight, its values.
    package struct WeightedUnit: Sendable {
        package var stratum: Int32
        package var weight: Double
        package var y: Double
        package var x: Double
        package init(stratum: Int32, weight: Double, y: Double, x: Double = 1) {
            self.stratum = stratum
            self.weight = weight
            self.y = y
            self.x = x
        }
    }

    /// The linearised variance of a domain estimate whose linearised values are `z` (zero for the
    /// design's units outside the domain).
    ///
    /// V = Σₕ (1 − nₕ/Nₕ) · nₕ/(nₕ − 1) · Σᵢ∈ₕ (zᵢ − z̄ₕ)², over the strata of the design, with nₕ
    /// the stratum's units in the whole design: R's `svyrecvar` for one-stage stratified cluster
    /// sampling with `fpc`. A stratum with one unit, or with every frame unit responding,
    /// contributes nothing (R: `survey.lonely.psu = "certainty"`).
    static func variance(_ units: [WeightedUnit], z: (WeightedUnit) -> Double, sizes: DesignSizes) -> Double {
        let strata = sizes.respondents.count
        var sums = [Double](repeating: 0, count: strata)
        var inDomain = [Int](repeating: 0, count: strata)
        for u in units {
            sums[Int(u.stratum)] += z(u)
            inDomain[Int(u.stratum)] += 1
        }
        // Centred as R centres them: the out-of-domain units' zeros lie ‑z̄ₕ from the mean.
        var squares = [Double](repeating: 0, count: strata)
        for u in units {
            let h = Int(u.stratum)
            let d = z(u) - sums[h] / Double(sizes.respondents[h])
            squares[h] += d * d
        }
        var v = 0.0
        for h in 0..<strata where inDomain[h] > 0 {
            let n = Double(sizes.respondents[h]), big = sizes.frameCounts[h]
            // An infinite N: sampled with replacement, no finite-population correction.
            let f = big.isFinite && big > 0 ? (big - n) / big : 1
            guard n > 1, f >= 1e-7 else { continue }
            let mean = sums[h] / n
            let outside = (n - Double(inDomain[h])) * mean * mean
            v += f * n / (n - 1) * (squares[h] + outside)
        }
        return v
    }

    /// The weighted ratio Σwy ÷ Σwx with its linearised standard error (zᵢ = wᵢ(yᵢ − r·xᵢ) ÷ Σwx):
    /// R's `svyratio` on the domain.
    ///
    /// `scale` is 100 for percentages; the interval is clipped as the unweighted one is.
    package static func weightedRatio(_ units: [WeightedUnit], sizes: DesignSizes, scale: Double, percentage: Bool)
        -> Estimate
    {
        guard !units.isEmpty else { return Estimate(n: 0) }
        var sy = 0.0, sx = 0.0
        for u in units {
            sy += u.weight * u.y
            sx += u.weight * u.x
        }
        guard sx > 0 else { return Estimate(value: nil, numerator: sy, denominator: sx, n: units.count) }
        let r = sy / sx
        let se = variance(units, z: { $0.weight * ($0.y - r * $0.x) / sx }, sizes: sizes).squareRoot()
        var est = Estimate(value: r * scale, numerator: sy, denominator: sx, n: units.count)
        est.se = se * scale
        est.ciLow = max(0, (r - z * se) * scale)
        est.ciHigh = percentage ? min(100, (r + z * se) * scale) : (r + z * se) * scale
        est.method = .linearised
        return est
    }

    /// The estimated total Σwy with its linearised standard error (zᵢ = wᵢyᵢ): R's `svytotal`.
    package static func weightedTotal(_ units: [WeightedUnit], sizes: DesignSizes) -> Estimate {
        guard !units.isEmpty else { return Estimate(n: 0) }
        let total = units.reduce(0) { $0 + $1.weight * $1.y }
        let se = variance(units, z: { $0.weight * $0.y }, sizes: sizes).squareRoot()
        return Estimate(
            value: total, numerator: total, n: units.count, ciLow: max(0, total - z * se), ciHigh: total + z * se,
            se: se, method: .linearised)
    }

    /// A weighted share of establishments (`y` 1 or 0), as a percentage.
    ///
    /// The value and its standard error are the linearised ones (R's `svymean`); the interval is
    /// Wilson's at the effective sample size p(1 − p) ÷ SE² (at most n). At 0% or 100%, where the
    /// linearised SE is 0 though the share is as uncertain as any, the interval and SE are the
    /// unweighted ones of the respondents. A census (`census`) has no sampling error: SE 0.
    package static func weightedShare(_ units: [WeightedUnit], sizes: DesignSizes, census: Bool) -> Estimate {
        guard !units.isEmpty else { return Estimate(n: 0) }
        var e = weightedRatio(units, sizes: sizes, scale: 100, percentage: true)
        guard !census, let value = e.value else { return e }
        let p = value / 100, n = units.count
        if p > 0, p < 1, let se = e.se, se > 0 {
            let size = min(Double(n), p * (1 - p) / (se / 100 * se / 100))
            let w = wilson(share: p, size: size)
            e.ciLow = w.low
            e.ciHigh = w.high
        } else {
            // The respondents' own Wilson interval and Agresti–Coull SE (none for one respondent).
            let plain = share(successes: Int((p * Double(n)).rounded()), trials: n)
            e.ciLow = plain.ciLow
            e.ciHigh = plain.ciHigh
            e.se = plain.se
            e.method = plain.method
            return e
        }
        e.method = .wilson
        return e
    }

    /// The weighted median: the smallest value whose cumulative weight reaches half the total
    /// (R's `svyquantile(…, qrule = "math")`).
    package static func weightedMedian(_ values: [(value: Double, weight: Double)]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted { $0.value < $1.value }
        let total = sorted.reduce(0) { $0 + $1.weight }
        // As R compares: the cumulative share, not the cumulative weight against half the total.
        var cumulative = 0.0
        for v in sorted {
            cumulative += v.weight
            if cumulative / total >= 0.5 { return v.value }
        }
        return sorted.last?.value
    }

    /// Median (mean of the two middle values when even).
    package static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        let m = s.count / 2
        return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
    }
}
