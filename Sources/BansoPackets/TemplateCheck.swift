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
            switch sigil {
            case "#", "^", "$":
                depth += 1
                out.maxDepth = max(out.maxDepth, depth)
                guard depth <= maxDepth else {
                    throw StageFailure(
                        .configuration,
                        "\(origin): line \(tagLine): sections nested more than \(maxDepth) deep; "
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
                        .configuration,
                        "\(entry.origin): line \(p.line): {{> \(p.name)}} includes a template that includes it again "
                            + "(\(cycle)); it would never finish rendering")
                }
                try visit(p.name, chain + [p.name])
            }
        }
        for name in outlines.keys.sorted() { try visit(name, [name]) }
    }
}
