/// Short codes (municipality codes, establishment numbers) packed into an integer, so that hot
/// loops key dictionaries by an `Int` instead of making and hashing a String per row.
///
/// Up to 12 characters from `0`–`9` and `A`–`Z`; integers compare as the texts do (a shorter
/// text sorts before its extensions), so sorting keys sorts the codes.
public enum CodeKey {
    /// The key of a code; nil when it is longer than 12 characters or holds another character.
    @inline(__always)
    public static func pack(_ bytes: ArraySlice<UInt8>) -> Int? {
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
    public static func unpack(_ key: Int) -> String {
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
