import BansoCore
import Foundation

/// Checks the prefecture's templates before the Mustache library reads them.
///
/// The library parses sections and renders partials recursively: a template that includes
/// itself (directly or through another) never ends, and thousands of nested sections exhaust the
/// stack. Both crash the run with no message, so they are refused here with one that names the
/// file and line.
enum TemplateCheck {
    /// Sections nested deeper than this are refused (the shipped report nests 4 deep).
    static let maxDepth = 64

    /// What one template's tags say: the partials it includes, how deep its sections nest.
    struct Outline {
        var partials: [(name: String, line: Int)] = []
        /// The values the template names (the first part of a dotted name), with their lines.
        var names: [(name: String, line: Int)] = []
        var maxDepth = 0
        var tags = 0
    }

    /// Reads the tags of a template (default delimiters `{{ }}`, a set-delimiter tag obeyed).
    static func outline(_ source: String, origin: String) throws -> Outline {
        var out = Outline()
        let bytes = Array(source.utf8)
        var open = Array("{{".utf8), close = Array("}}".utf8)
        var i = 0, line = 1, depth = 0
        func starts(_ pattern: [UInt8], at k: Int) -> Bool {
            k + pattern.count <= bytes.count && bytes[k..<(k + pattern.count)].elementsEqual(pattern)
        }
        while i < bytes.count {
            if bytes[i] == 0x0A { line += 1 }
            guard starts(open, at: i) else {
                i += 1
                continue
            }
            // The tag's content up to the closing delimiter (a triple mustache closes with one more brace).
            var j = i + open.count
            let tagLine = line
            while j < bytes.count && !starts(close, at: j) {
                if bytes[j] == 0x0A { line += 1 }
                j += 1
            }
            guard j < bytes.count else { break }  // unclosed: the library's parser reports it
            var content = String(decoding: bytes[(i + open.count)..<j], as: UTF8.self)
            i = j + close.count
            if content.hasPrefix("{"), i < bytes.count, bytes[i] == 0x7D { i += 1 }
            content = content.trimmingCharacters(in: .whitespaces)
            out.tags += 1
            guard let sigil = content.first else { continue }
            let name = String(content.dropFirst()).trimmingCharacters(in: .whitespaces)
            func named(_ text: String) {
                // `transform(value)` names `value`; `a.b` names `a`; `.` is the current item.
                var t = Substring(text)
                if let open = t.firstIndex(of: "("), let close = t.lastIndex(of: ")"), open < close {
                    t = t[t.index(after: open)..<close]
                }
                let first = t.split(separator: ".", omittingEmptySubsequences: true).first.map(String.init) ?? ""
                if !first.isEmpty { out.names.append((first.trimmingCharacters(in: .whitespaces), tagLine)) }
            }
            switch sigil {
            case "!", "%": break
            case "&", "{": named(name.hasSuffix("}") ? String(name.dropLast()) : name)
            case "#", "^": named(name)
            default: if sigil.isLetter || sigil == "_" { named(content) }
            }
            switch sigil {
            case "#", "^", "$":
                depth += 1
                out.maxDepth = max(out.maxDepth, depth)
                guard depth <= maxDepth else {
                    throw StageFailure(
                        .configuration, at: .init(file: origin, line: tagLine),
                        "sections nested more than \(maxDepth) deep; "
                            + "a template this deep cannot be rendered")
                }
            case "<":
                depth += 1
                out.maxDepth = max(out.maxDepth, depth)
                out.partials.append((name, tagLine))
            case "/":
                depth = max(0, depth - 1)
            case ">":
                out.partials.append((name, tagLine))
            case "=":
                // `{{=<% %>=}}`: new delimiters for the rest of the template.
                let parts = content.dropFirst().dropLast().split(separator: " ", omittingEmptySubsequences: true)
                if parts.count == 2 {
                    open = Array(parts[0].utf8)
                    close = Array(parts[1].utf8)
                }
            default:
                break
            }
        }
        return out
    }

    /// Refuses a partial that leads back to its own template, naming the chain.
    static func checkIncludes(_ outlines: [String: (outline: Outline, origin: String)]) throws {
        func visit(_ name: String, _ chain: [String]) throws {
            guard let entry = outlines[name] else { return }  // not a template of ours: renders empty
            for p in entry.outline.partials {
                if let loop = chain.firstIndex(of: p.name) {
                    let cycle = (chain[loop...] + [p.name]).joined(separator: " → ")
                    throw StageFailure(
                        .configuration, at: .init(file: entry.origin, line: p.line),
                        "{{> \(p.name)}} includes a template that includes it again "
                            + "(\(cycle)); it would never finish rendering")
                }
                try visit(p.name, chain + [p.name])
            }
        }
        for name in outlines.keys.sorted() { try visit(name, [name]) }
    }

    /// Every property name of a view and of the values inside it (nil optionals included), as
    /// the templates may name them.
    static func labels(_ value: Any, into out: inout Set<String>) {
        let mirror = Mirror(reflecting: value)
        for child in mirror.children {
            if let label = child.label, mirror.displayStyle != .optional { out.insert(label) }
            labels(child.value, into: &out)
        }
    }

    /// Warnings for names a template uses that its view does not provide (a misspelt
    /// `{{municipalty}}` renders nothing, silently).
    static func unknownNames(_ outline: Outline, known: Set<String>, origin: String) -> [String] {
        var seen: Set<String> = []
        return outline.names.filter { !known.contains($0.name) && seen.insert($0.name).inserted }.map { n in
            let close = known.filter { distance($0, n.name) <= 2 }.sorted().first
            return "\(origin): line \(n.line): {{\(n.name)}} is nothing the view provides, so it renders empty"
                + (close.map { " (did you mean {{\($0)}}?)" } ?? "")
        }
    }

    /// Edit distance, for the suggestion (names are short).
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        var row = Array(0...y.count)
        for i in 1...max(1, x.count) where !x.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(1, y.count) where !y.isEmpty {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (x[i - 1] == y[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return x.isEmpty ? y.count : row[y.count]
    }
}
