/// Whom a municipality is compared with: its peer group, or its nearest municipalities when the
/// group is too small to compare with (the same choice in the feedback and the カルテ).
package struct PeerSets: Sendable {
    /// Groups smaller than this compare with the nearest municipalities instead.
    package static let minimumGroup = 4

    var groupOf: [MunicipalityCode: Int] = [:]
    var members: [Int: [MunicipalityCode]] = [:]
    var neighbours: [MunicipalityCode: [MunicipalityCode]] = [:]

    /// From `peers/groups.csv` and `peers/neighbours.csv`.
    package init(groups: [PeerGroupRow], neighbours: [NeighbourRow]) {
        var near: [MunicipalityCode: [MunicipalityCode]] = [:]
        for n in neighbours.sorted(by: { ($0.code, $0.order) < ($1.code, $1.order) }) {
            near[n.code, default: []].append(n.neighbourCode)
        }
        self.init(
            groupOf: Dictionary(groups.map { ($0.code, $0.group) }, uniquingKeysWith: { a, _ in a }), neighbours: near)
    }

    /// From each municipality's group number and its nearest municipalities (nearest first).
    package init(groupOf: [MunicipalityCode: Int], neighbours: [MunicipalityCode: [MunicipalityCode]]) {
        self.groupOf = groupOf
        for (code, group) in groupOf.sorted(by: { $0.key < $1.key }) { members[group, default: []].append(code) }
        self.neighbours = neighbours
    }

    /// Whom a municipality could learn from: its nearest municipalities (nearest first), then the
    /// rest of its group (by code).
    package func nearestThenGroup(of code: MunicipalityCode) -> [(code: MunicipalityCode, relation: PairingRelation)] {
        let near = neighbours[code] ?? []
        let group = (groupOf[code].flatMap { members[$0] } ?? []).filter { $0 != code && !near.contains($0) }
        return near.map { ($0, .neighbour) } + group.map { ($0, .group) }
    }

    /// The basis and the codes (the group includes the municipality itself); nil without peers.
    package func peers(of code: MunicipalityCode) -> (basis: PeerBasis, codes: [MunicipalityCode])? {
        let group = groupOf[code].flatMap { members[$0] } ?? []
        if group.count >= Self.minimumGroup { return (.group, group) }
        let near = neighbours[code] ?? []
        return near.isEmpty ? nil : (.neighbours, near)
    }
}
