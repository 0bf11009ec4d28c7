import Mustache

/// How user text (model, layer and input names, file names, anything a model.swift chooses) is
/// written into the emitted C so that it can never leave the comment or string literal it stands
/// in, nor change how the surrounding C is read.
///
/// Every `{{variable}}` of the templates goes through `escape` (the templates declare the content
/// type `C`); `{{{variable}}}` is reserved for C the emitter or renderer built itself (identifiers,
/// expressions, rendered pieces). The result is plain printable ASCII:
///
/// | text                          | written as            | why |
/// |-------------------------------|-----------------------|-----|
/// | `*/`, `/*`                    | `*\/`, `/\*`          | would close a comment, or open a nested one (`-Wcomment`) |
/// | `??`                          | `?\?`                 | C99 trigraphs (`??/` is a backslash) |
/// | `\`, `"`                      | `\\`, `\"`            | would end or escape a string literal |
/// | newline, tab, carriage return | `\n`, `\t`, `\r`      | a newline ends a line comment, a literal or a preprocessor line |
/// | other control characters      | `\ooo` (octal)        | octal escapes take at most three digits, so the next character stays itself |
/// | non-ASCII                     | `\uXXXX`, `\UXXXXXXXX` (octal bytes below U+00A0) | C99 universal character names; the file stays ASCII |
///
/// Escaping is a pure function of the text, so output stays byte-identical for identical input.
public enum CText {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var previous: Unicode.Scalar? = nil
        for scalar in text.unicodeScalars {
            switch scalar {
            case "/" where previous == "*": out += "\\/"
            case "*" where previous == "/": out += "\\*"
            case "?" where previous == "?": out += "\\?"
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                let v = scalar.value
                if v < 0x20 || v == 0x7F {
                    out += octal(UInt8(v))
                } else if v < 0x80 {
                    out.unicodeScalars.append(scalar)
                } else if v < 0xA0 {
                    for byte in String(scalar).utf8 { out += octal(byte) }
                } else if v <= 0xFFFF {
                    out += "\\u" + hex(v, digits: 4)
                } else {
                    out += "\\U" + hex(v, digits: 8)
                }
            }
            previous = scalar
        }
        return out
    }

    private static func octal(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 8)
        return "\\" + String(repeating: "0", count: 3 - digits.count) + digits
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: digits - text.count) + text
    }

    /// The Mustache content type `C` (`{{% CONTENT_TYPE: C}}`), registered before any template
    /// is parsed.
    struct ContentType: MustacheContentType {
        func escapeText(_ text: String) -> String { CText.escape(text) }
    }
}
