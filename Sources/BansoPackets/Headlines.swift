import BansoCore

/// The prefecture summary's headline messages: a few sentences prefecture staff can say in a
/// meeting, each resting on the rules the reports use (differences beyond the sampling error, the
/// flags' rule, the targets); never a ranking of municipalities.
package enum Headlines {
    /// The rates the headlines speak of.
    static let rates = Indicator.keyRates

    package static func messages(
        wording w: PrefectureWording, trends: [TrendRow], feedback: [MunicipalityCode: [FeedbackRow]],
        master: [MasterEntry], overview: [RoadmapOverviewRow] = []
    ) -> [String] {
        var out: [String] = []
        // The prefecture's key rates against its previous wave: a change is named only beyond noise.
        var parts: [String] = []
        for spec in rates {
            let series = trends.filter { $0.indicator == spec && !$0.suppressed && $0.value != nil }.sorted {
                $0.wave < $1.wave
            }
            guard let now = series.last, let value = now.value else { continue }
            var text = "\(spec.japanese) \(HTML.display(value, spec: spec))\(spec.unit)"
            if series.count >= 2, let before = series.dropLast().last, let previous = before.value {
                let change = value - previous
                if let se = halfWidthSE(now), let sePrevious = halfWidthSE(before) {
                    let beyond = abs(change) > Estimate.z95 * (se * se + sePrevious * sePrevious).squareRoot()
                    text +=
                        beyond
                        ? "（前回 \(HTML.display(previous, spec: spec))\(spec.unit)、誤差を超えて\(change > 0 ? "上昇" : "低下")）"
                        : "（前回 \(HTML.display(previous, spec: spec))\(spec.unit)、誤差の範囲内）"
                } else {
                    text += "（前回 \(HTML.display(previous, spec: spec))\(spec.unit)）"
                }
            }
            parts.append(text)
        }
        if !parts.isEmpty { out.append("\(w.whole)の主な率：" + parts.joined(separator: "、") + "。") }
        // Where the data is sure of a difference: how many municipalities, which way.
        let flagged = feedback.values.flatMap { $0 }.filter { $0.flag != nil }
        if !flagged.isEmpty {
            let municipalities = Set(flagged.map(\.code)).count
            let concern = flagged.filter { $0.flag == .concern }.count
            let strength = flagged.filter { $0.flag == .strength }.count
            let other = flagged.count - concern - strength
            out.append(
                "類似団体や\(w.whole)と比べて誤差を超える違いが見られたのは \(municipalities) \(w.municipalities)の "
                    + "\(flagged.count) 項目です（背景を確認したいもの \(concern)、取組を参考にしたいもの \(strength)"
                    + (other > 0 ? "、高低が良し悪しを示さないもの \(other)" : "") + "）。"
                    + "順位ではなく、話し合いのきっかけとしてお使いください。")
        }
        // The small municipalities: who cannot read a figure of their own, and what they get instead.
        let keyRows = master.map { m in (feedback[m.code] ?? []).filter { rates.contains($0.indicator) } }
        let withoutOwn = keyRows.filter { !$0.isEmpty && $0.allSatisfy { $0.value == nil } }
        if !withoutOwn.isEmpty {
            let covered = withoutOwn.filter { rows in rows.contains { $0.peerPooled != nil } }.count
            out.append(
                "主な率がすべて秘匿か回答なしの\(w.municipalities)は \(withoutOwn.count) です。うち \(covered) には、"
                    + "類似団体の回答をまとめた値を参考として示しました。回答の呼びかけを最も支援したい\(w.municipalities)です。")
        }
        // The roadmap's targets.
        let targets = overview.filter { $0.targetShare != nil }
        if !targets.isEmpty {
            let met = targets.filter { ($0.share ?? 0) >= $0.targetShare! }.count
            out.append("構築ロードマップの目標 \(targets.count) 件のうち、現時点で達している目標は \(met) 件です。")
        }
        return out
    }

    /// The SE from a stored 95% interval's half-width (nil without one).
    static func halfWidthSE(_ r: TrendRow) -> Double? {
        guard let lo = r.ciLow, let hi = r.ciHigh, hi > lo else { return nil }
        return (hi - lo) / (2 * Estimate.z95)
    }
}
