/// Mail addresses of the master (担当者メール) and of `[packets] sender`.
package enum MailAddress {
    /// A conservative check: one `@`, a dot in the domain, no spaces, angle brackets, separators
    /// of address lists or line breaks, ASCII only.
    package static func isPlausible(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix(".")
        else { return false }
        return !s.contains { $0.isWhitespace || "<>()[],;:\\\"".contains($0) || !$0.isASCII }
    }
}
