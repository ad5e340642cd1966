import BansoCore

/// Every municipality of Japan (code, name, type), from `Reference/municipalities-jp.tsv`
/// (e-Stat standard area codes, March 2025; see `Reference/README.md`), compiled into the program.
package enum ReferenceMunicipalities {
    /// One municipality of the list.
    package struct Entry: Sendable, Equatable {
        package let code: MunicipalityCode
        package let prefecture: String
        package let name: String
        /// 31 designated city, 32 city, 33 Tokyo ward, 34 town, 35–37 village.
        package let type: Int
    }

    /// Every row, in the list's (code) order.
    package static let all: [Entry] = {
        let text = String(decoding: PackageResources.municipalities_jp_tsv, as: UTF8.self)
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard cols.count >= 6, let code = MunicipalityCode(cols[0]) else { return nil }
            return Entry(code: code, prefecture: cols[1], name: cols[2], type: Int(cols[5]) ?? 34)
        }
    }()
}

extension Synth {
    /// Every municipality of Japan as a master with synthetic populations and areas (the same
    /// numbers on every call): for peers at national scale, in tests and `banso benchmark-peers`.
    package static func nation(seed: UInt64 = 1) -> [MasterEntry] {
        var rng = SeededRandom(seed: seed)
        return ReferenceMunicipalities.all.map { m in
            let pop = rng.uniform(300, 600_300)
            return MasterEntry(
                code: m.code, name: m.name, population: pop, aged65: pop * rng.uniform(0.2, 0.45),
                aged75: pop * rng.uniform(0.1, 0.22), area: rng.uniform(5, 1505), email: "")
        }
    }
}
