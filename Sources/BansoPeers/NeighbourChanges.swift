import BansoCore
import BansoHistory

/// Which of a municipality's nearest municipalities changed since the previous wave, and why.
///
/// A neighbour gained came closer, a neighbour lost moved away: for each, the features whose
/// standardised gap between the two municipalities shrank (gained) or grew (lost) the most, by at
/// least `minimumMove` standard deviations. When none moved that much, the pair stayed about as
/// close as it was and other municipalities came closer (or moved away): the reason says so.
package enum NeighbourChanges {
    /// The smallest change of a standardised gap worth naming (a tenth of a standard deviation).
    package static let minimumMove = 0.1
    /// At most this many features are named per change.
    package static let named = 2

    /// Every municipality's gained and lost neighbours, in code order, gained first, each in the
    /// order of this wave's (gained) or the previous wave's (lost) list.
    package static func compute(
        _ result: PeerResult, extra: [ContextFeatureRow], previous: HistoryStore.Peers,
        names: [MunicipalityCode: String],
        labels: [String: String] = [:]
    ) -> [NeighbourChangeRow] {
        let codes = result.features.map(\.code)
        // This wave's standardised features by name: the features used and the context figures.
        var now: [MunicipalityCode: [String: Double]] = [:]
        let all = PeerFeature.allCases
        for f in result.features {
            for i in result.used { now[f.code, default: [:]][all[i].rawValue] = f.z[i] }
        }
        for r in extra { now[r.code, default: [:]][r.id] = r.z }
        var rows: [NeighbourChangeRow] = []
        for (i, code) in codes.enumerated() {
            guard let before = previous.neighbours[code] else { continue }
            let current = result.neighbours[i].map { codes[$0.index] }
            let gained = current.filter { !before.contains($0) }
            let lost = before.filter { !current.contains($0) && names[$0] != nil }
            for (change, list) in [(NeighbourChangeRow.Change.added, gained), (.removed, lost)] {
                for other in list {
                    let moved = features(
                        code, other, now: now, before: previous.features, closer: change == .added)
                    rows.append(
                        NeighbourChangeRow(
                            code: code, name: names[code] ?? code.text, previousWave: previous.wave,
                            neighbourCode: other, neighbourName: names[other] ?? other.text, change: change,
                            features: moved,
                            reason: reason(moved, closer: change == .added, labels: labels)))
                }
            }
        }
        return rows
    }

    /// The features whose gap between `a` and `b` moved most the way of the change.
    package static func features(
        _ a: MunicipalityCode, _ b: MunicipalityCode, now: [MunicipalityCode: [String: Double]],
        before: [MunicipalityCode: [String: Double]], closer: Bool
    ) -> [String] {
        guard let a1 = now[a], let b1 = now[b], let a0 = before[a], let b0 = before[b] else { return [] }
        var moves: [(String, Double)] = []
        for name in a1.keys.sorted() {
            guard let x1 = a1[name], let y1 = b1[name], let x0 = a0[name], let y0 = b0[name] else { continue }
            // How much closer (gained) or further apart (lost) the two are on this feature.
            let move = closer ? abs(x0 - y0) - abs(x1 - y1) : abs(x1 - y1) - abs(x0 - y0)
            if move >= minimumMove { moves.append((name, move)) }
        }
        return moves.sorted { ($0.1, $1.0) > ($1.1, $0.0) }.prefix(named).map(\.0)
    }

    /// The reason in words: 「人口規模・高齢化率が近づいたため」, 「…の差が開いたため」, or that
    /// others came closer.
    package static func reason(_ features: [String], closer: Bool, labels: [String: String]) -> String {
        guard !features.isEmpty else {
            return closer ? "ほかの団体との違いが相対的に変わったため" : "ほかの団体がより近くなったため"
        }
        let words = features.map { PeerFeature(rawValue: $0)?.japanese ?? labels[$0] ?? $0 }.joined(separator: "・")
        return closer ? "\(words)が近づいたため" : "\(words)の差が開いたため"
    }
}
