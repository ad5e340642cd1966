/// Short codes (municipality codes, establishment numbers) packed into an integer, so that hot
/// loops key dictionaries by an `Int` instead of making and hashing a String per row.
///
/// Up to 12 characters from `0`–`9` and `A`–`Z`; integers compare as the texts do (a shorter
/// text sorts before its extensions), so sorting keys sorts the codes.
package enum CodeKey {
    /// The key of a code; nil when it is longer than 12 characters or holds another character.
    @inlinable @inline(__always)
    package static func pack<Bytes: Collection>(_ bytes: Bytes) -> Int? where Bytes.Element == UInt8 {
        guard !bytes.isEmpty, bytes.count <= 12 else { return nil }
        var k = 0
        for b in bytes {
            let d: Int
            if b >= 0x30 && b <= 0x39 {
                d = Int(b - 0x30) + 1
            } else if b >= 0x41 && b <= 0x5A {
                d = Int(b - 0x41) + 11
            } else {
                return nil
            }
            k = k * 37 + d
        }
        for _ in bytes.count..<12 { k *= 37 }
        return k
    }

    /// The code a key was packed from.
    package static func unpack(_ key: Int) -> String {
        var digits: [UInt8] = []
        var k = key
        for _ in 0..<12 {
            let d = k % 37
            k /= 37
            if d > 0 { digits.append(d <= 10 ? UInt8(0x30 + d - 1) : UInt8(0x41 + d - 11)) }
        }
        return String(decoding: digits.reversed(), as: UTF8.self)
    }
}

/// Small integers (positions in the caller's own array) by `CodeKey`, for loops that look a
/// key up per row.
///
/// Open addressing with a multiplicative hash: a look-up is a multiply, a shift and usually
/// one compare, where `Dictionary<Int, _>` runs SipHash on every key (a million worker rows
/// each look up their establishment). Keys are what `CodeKey.pack` returns, so never 0, which
/// marks an empty slot. There is no removal.
package struct CodeKeyIndex: Sendable {
    /// A key and its value side by side: a look-up in a table too big for the cache costs one
    /// miss, not one for the key and another for the value.
    @usableFromInline struct Slot: Sendable {
        @usableFromInline var key: Int
        @usableFromInline var value: Int32
        @inlinable init(key: Int, value: Int32) {
            self.key = key
            self.value = value
        }
    }
    @usableFromInline var slots: [Slot]
    @usableFromInline var shift: Int
    /// The number of keys held.
    package private(set) var count = 0

    /// An empty index with room for `capacity` keys before it grows.
    package init(capacity: Int = 16) {
        var slots = 16
        while slots < capacity * 2 { slots <<= 1 }
        self.slots = Array(repeating: Slot(key: 0, value: 0), count: slots)
        shift = 64 - slots.trailingZeroBitCount
    }

    /// The slot holding `key`, or the empty slot where it would go.
    @inlinable @inline(__always)
    func find(_ key: Int) -> Int {
        precondition(key != 0, "CodeKeyIndex: 0 is not a CodeKey")
        let mask = slots.count - 1
        // Fibonacci hashing: the top bits of key × 2⁶⁴/φ spread neighbouring codes apart.
        var i = Int(truncatingIfNeeded: (UInt(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) >> UInt(shift))
        while true {
            let k = slots[i].key
            if k == key || k == 0 { return i }
            i = (i + 1) & mask
        }
    }

    /// The value of `key`, or nil.
    @inlinable @inline(__always)
    package subscript(key: Int) -> Int32? {
        let i = find(key)
        return slots[i].key == key ? slots[i].value : nil
    }

    /// Sets the value of `key`, replacing any.
    package mutating func set(_ key: Int, _ value: Int32) {
        let i = find(key)
        if slots[i].key == key { slots[i].value = value } else { insert(key, value, at: i) }
    }

    private mutating func insert(_ key: Int, _ value: Int32, at slot: Int) {
        var i = slot
        if (count + 1) * 2 > slots.count {
            let old = slots.filter { $0.key != 0 }
            self = CodeKeyIndex(capacity: slots.count)
            for s in old { set(s.key, s.value) }
            i = find(key)
        }
        slots[i] = Slot(key: key, value: value)
        count += 1
    }
}
