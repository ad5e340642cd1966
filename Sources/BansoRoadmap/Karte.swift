import BansoCore

/// The 地域診断カルテ's figures: each municipality's context values beside the prefecture's and its peers' distribution.
package enum Karte {
    /// One row per municipality and context indicator (the latest year of each), in code then id order.
    ///
    /// Quartiles need 4 municipalities with a value, the peers' distribution 3 peers, as in the feedback.
    package static func rows(
        context: [ContextFigure], master: [MasterEntry], prefectureCode: MunicipalityCode, peers: PeerSets
    )
        -> [KarteRow]
    {
        let latest = ContextFigures.latest(context)
        var byID: [String: [MunicipalityCode: ContextFigure]] = [:]
        for f in latest { byID[f.id, default: [:]][f.municipality] = f }
        let codes = master.map(\.code).sorted()
        // The prefecture's distribution of each figure, the same for every municipality.
        let distribution = byID.mapValues { figures in
            let values = codes.compactMap { figures[$0]?.value }.sorted()
            return (values.count, Quartiles(sorted: values, minimum: 4))
        }
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
                    figure: ContextFigure(
                        municipality: code, id: id, label: model.label, unit: model.unit, value: own?.value,
                        year: own?.year ?? model.year, source: own?.source ?? model.source))
                row.prefectureValue = figures[prefectureCode]?.value
                let (count, prefecture) = distribution[id]!
                row.municipalities = count
                row.prefecture = prefecture
                row.quartile = prefecture.flatMap { q in own?.value.map(q.position) }
                if let (_, peerCodes) = peers.peers(of: code) {
                    let peerValues = peerCodes.compactMap { figures[$0]?.value }.sorted()
                    row.peerCount = peerValues.count
                    row.peers = Quartiles(sorted: peerValues, minimum: 3)
                }
                out.append(row)
            }
        }
        return out
    }
}
