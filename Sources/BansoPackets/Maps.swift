import BansoCore
import Foundation

/// Municipal boundaries for the maps (`[packets] boundaries`): GeoJSON or TopoJSON, features keyed
/// by the 5-digit code (国土数値情報 N03's `N03_007`, or `code`), several polygons per code, and the
/// wards of a designated city (政令市) merged into their city.
package struct Boundaries: Sendable {
    /// Municipality code (6 digits) → rings of (longitude, latitude).
    package let shapes: [String: [[(Double, Double)]]]

    /// Property names that may hold the code, in the order tried.
    static let codeProperties = ["N03_007", "code", "JCODE", "municipality_code"]

    /// Reads a boundary file; `known` are the master's codes (a ward's shape goes to its city).
    package static func load(path: String, known: Set<String>) throws -> Boundaries {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StageFailure(
                .configuration, "[packets] boundaries = \(path): not a readable GeoJSON or TopoJSON file")
        }
        return try load(data: data, path: path, known: known)
    }

    /// Reads boundaries from the bytes of a file (`path` names it in messages).
    package static func load(data: Data, path: String, known: Set<String>) throws -> Boundaries {
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw StageFailure(
                .configuration, "[packets] boundaries = \(path): not a readable GeoJSON or TopoJSON file")
        }
        let features: [[String: Any]]
        if json["type"] as? String == "Topology" {
            features = try topoFeatures(json, path: path)
        } else {
            guard let list = json["features"] as? [[String: Any]] else {
                throw StageFailure(.configuration, "\(path): no \"features\": expected a GeoJSON FeatureCollection")
            }
            features = list
        }
        var shapes: [String: [[(Double, Double)]]] = [:]
        for f in features {
            let props = f["properties"] as? [String: Any] ?? [:]
            guard let raw = codeProperties.lazy.compactMap({ props[$0].map { "\($0)" } }).first,
                let code = municipality(raw, known: known), let geometry = f["geometry"] as? [String: Any]
            else { continue }
            shapes[code, default: []] += rings(geometry)
        }
        guard !shapes.isEmpty else {
            // Blank maps in every report would say nothing about what is wrong.
            throw StageFailure(
                .configuration,
                "[packets] boundaries = \(path): no polygon belongs to a municipality of the master (codes are read from "
                    + codeProperties.joined(separator: ", ") + "; Polygon and MultiPolygon geometries only)")
        }
        return Boundaries(shapes: shapes)
    }

    /// The master's municipalities the file has no shape for (listed under the maps, not an error).
    package func missing(in master: [MasterEntry]) -> [MasterEntry] { master.filter { shapes[$0.code] == nil } }

    /// The master's code for a 5- or 6-digit code: itself, or the designated city of a ward.
    static func municipality(_ raw: String, known: Set<String>) -> String? {
        let digits = raw.filter(\.isASCIIDigitChar)
        guard digits.count == 5 || digits.count == 6 else { return nil }
        let five = String(digits.prefix(5))
        guard let code = try? MunicipalityCode.normalize(five).get() else { return nil }
        if known.contains(code) { return code }
        // 26101 (京都市北区) belongs to 26100 (京都市).
        let city = String(five.prefix(3)) + "00"
        guard let cityCode = try? MunicipalityCode.normalize(city).get(), known.contains(cityCode) else { return nil }
        return cityCode
    }

    /// The outer and inner rings of a Polygon or MultiPolygon.
    static func rings(_ geometry: [String: Any]) -> [[(Double, Double)]] {
        func ring(_ value: Any) -> [(Double, Double)] {
            (value as? [[Double]] ?? (value as? [Any] ?? []).compactMap { $0 as? [Double] }).compactMap {
                $0.count >= 2 ? ($0[0], $0[1]) : nil
            }
        }
        let coordinates = geometry["coordinates"] as? [Any] ?? []
        switch geometry["type"] as? String {
        case "Polygon": return coordinates.map(ring)
        case "MultiPolygon": return coordinates.flatMap { ($0 as? [Any] ?? []).map(ring) }
        default: return []
        }
    }

    /// TopoJSON: every object's geometries as GeoJSON-like features (arcs decoded, quantisation undone).
    ///
    /// Every index and coordinate is checked, so a broken file is an error naming the feature,
    /// never a crash.
    static func topoFeatures(_ json: [String: Any], path: String) throws -> [[String: Any]] {
        guard let arcsRaw = json["arcs"] as? [[[Double]]], let objects = json["objects"] as? [String: Any] else {
            throw StageFailure(.configuration, "\(path): a TopoJSON file needs \"arcs\" and \"objects\"")
        }
        let transform = json["transform"] as? [String: Any]
        func pair(_ key: String, default value: [Double]) throws -> [Double] {
            guard let transform else { return value }
            guard let p = transform[key] as? [Double], p.count == 2, p.allSatisfy(\.isFinite) else {
                throw StageFailure(
                    .configuration, "\(path): transform.\(key) must be two numbers [x, y] (TopoJSON quantisation)")
            }
            return p
        }
        let scale = try pair("scale", default: [1, 1])
        let translate = try pair("translate", default: [0, 0])
        let arcs: [[(Double, Double)]] = try arcsRaw.enumerated().map { n, arc in
            var x = 0.0, y = 0.0
            return try arc.map { p in
                guard p.count >= 2 else {
                    throw StageFailure(
                        .configuration, "\(path): arc \(n) has a point with \(p.count) coordinate(s); expected [x, y]")
                }
                if transform != nil {
                    x += p[0]
                    y += p[1]
                    return (x * scale[0] + translate[0], y * scale[1] + translate[1])
                }
                return (p[0], p[1])
            }
        }
        func ring(_ indices: [Int], feature: String) throws -> [[Double]] {
            try indices.flatMap { i -> [[Double]] in
                let index = i >= 0 ? i : ~i
                guard index < arcs.count else {
                    throw StageFailure(
                        .configuration,
                        "\(path): feature \(feature) refers to arc \(i), but the file has \(arcs.count) arcs (0–\(arcs.count - 1))"
                    )
                }
                let arc = i >= 0 ? arcs[index] : arcs[index].reversed()
                return arc.map { [$0.0, $0.1] }
            }
        }
        var out: [[String: Any]] = []
        for case let object as [String: Any] in objects.values {
            for case let g as [String: Any] in object["geometries"] as? [Any] ?? [] {
                var coordinates: Any = []
                let props = g["properties"] as? [String: Any] ?? [:]
                let feature = codeProperties.lazy.compactMap { props[$0].map { "\($0)" } }.first ?? "without a code"
                switch g["type"] as? String {
                case "Polygon": coordinates = try (g["arcs"] as? [[Int]] ?? []).map { try ring($0, feature: feature) }
                case "MultiPolygon":
                    coordinates = try (g["arcs"] as? [[[Int]]] ?? []).map {
                        try $0.map { try ring($0, feature: feature) }
                    }
                default: continue
                }
                out.append([
                    "properties": g["properties"] ?? [:], "geometry": ["type": g["type"]!, "coordinates": coordinates],
                ])
            }
        }
        return out
    }
}

/// Inline SVG maps: a choropleth per headline indicator for the summary, a locator map per report.
enum Maps {
    /// Widths of the SVG boxes (CSS scales them to the page).
    static let summaryWidth = 320.0
    static let locatorWidth = 190.0

    /// The shapes projected to an SVG box of `width`, simplified for print (points closer than
    /// half a unit dropped), as SVG path data per municipality.
    static func paths(_ b: Boundaries, width: Double) -> (paths: [String: String], height: Double) {
        let points = b.shapes.values.flatMap { $0.flatMap { $0 } }
        guard let minX = points.map(\.0).min(), let maxX = points.map(\.0).max(), let minY = points.map(\.1).min(),
            let maxY = points.map(\.1).max(), maxX > minX, maxY > minY
        else { return ([:], 0) }
        // Equirectangular with the middle latitude's scale: fine for one prefecture.
        let k = cos((minY + maxY) / 2 * .pi / 180)
        let scale = width / ((maxX - minX) * k)
        let height = (maxY - minY) * scale
        var out: [String: String] = [:]
        for code in b.shapes.keys.sorted() {
            var d = ""
            for ring in b.shapes[code]! {
                var last: (Double, Double)?
                var n = 0
                for (lon, lat) in ring {
                    let x = (lon - minX) * k * scale, y = (maxY - lat) * scale
                    if let l = last, abs(l.0 - x) < 0.5 && abs(l.1 - y) < 0.5 { continue }
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
        _ shapes: (paths: [String: String], height: Double), values: [String: Double?], spec: Indicator, width: Double
    ) -> String {
        let known = values.values.compactMap { $0 }.sorted()
        let cuts = [0.25, 0.5, 0.75].compactMap { quantile(known, $0) }
        let total = Int(shapes.height) + 56
        var s =
            "<svg class=\"map\" viewBox=\"0 0 \(Int(width)) \(total)\" width=\"\(Int(width))\" height=\"\(total)\" "
            + "role=\"img\">" + defs
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
        _ shapes: (paths: [String: String], height: Double), code: String, peers: Set<String>, width: Double
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
