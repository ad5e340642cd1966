import BansoCore

/// The 地域診断カルテ's figures: each municipality's context values beside the prefecture's and its peers' distribution.
public enum Karte {
    /// One row per municipality and context indicator (the latest year of each), in code then id order.
    ///
    /// Quartiles need 4 municipalities with a value, the peers' distribution 3 peers, as in the feedback.
    public static func rows(context: [ContextFigure], master: [MasterEntry], prefectureCode: String, peers: PeerSets)
        -> [KarteRow]
    {
        let latest = ContextFigures.latest(context)
        var byID: [String: [String: ContextFigure]] = [:]
        for f in latest { byID[f.id, default: [:]][f.municipality] = f }
        let codes = master.map(\.code).sorted()
        var out: [KarteRow] = []
        for code in codes {
            for id in byID.keys.sorted() {
                let figures = byID[id]!
                // Label, unit and source come from the municipality's own figure, else any figure of the id.
                guard
                    let model = figures[code] ?? figures[prefectureCode]
                        ?? figures.values.min(by: { $0.municipality < $1.municipality })
                else { continue }
                let own = figures[code]
                var row = KarteRow(
                    municipality: code, id: id, label: model.label, unit: model.unit, value: own?.value,
                    year: own?.year ?? model.year, source: own?.source ?? model.source)
                row.prefectureValue = figures[prefectureCode]?.value
                let values = codes.compactMap { figures[$0]?.value }.sorted()
                row.municipalities = values.count
                if values.count >= 4 {
                    row.q1 = quantile(values, 0.25)
                    row.median = quantile(values, 0.5)
                    row.q3 = quantile(values, 0.75)
                    if let v = own?.value, let q1 = row.q1, let q2 = row.median, let q3 = row.q3 {
                        row.quartile = v <= q1 ? 1 : v <= q2 ? 2 : v <= q3 ? 3 : 4
                    }
                }
                if let (_, peerCodes) = peers.peers(of: code) {
                    let peerValues = peerCodes.compactMap { figures[$0]?.value }.sorted()
                    row.peerCount = peerValues.count
                    if peerValues.count >= 3 {
                        row.peerQ1 = quantile(peerValues, 0.25)
                        row.peerMedian = quantile(peerValues, 0.5)
                        row.peerQ3 = quantile(peerValues, 0.75)
                    }
                }
                out.append(row)
            }
        }
        return out
    }
}
