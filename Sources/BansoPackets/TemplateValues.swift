/// Turns a view into what the templates read: nested `[String: Any]` dictionaries, `[Any]`
/// arrays and plain values (String, Bool, Int), through the view's synthesised `Encodable`.
///
/// swift-mustache looks a struct's field up by reflecting the struct anew for every name it
/// resolves, so the views reach it as dictionaries, which it reads directly. Building them with
/// `Mirror` cost a fifth of the packets stage (a mangled-name look-up per field of every row);
/// the synthesised encoders know each field's type already. As with `Mirror`, a nil optional is
/// left out (the templates see a missing name and nil the same way) and static members are not
/// fields.
enum TemplateValues {
    static func make<View: Encodable>(_ view: View) -> Any {
        let root = Slot()
        // The views are plain structs with synthesised conformances: encoding them cannot throw.
        do { try view.encode(to: TreeEncoder(slot: root)) } catch { return [String: Any]() }
        return root.resolved
    }

    /// Where one encoded value goes: a keyed box, an unkeyed box or a plain value.
    final class Slot {
        var value: Any?
        var resolved: Any { Self.resolve(value) ?? [String: Any]() }

        static func resolve(_ v: Any?) -> Any? {
            switch v {
            case let keyed as KeyedBox: keyed.fields.compactMapValues { resolve($0) }
            case let unkeyed as UnkeyedBox: unkeyed.items.compactMap { resolve($0) }
            case let slot as Slot: resolve(slot.value)
            default: v
            }
        }
    }

    final class KeyedBox { var fields: [String: Any] = [:] }
    final class UnkeyedBox { var items: [Any] = [] }

    /// A field's value: strings, numbers and flags as themselves, anything else encoded into a slot.
    static func value<T: Encodable>(_ v: T, path: [any CodingKey]) throws -> Any {
        switch v {
        case let s as String: return s
        case let b as Bool: return b
        case let i as Int: return i
        default:
            let slot = Slot()
            try v.encode(to: TreeEncoder(slot: slot, codingPath: path))
            return slot
        }
    }

    struct TreeEncoder: Encoder {
        let slot: Slot
        var codingPath: [any CodingKey] = []
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy _: Key.Type) -> KeyedEncodingContainer<Key> {
            let box = (slot.value as? KeyedBox) ?? KeyedBox()
            slot.value = box
            return KeyedEncodingContainer(Keyed<Key>(box: box, codingPath: codingPath))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            let box = (slot.value as? UnkeyedBox) ?? UnkeyedBox()
            slot.value = box
            return Unkeyed(box: box, codingPath: codingPath)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { Single(slot: slot, codingPath: codingPath) }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let box: KeyedBox
        var codingPath: [any CodingKey]

        mutating func encodeNil(forKey _: Key) throws {}
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            box.fields[key.stringValue] = try TemplateValues.value(value, path: codingPath + [key])
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy _: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey>
        {
            let nested = KeyedBox()
            box.fields[key.stringValue] = nested
            return KeyedEncodingContainer(Keyed<NestedKey>(box: nested, codingPath: codingPath + [key]))
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let nested = UnkeyedBox()
            box.fields[key.stringValue] = nested
            return Unkeyed(box: nested, codingPath: codingPath + [key])
        }
        mutating func superEncoder() -> any Encoder { superEncoder(name: "super") }
        mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(name: key.stringValue) }
        private func superEncoder(name: String) -> any Encoder {
            let slot = Slot()
            box.fields[name] = slot
            return TreeEncoder(slot: slot, codingPath: codingPath)
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let box: UnkeyedBox
        var codingPath: [any CodingKey]
        var count: Int { box.items.count }

        mutating func encodeNil() throws {}
        mutating func encode<T: Encodable>(_ value: T) throws {
            box.items.append(try TemplateValues.value(value, path: codingPath))
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy _: NestedKey.Type) -> KeyedEncodingContainer<
            NestedKey
        > {
            let nested = KeyedBox()
            box.items.append(nested)
            return KeyedEncodingContainer(Keyed<NestedKey>(box: nested, codingPath: codingPath))
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let nested = UnkeyedBox()
            box.items.append(nested)
            return Unkeyed(box: nested, codingPath: codingPath)
        }
        mutating func superEncoder() -> any Encoder {
            let slot = Slot()
            box.items.append(slot)
            return TreeEncoder(slot: slot, codingPath: codingPath)
        }
    }

    struct Single: SingleValueEncodingContainer {
        let slot: Slot
        var codingPath: [any CodingKey]

        mutating func encodeNil() throws { slot.value = nil }
        mutating func encode<T: Encodable>(_ value: T) throws {
            slot.value = try TemplateValues.value(value, path: codingPath)
        }
    }
}
