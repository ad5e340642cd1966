/// A small dense linear program over non-negative variables with equality constraints, solved by
/// the two-phase simplex method with Bland's rule (which cannot cycle).
///
/// Made for the disclosure audit: a few dozen equations over a few hundred variables, every
/// coefficient ±1. Not a general-purpose solver: no sparse storage, no scaling.
package struct LinearProgram: Sendable {
    /// What minimising an objective found.
    package enum Outcome: Equatable, Sendable {
        case optimal(Double)
        case unbounded
    }

    /// The feasible tableau phase 1 left: rows of B⁻¹A with B⁻¹b last, and each row's basic
    /// variable.
    private var tableau: [[Double]]
    private var basis: [Int]
    package let variables: Int
    /// The equations have no solution with every variable ≥ 0.
    package private(set) var infeasible = false

    /// Tolerance for a pivot element or a reduced cost (coefficients are about 1).
    static let epsilon = 1e-9

    /// Finds a feasible point of `equations · x = rhs`, `x ≥ 0` (phase 1).
    package init(equations: [[Double]], rhs: [Double], variables: Int) {
        self.variables = variables
        let m = equations.count
        // Artificial variables n..<n+m start as the basis; each row's right side made ≥ 0.
        var t: [[Double]] = []
        for (row, b) in zip(equations, rhs) {
            let sign = b < 0 ? -1.0 : 1.0
            var r = row.map { $0 * sign } + Array(repeating: 0, count: m) + [b * sign]
            r[variables + t.count] = 1
            t.append(r)
        }
        var basis = Array(variables..<(variables + m))
        let scale = max(1, rhs.map(abs).max() ?? 1)
        let cost = Array(repeating: 0.0, count: variables) + Array(repeating: 1.0, count: m)
        if case .optimal(let v) = Self.simplex(&t, &basis, cost: cost, columns: variables + m), v > 1e-7 * scale {
            infeasible = true
        }
        // Drive artificials out of the basis; a row with no other entry is redundant.
        var i = 0
        while i < t.count {
            if basis[i] >= variables {
                if let j = (0..<variables).first(where: { abs(t[i][$0]) > Self.epsilon }) {
                    Self.pivot(&t, &basis, row: i, column: j)
                } else {
                    t.remove(at: i)
                    basis.remove(at: i)
                    continue
                }
            }
            i += 1
        }
        tableau = t.map { Array($0[0..<variables]) + [$0[variables + m]] }
        self.basis = basis
    }

    /// Minimises `cost · x` over the feasible set (nil when infeasible).
    package func minimise(_ cost: [Double]) -> Outcome? {
        guard !infeasible else { return nil }
        var t = tableau
        var b = basis
        return Self.simplex(&t, &b, cost: cost, columns: variables)
    }

    /// The smallest and largest values variable `j` can take (nil when infeasible; an infinite
    /// upper end when unbounded).
    package func range(of j: Int) -> (low: Double, high: Double)? {
        var cost = Array(repeating: 0.0, count: variables)
        cost[j] = 1
        guard let low = minimise(cost) else { return nil }
        cost[j] = -1
        guard let high = minimise(cost) else { return nil }
        let lo: Double = if case .optimal(let v) = low { v } else { -.infinity }
        let hi: Double = if case .optimal(let v) = high { -v } else { .infinity }
        return (lo, hi)
    }

    /// Runs the simplex method on a feasible tableau, entering only columns below `columns`.
    private static func simplex(_ t: inout [[Double]], _ basis: inout [Int], cost: [Double], columns: Int) -> Outcome {
        let rhs = t.first.map { $0.count - 1 } ?? 0
        while true {
            // Bland's rule: the lowest-numbered column with a negative reduced cost enters…
            var entering: Int?
            for j in 0..<columns {
                var reduced = cost[j]
                for i in t.indices { reduced -= cost[basis[i]] * t[i][j] }
                if reduced < -epsilon {
                    entering = j
                    break
                }
            }
            guard let j = entering else {
                return .optimal(t.indices.reduce(0) { $0 + cost[basis[$1]] * t[$1][rhs] })
            }
            // …and of the rows with the smallest ratio, the one whose basic variable is lowest leaves.
            var leaving: Int?
            var best = Double.infinity
            for i in t.indices where t[i][j] > epsilon {
                let ratio = t[i][rhs] / t[i][j]
                if ratio < best - 1e-12 || (abs(ratio - best) <= 1e-12 && basis[i] < basis[leaving!]) {
                    best = ratio
                    leaving = i
                }
            }
            guard let i = leaving else { return .unbounded }
            pivot(&t, &basis, row: i, column: j)
        }
    }

    private static func pivot(_ t: inout [[Double]], _ basis: inout [Int], row: Int, column: Int) {
        let p = t[row][column]
        for k in t[row].indices { t[row][k] /= p }
        for i in t.indices where i != row {
            let f = t[i][column]
            guard f != 0 else { continue }
            for k in t[i].indices { t[i][k] -= f * t[row][k] }
        }
        basis[row] = column
    }
}
