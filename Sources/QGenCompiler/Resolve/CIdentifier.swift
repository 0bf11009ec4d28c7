/// Turning user names (layer and model names) into C identifiers.
///
/// The mapping is deliberately small and predictable: every character outside `[A-Za-z0-9_]`
/// becomes `_` (so PyTorch module paths like `features.0` stay readable as `features_0`). Names
/// that would still not be safe C are rejected with a reason instead of being rewritten further;
/// two names that map to the same identifier are an error reported by the resolver.
enum CIdentifier {
    static func sanitize(_ name: String) -> String {
        String(name.unicodeScalars.map { scalar -> Character in
            let v = scalar.value
            let ok = (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) || v == 0x5F
            return ok ? Character(scalar) : "_"
        })
    }

    /// Why `identifier` (already sanitized) cannot be used, or nil when it can.
    static func problem(with identifier: String) -> String? {
        guard let first = identifier.unicodeScalars.first else { return "it is empty" }
        if first.value >= 0x30 && first.value <= 0x39 { return "it starts with a digit" }
        if first == "_" { return "names starting with '_' are reserved for the C implementation" }
        if keywords.contains(identifier) { return "'\(identifier)' is a C keyword" }
        if headerNames.contains(identifier) { return "'\(identifier)' is defined by <stdint.h> or <stddef.h>" }
        if identifier.hasSuffix("_t") { return "names ending in '_t' are reserved for types" }
        if identifier.lowercased().hasPrefix("qgen") { return "names starting with 'qgen' are reserved for qgen's helpers" }
        let upper = identifier.uppercased()
        if upper == identifier, ["INT", "UINT", "PTRDIFF", "SIZE", "SIG_ATOMIC", "WCHAR", "WINT"].contains(where: { identifier.hasPrefix($0) }) {
            return "'\(identifier)' may clash with a <stdint.h> macro"
        }
        return nil
    }

    static let keywords: Set<String> = [
        "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern",
        "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed",
        "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while",
        "_Bool", "_Complex", "_Imaginary", "asm", "bool", "true", "false",
    ]

    static let headerNames: Set<String> = ["NULL", "offsetof"]
}
