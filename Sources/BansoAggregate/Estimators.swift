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
        let p = Double(k) / Double(n)
        let nn = Double(n)
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

    /// Median (mean of the two middle values when even).
    package static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        let m = s.count / 2
        return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
    }
}
