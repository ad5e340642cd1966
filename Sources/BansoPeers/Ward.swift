/// One merge of the agglomerative clustering.
package struct Merge: Equatable, Sendable {
    /// The two clusters merged, each named by the smallest index of its members.
    package var a: Int
    package var b: Int
    /// Ward height: sqrt of the Lance–Williams distance (scipy's convention).
    package var height: Double
    package var size: Int
}

/// Exact Ward clustering by the nearest-neighbour chain (O(n²) memory and time).
///
/// Items are identified by position; position order is the tie-break order (callers sort
/// by municipality code first), so equal distances always resolve the same way.
package enum Ward {
    /// Squared Euclidean distances of the rows of `points`.
    package static func squaredDistances(_ points: [[Double]]) -> [Double] {
        let n = points.count
        var d = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) {
                var s = 0.0
                for (x, y) in zip(points[i], points[j]) { s += (x - y) * (x - y) }
                d[i * n + j] = s
                d[j * n + i] = s
            }
        }
        return d
    }

    /// The merges, sorted by height (ties keep the order they were found in).
    package static func cluster(_ points: [[Double]]) -> [Merge] {
        let n = points.count
        guard n > 1 else { return [] }
        var d = squaredDistances(points)
        var size = [Int](repeating: 1, count: n)
        var active = [Bool](repeating: true, count: n)
        var activeCount = n
        var chain: [Int] = []
        var merges: [Merge] = []
        while activeCount > 1 {
            if chain.isEmpty { chain.append(active.firstIndex(of: true)!) }
            let a = chain[chain.count - 1]
            let previous = chain.count >= 2 ? chain[chain.count - 2] : -1
            // Nearest active cluster; on a tie the previous chain element wins (the chain must
            // end), then the lowest index.
            var best = -1
            var bestD = Double.infinity
            for k in 0..<n where active[k] && k != a {
                let dk = d[a * n + k]
                if dk < bestD {
                    best = k
                    bestD = dk
                }
            }
            if previous >= 0 && d[a * n + previous] == bestD { best = previous }
            if best == previous {
                chain.removeLast(2)
                let (i, j) = (min(a, best), max(a, best))
                let dij = d[i * n + j]
                // Lance–Williams update for Ward, on squared distances; the merged cluster keeps slot i.
                for k in 0..<n where active[k] && k != i && k != j {
                    let nk = Double(size[k]), ni = Double(size[i]), nj = Double(size[j])
                    let v = ((ni + nk) * d[i * n + k] + (nj + nk) * d[j * n + k] - nk * dij) / (ni + nj + nk)
                    d[i * n + k] = v
                    d[k * n + i] = v
                }
                size[i] += size[j]
                active[j] = false
                activeCount -= 1
                merges.append(Merge(a: i, b: j, height: dij.squareRoot(), size: size[i]))
            } else {
                chain.append(best)
            }
        }
        return merges.enumerated().sorted { ($0.element.height, $0.offset) < ($1.element.height, $1.offset) }.map(
            \.element)
    }

    /// Cluster labels (0-based, numbered by each cluster's smallest position) after cutting at k.
    package static func cut(_ merges: [Merge], n: Int, k: Int) -> [Int] {
        var parent = Array(0..<n)
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x {
                parent[x] = parent[parent[x]]
                x = parent[x]
            }
            return x
        }
        let k = max(1, min(k, n))
        for m in merges.prefix(n - k) {
            let (ra, rb) = (find(m.a), find(m.b))
            parent[max(ra, rb)] = min(ra, rb)
        }
        var number: [Int: Int] = [:]
        var labels = [Int](repeating: 0, count: n)
        for i in 0..<n {
            let r = find(i)
            if number[r] == nil { number[r] = number.count }
            labels[i] = number[r]!
        }
        return labels
    }

    /// Mean silhouette of a labelling, from squared distances (singletons score 0).
    package static func silhouette(labels: [Int], squared d: [Double]) -> Double {
        silhouette(labels: labels, distances: d.map { $0.squareRoot() })
    }

    /// Mean silhouette of a labelling over Euclidean distances (an n × n matrix).
    package static func silhouette(labels: [Int], distances d: [Double]) -> Double {
        let n = labels.count
        guard n > 1 else { return 0 }
        let k = (labels.max() ?? 0) + 1
        var sizes = [Int](repeating: 0, count: k)
        for l in labels { sizes[l] += 1 }
        var total = 0.0
        var sums = [Double](repeating: 0, count: k)
        for i in 0..<n {
            for c in 0..<k { sums[c] = 0 }
            let row = i * n
            for j in 0..<n where j != i { sums[labels[j]] += d[row + j] }
            let own = labels[i]
            guard sizes[own] > 1 else { continue }
            let a = sums[own] / Double(sizes[own] - 1)
            var b = Double.infinity
            for c in 0..<k where c != own && sizes[c] > 0 { b = min(b, sums[c] / Double(sizes[c])) }
            if b == .infinity { continue }
            let m = max(a, b)
            if m > 0 { total += (b - a) / m }
        }
        return total / Double(n)
    }
}
