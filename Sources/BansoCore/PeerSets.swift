/// Whom a municipality is compared with: its peer group, or its nearest municipalities when the
/// group is too small to compare with (the same choice in the feedback and the カルテ).
public struct PeerSets: Sendable {
    /// Groups smaller than this compare with the nearest municipalities instead.
    public static let minimumGroup = 4

    var groupOf: [String: Int] = [:]
    var members: [Int: [String]] = [:]
    var neighbours: [String: [String]] = [:]

    public init(groups: [PeerGroupRow], neighbours: [NeighbourRow]) {
        for g in groups {
            groupOf[g.code] = g.group
            members[g.group, default: []].append(g.code)
        }
        for n in neighbours { self.neighbours[n.code, default: []].append(n.neighbourCode) }
    }

    /// The basis and the codes (the group includes the municipality itself); nil without peers.
    public func peers(of code: String) -> (basis: PeerBasis, codes: [String])? {
        let group = groupOf[code].flatMap { members[$0] } ?? []
        if group.count >= Self.minimumGroup { return (.group, group) }
        let near = neighbours[code] ?? []
        return near.isEmpty ? nil : (.neighbours, near)
    }
}
