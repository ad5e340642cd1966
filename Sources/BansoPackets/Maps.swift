import BansoCore
import Foundation
import SystemPackage

/// Municipal boundaries for the maps (`[packets] boundaries`): GeoJSON or TopoJSON, features keyed
/// by the 5-digit code (国土数値情報 N03's `N03_007`, or `code`), several polygons per code, and the
/// wards of a designated city (政令市) merged into their city.
///
/// The file is read block by block into packed number rows, and a TopoJSON arc is kept once,
/// however many rings use it, and decoded only when drawn: memory stays about the file's size
/// (docs/outputs.md gives the measurements).
package struct Boundaries: Sendable {
    /// Every line of points: a GeoJSON ring, or a TopoJSON arc as stored (quantised, delta-encoded).
    let lines: [NumberRows]
    /// TopoJSON quantisation (scale, translate), when the arcs are delta-encoded.
    let transform: (scale: (Double, Double), translate: (Double, Double))?
    /// Municipality code (6 digits) → rings, each a list of lines (`~i`: line `i` reversed).
    package let shapes: [MunicipalityCode: [[Int]]]

    /// Property names that may hold the code, in the order tried.
    static let codeProperties = ["N03_007", "code", "JCODE", "municipality_code"]

    /// Boundaries from rings of (longitude, latitude) per code (tests and small tools).
    package init(shapes rings: [MunicipalityCode: [[(Double, Double)]]]) {
        var lines: [NumberRows] = []
        var shapes: [MunicipalityCode: [[Int]]] = [:]
        for (code, list) in rings.sorted(by: { $0.key < $1.key }) {
            for ring in list {
                var line = NumberRows()
                for p in ring { line.append([p.0, p.1]) }
                shapes[code, default: []].append([lines.count])
                lines.append(line)
            }
        }
        self.init(lines: lines, transform: nil, shapes: shapes)
    }

    private init(
        lines: [NumberRows], transform: (scale: (Double, Double), translate: (Double, Double))?,
        shapes: [MunicipalityCode: [[Int]]]
    ) {
        self.lines = lines
        self.transform = transform
        self.shapes = shapes
    }

    /// Reads a boundary file; `known` are the master's codes (a ward's shape goes to its city).
    package static func load(path: FilePath, known: Set<MunicipalityCode>) throws -> Boundaries {
        let unreadable = StageFailure(
            .configuration, "[packets] boundaries = \(path): not a readable GeoJSON or TopoJSON file")
        guard let descriptor = try? FileDescriptor.open(path, .readOnly) else { throw unreadable }
        defer { try? descriptor.close() }
        var reader = BoundaryJSONReader(descriptor: descriptor)
        return try load(&reader, path: path.string, known: known)
    }

    /// Reads boundaries from the bytes of a file (`path` names it in messages).
    package static func load(data: Data, path: String, known: Set<MunicipalityCode>) throws -> Boundaries {
        var reader = BoundaryJSONReader(bytes: [UInt8](data))
        return try load(&reader, path: path, known: known)
    }

    private static func load(_ reader: inout BoundaryJSONReader, path: String, known: Set<MunicipalityCode>) throws
        -> Boundaries
    {
        let json: BoundaryJSON
        do {
            json = try reader.document()
        } catch let error as BoundaryJSONReader.SyntaxError {
            throw StageFailure(
                .configuration,
                "[packets] boundaries = \(path): not a readable GeoJSON or TopoJSON file "
                    + "(line \(error.line): \(error.message))")
        }
        guard case .object = json else {
            throw StageFailure(
                .configuration,
                "[packets] boundaries = \(path): not a readable GeoJSON or TopoJSON file (expected a JSON object)")
        }
        let boundaries: Boundaries
        if json["type"]?.string == "Topology" {
            boundaries = try topology(json, path: path, known: known)
        } else {
            guard let features = json["features"]?.elements else {
                throw StageFailure(
                    .configuration, at: .init(file: path), "no \"features\": expected a GeoJSON FeatureCollection")
            }
            var lines: [NumberRows] = []
            var shapes: [MunicipalityCode: [[Int]]] = [:]
            for f in features {
                guard let code = code(of: f, known: known), let geometry = f["geometry"] else { continue }
                let rings = rings(geometry)
                shapes[code, default: []] += rings.indices.map { [lines.count + $0] }
                lines += rings
            }
            boundaries = Boundaries(lines: lines, transform: nil, shapes: shapes)
        }
        guard !boundaries.shapes.isEmpty else {
            // Blank maps in every report would say nothing about what is wrong.
            throw StageFailure(
                .configuration,
                "[packets] boundaries = \(path): no polygon belongs to a municipality of the master (codes are read from "
                    + codeProperties.joined(separator: ", ") + "; Polygon and MultiPolygon geometries only)")
        }
        return boundaries
    }

    /// The master's municipalities the file has no shape for (listed under the maps, not an error).
    package func missing(in master: [MasterEntry]) -> [MasterEntry] { master.filter { shapes[$0.code] == nil } }

    /// The rings of one municipality as points (longitude, latitude).
    package func rings(_ code: MunicipalityCode) -> [[(Double, Double)]] {
        (shapes[code] ?? []).map { ring in
            var points: [(Double, Double)] = []
            forEachPoint(ring) { points.append(($0, $1)) }
            return points
        }
    }

    /// Calls `body` with every point of a ring, its lines decoded and reversed where referred to as `~i`.
    func forEachPoint(_ ring: [Int], _ body: (Double, Double) -> Void) {
        for reference in ring {
            let line = lines[reference >= 0 ? reference : ~reference]
            var points: [(Double, Double)] = []
            points.reserveCapacity(line.count)
            var x = 0.0, y = 0.0
            for i in 0..<line.count where line.length(i) >= 2 {
                if let transform {
                    x += line.value(i, 0)
                    y += line.value(i, 1)
                    points.append(
                        (x * transform.scale.0 + transform.translate.0, y * transform.scale.1 + transform.translate.1))
                } else {
                    points.append((line.value(i, 0), line.value(i, 1)))
                }
            }
            if reference < 0 { points.reverse() }
            for p in points { body(p.0, p.1) }
        }
    }

    /// The master's code a feature belongs to, from the first code property it has.
    static func code(of feature: BoundaryJSON, known: Set<MunicipalityCode>) -> MunicipalityCode? {
        guard let raw = codeProperties.lazy.compactMap({ feature["properties"]?[$0] }).first?.propertyText else {
            return nil
        }
        return municipality(raw, known: known)
    }

    /// The master's code for a 5- or 6-digit code: itself, or the designated city of a ward.
    static func municipality(_ raw: String, known: Set<MunicipalityCode>) -> MunicipalityCode? {
        let digits = raw.filter(\.isASCIIDigitChar)
        guard digits.count == 5 || digits.count == 6 else { return nil }
        let five = String(digits.prefix(5))
        guard let code = MunicipalityCode.completing(fiveDigits: five) else { return nil }
        if known.contains(code) { return code }
        // 26101 (京都市北区) belongs to 26100 (京都市).
        let city = String(five.prefix(3)) + "00"
        guard let cityCode = MunicipalityCode.completing(fiveDigits: city), known.contains(cityCode) else { return nil }
        return cityCode
    }

    /// The outer and inner rings of a GeoJSON Polygon or MultiPolygon (points with fewer than two
    /// coordinates are skipped when drawn).
    static func rings(_ geometry: BoundaryJSON) -> [NumberRows] {
        func ring(_ value: BoundaryJSON) -> NumberRows {
            switch value {
            case .rows(let rows): return rows
            case .array(let items):
                var rows = NumberRows()
                for case .numbers(let point) in items { rows.append(point) }
                return rows
            default: return NumberRows()
            }
        }
        let coordinates = geometry["coordinates"]?.elements ?? []
        switch geometry["type"]?.string {
        case "Polygon": return coordinates.map(ring)
        case "MultiPolygon": return coordinates.flatMap { ($0.elements ?? []).map(ring) }
        default: return []
        }
    }

    /// Lists of arc indices (`[[Int]]`), or nil when the value is not one.
    static func arcLists(_ value: BoundaryJSON) -> [[Int]]? {
        func indices(_ row: [Double]) -> [Int]? {
            let ints = row.compactMap { Int(exactly: $0) }
            return ints.count == row.count ? ints : nil
        }
        switch value {
        case .rows(let rows):
            let lists = (0..<rows.count).compactMap { indices(rows.row($0)) }
            return lists.count == rows.count ? lists : nil
        case .array(let items):
            var lists: [[Int]] = []
            for item in items {
                switch item {
                case .numbers(let row):
                    guard let list = indices(row) else { return nil }
                    lists.append(list)
                case .array(let empty) where empty.isEmpty: lists.append([])
                default: return nil
                }
            }
            return lists
        default: return nil
        }
    }

    /// TopoJSON: every object's Polygon and MultiPolygon geometries as rings of arc references;
    /// the arcs kept as stored.
    ///
    /// Every index and coordinate is checked, so a broken file is an error naming the feature,
    /// never a crash.
    static func topology(_ json: BoundaryJSON, path: String, known: Set<MunicipalityCode>) throws -> Boundaries {
        let missing = StageFailure(
            .configuration, at: .init(file: path), "a TopoJSON file needs \"arcs\" and \"objects\"")
        guard case .object(let objects) = json["objects"], let arcValues = json["arcs"]?.elements else {
            throw missing
        }
        var arcs: [NumberRows] = []
        arcs.reserveCapacity(arcValues.count)
        for value in arcValues {
            switch value {
            case .rows(let rows): arcs.append(rows)
            case .array(let empty) where empty.isEmpty: arcs.append(NumberRows())
            default: throw missing
            }
        }
        var transform: (scale: (Double, Double), translate: (Double, Double))? = nil
        if let t = json["transform"] {
            func pair(_ key: String) throws -> (Double, Double) {
                guard case .numbers(let p) = t[key], p.count == 2 else {
                    throw StageFailure(
                        .configuration, at: .init(file: path),
                        "transform.\(key) must be two numbers [x, y] (TopoJSON quantisation)")
                }
                return (p[0], p[1])
            }
            transform = (try pair("scale"), try pair("translate"))
        }
        for (n, arc) in arcs.enumerated() {
            for i in 0..<arc.count where arc.length(i) < 2 {
                throw StageFailure(
                    .configuration, at: .init(file: path),
                    "arc \(n) has a point with \(arc.length(i)) coordinate(s); expected [x, y]")
            }
        }
        var shapes: [MunicipalityCode: [[Int]]] = [:]
        for name in objects.keys.sorted() {
            for g in objects[name]?["geometries"]?.elements ?? [] {
                let feature =
                    codeProperties.lazy.compactMap { g["properties"]?[$0]?.propertyText }.first ?? "without a code"
                let rings: [[Int]]
                switch g["type"]?.string {
                case "Polygon": rings = g["arcs"].flatMap(arcLists) ?? []
                case "MultiPolygon":
                    rings =
                        (g["arcs"]?.elements).flatMap { polygons in
                            let lists = polygons.compactMap(arcLists)
                            return lists.count == polygons.count ? lists.flatMap { $0 } : nil
                        } ?? []
                default: continue
                }
                for i in rings.joined() {
                    let index = i >= 0 ? i : ~i
                    guard index < arcs.count else {
                        throw StageFailure(
                            .configuration, at: .init(file: path),
                            "feature \(feature) refers to arc \(i), but the file has \(arcs.count) arcs (0–\(arcs.count - 1))"
                        )
                    }
                }
                guard let code = code(of: g, known: known) else { continue }
                shapes[code, default: []] += rings
            }
        }
        return Boundaries(lines: arcs, transform: transform, shapes: shapes)
    }
}

/// Inline SVG maps: a choropleth per headline indicator for the summary, a locator map per report.
package enum Maps {
    /// Widths of the SVG boxes (CSS scales them to the page).
    package static let summaryWidth = 320.0
    static let locatorWidth = 190.0

    /// The shapes projected to an SVG box of `width`, simplified for print (points closer than
    /// half a unit dropped), as SVG path data per municipality.
    package static func paths(_ b: Boundaries, width: Double) -> (paths: [MunicipalityCode: String], height: Double) {
        var minX = Double.infinity, maxX = -Double.infinity, minY = Double.infinity, maxY = -Double.infinity
        for rings in b.shapes.values {
            for ring in rings {
                b.forEachPoint(ring) { x, y in
                    (minX, maxX, minY, maxY) = (min(minX, x), max(maxX, x), min(minY, y), max(maxY, y))
                }
            }
        }
        guard maxX > minX, maxY > minY else { return ([:], 0) }
        // Equirectangular with the middle latitude's scale: fine for one prefecture.
        let k = cos((minY + maxY) / 2 * .pi / 180)
        let scale = width / ((maxX - minX) * k)
        let height = (maxY - minY) * scale
        var out: [MunicipalityCode: String] = [:]
        for code in b.shapes.keys.sorted() {
            var d = ""
            for ring in b.shapes[code]! {
                var last: (Double, Double)?
                var n = 0
                b.forEachPoint(ring) { lon, lat in
                    let x = (lon - minX) * k * scale, y = (maxY - lat) * scale
                    if let l = last, abs(l.0 - x) < 0.5 && abs(l.1 - y) < 0.5 { return }
                    d += (n == 0 ? "M" : "L") + formatFixed(x, digits: 1) + " " + formatFixed(y, digits: 1)
                    last = (x, y)
                    n += 1
                }
                if n > 0 { d += "Z" }
            }
            out[code] = d
        }
        return (out, height)
    }

    /// Grey levels of four quantile classes, light to dark (readable in black and white).
    static let classes = ["#f0f0f0", "#bdbdbd", "#737373", "#252525"]

    static let defs =
        "<defs><pattern id=\"hatch\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\" "
        + "patternTransform=\"rotate(45)\"><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"4\" stroke=\"#555\" stroke-width=\"1\"/>"
        + "</pattern></defs>"

    /// A choropleth of one indicator: quantile classes of the published values, 秘匿 and 回答なし hatched.
    static func choropleth(
        _ shapes: (paths: [MunicipalityCode: String], height: Double), values: [MunicipalityCode: Double?],
        spec: Indicator, width: Double
    ) -> String {
        let known = values.values.compactMap { $0 }.sorted()
        let cuts = [0.25, 0.5, 0.75].compactMap { quantile(known, $0) }
        let total = Int(shapes.height) + 56
        var s =
            "<svg class=\"map\" viewBox=\"0 0 \(Int(width)) \(total)\" width=\"\(Int(width))\" height=\"\(total)\" "
            // A map is a picture to a screen reader: it says what it shows, and the values are in the table.
            + "role=\"img\" aria-label=\"\(spec.japanese)の地図（公表値を4段階の濃さで、秘匿と回答なしは斜線で表示。"
            + "値は一覧表にあります）\">" + defs
        for (code, d) in shapes.paths.sorted(by: { $0.key < $1.key }) {
            let fill: String
            if let v = values[code] ?? nil {
                fill = classes[cuts.filter { v > $0 }.count]
            } else {
                fill = "url(#hatch)"
            }
            s += "<path data-code=\"\(code)\" d=\"\(d)\" fill=\"\(fill)\" stroke=\"#fff\" stroke-width=\"0.6\"/>"
        }
        // Legend: the four classes with their ranges in two columns, then the hatch.
        let y = Int(shapes.height) + 10
        // No published value at all: no classes to show, only the hatch.
        let bounds: [Double?] = known.isEmpty ? [] : [known.first] + cuts.map { Optional($0) } + [known.last]
        for i in 0..<max(0, bounds.count - 1) where bounds[i] != nil {
            let x = (i % 2) * 160, row = y + (i / 2) * 16
            let range = "\(HTML.display(bounds[i], spec: spec))〜\(HTML.display(bounds[i + 1], spec: spec))"
            s +=
                "<rect x=\"\(x)\" y=\"\(row)\" width=\"14\" height=\"11\" fill=\"\(classes[i])\" stroke=\"#555\" stroke-width=\"0.5\"/>"
            s += "<text x=\"\(x + 18)\" y=\"\(row + 10)\" font-size=\"11\">\(range)</text>"
        }
        s +=
            "<rect x=\"0\" y=\"\(y + 32)\" width=\"14\" height=\"11\" fill=\"url(#hatch)\" stroke=\"#555\" stroke-width=\"0.5\"/>"
        s += "<text x=\"18\" y=\"\(y + 42)\" font-size=\"11\">秘匿・回答なし</text>"
        return s + "</svg>"
    }

    /// A locator map: the municipality black, its peer group grey, the others light.
    static func locator(
        _ shapes: (paths: [MunicipalityCode: String], height: Double), code: MunicipalityCode,
        peers: Set<MunicipalityCode>, width: Double
    )
        -> String
    {
        var s =
            "<svg class=\"locator\" viewBox=\"0 0 \(Int(width)) \(Int(shapes.height))\" width=\"\(Int(width))\" "
            + "height=\"\(Int(shapes.height))\" aria-hidden=\"true\">"
        for (c, d) in shapes.paths.sorted(by: { $0.key < $1.key }) {
            let fill = c == code ? "#0b3d91" : peers.contains(c) ? "#9e9e9e" : "#eeeeee"
            s += "<path data-code=\"\(c)\" d=\"\(d)\" fill=\"\(fill)\" stroke=\"#fff\" stroke-width=\"0.5\"/>"
        }
        return s + "</svg>"
    }
}
