import Mustache

/// The render stage, the only code that writes characters: it formats constant arrays, fills the
/// templates from the emit stage's typed contexts, and normalizes whitespace. It makes no decisions.
public enum Renderer {
    public struct Output: Equatable, Sendable {
        public var headerName: String
        public var header: String
        public var sourceName: String
        public var source: String
    }

    public static func render(_ file: CFile) -> Output {
        render(file) { _, _ in }
    }

    /// Renders `file`, telling `visit` each template it fills and the context it fills it with
    /// (a test checks every key of every template against these typed contexts).
    static func render(_ file: CFile, visiting visit: (_ template: String, _ context: Any) -> Void) -> Output {
        func piece(_ context: Any, _ template: String, trim: Bool = true) -> String {
            visit(template, context)
            return Self.piece(context, template, trim: trim)
        }
        let s = file.source
        let context = SourceText(
            sourceName: s.sourceName, headerName: s.headerName, modelName: s.modelName, version: s.version, sourceFile: s.sourceFile,
            schemeSummary: s.schemeSummary, api: s.api, parameters: s.parameters,
            nullTests: s.nullTests, layerSummaries: s.layerSummaries,
            helpers: ((s.helperTemplate.map { [piece(s.helpers, $0)] } ?? []) + s.opHelpers.map { piece(s.helpers, $0) }).joined(separator: "\n\n"),
            // The arrays' rows are written clean (no trailing spaces or blank lines): not trimmed again.
            arrays: s.arrays.map { piece(arrayText($0), "const_array", trim: false) },
            kernels: s.kernels.map { piece($0, $0.template) },
            usesArena: s.usesArena, steps: s.steps, floatRequant: s.floatRequant,
            floatIO: s.floatIO.map { piece($0, "float_io") }, usesFloat: s.floatRequant || s.floatIO != nil)
        return Output(headerName: file.headerName, header: finish(piece(file.header, "model_h")),
                      sourceName: file.sourceName, source: finish(piece(context, "model_c")))
    }

    /// The template texts by name, as the renderer parses them.
    static var templates: [String: String] { EmbeddedTemplates.all }

    private static let library: MustacheLibrary = {
        MustacheContentTypes.register(CText.ContentType(), named: "C")
        var templates: [String: MustacheTemplate] = [:]
        for (name, text) in EmbeddedTemplates.all {
            // A template that does not parse is a build defect, caught by every emitter test.
            templates[name] = try! MustacheTemplate(string: text)
        }
        return MustacheLibrary(templates: templates)
    }()

    /// The model_c template's context: the source context with its parts already rendered.
    private struct SourceText {
        var sourceName, headerName, modelName, version, sourceFile, schemeSummary: String
        var api: EmittedNames.Model
        var parameters, nullTests: String
        var layerSummaries: [String]
        var helpers: String
        var arrays: [String]
        var kernels: [String]
        var usesArena: Bool
        var steps: [RunStep]
        var floatRequant: Bool
        var floatIO: String?
        var usesFloat: Bool
    }

    private struct ArrayText {
        var comment, cType, name: String
        var count: Int
        /// The initializer's lines, each indented by four spaces, joined by newlines.
        var body: String
    }

    /// A constant array's lines: one element with its comment per line, or aligned rows (16 int8
    /// values or 8 wider ones per line, right-aligned to the widest literal).
    private static func arrayText(_ array: CArray) -> ArrayText {
        if let comments = array.elementComments {
            let literals = array.literals ?? array.values.map(literal)
            let body = zip(literals, comments).map { "    \($0), /* \(CText.escape($1)) */" }.joined(separator: "\n")
            return ArrayText(comment: array.comment, cType: array.cType, name: array.name, count: literals.count, body: body)
        }
        let perLine = array.cType == "int8_t" ? 16 : 8
        if let literals = array.literals {
            let bytes = literals.map { Array($0.utf8) }
            return ArrayText(comment: array.comment, cType: array.cType, name: array.name, count: literals.count,
                             body: rows(count: bytes.count, perLine: perLine, length: { bytes[$0].count }, write: { $1.append(contentsOf: bytes[$0]) }))
        }
        return ArrayText(comment: array.comment, cType: array.cType, name: array.name, count: array.values.count,
                         body: integerRows(array.values, perLine: perLine))
    }

    /// `rows` for integer values, in one pass over the bytes with no closure per element (formatting
    /// each value as a String dominated emit time on large models): the width is that of the
    /// smallest or the largest value, each value's digits are written backwards into a scratch buffer
    /// and copied after its padding.
    private static func integerRows(_ values: [Int64], perLine: Int) -> String {
        guard let smallest = values.min(), let largest = values.max() else { return "" }
        let width = max(literalLength(smallest), literalLength(largest))
        var out: [UInt8] = []
        out.reserveCapacity(values.count * (width + 2) + (values.count / perLine + 1) * 5)
        var digits = [UInt8](repeating: 0, count: 20)
        for (i, v) in values.enumerated() {
            separate(i, perLine: perLine, &out)
            if v == Int64(Int32.min) {
                out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: width - 17))
                out.append(contentsOf: Array(literal(v).utf8))
            } else {
                var magnitude = v.magnitude, count = 0
                repeat {
                    digits[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                    magnitude /= 10
                    count += 1
                } while magnitude > 0
                out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: width - count - (v < 0 ? 1 : 0)))
                if v < 0 { out.append(UInt8(ascii: "-")) }
                for k in stride(from: count - 1, through: 0, by: -1) { out.append(digits[k]) }
            }
            out.append(UInt8(ascii: ","))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `count` elements in rows of `perLine`, each row indented by four spaces, each element
    /// right-aligned to the widest (`length`) and followed by a comma; `write` appends element i's text.
    private static func rows(count: Int, perLine: Int, length: (Int) -> Int, write: (Int, inout [UInt8]) -> Void) -> String {
        let width = (0..<count).map(length).max() ?? 0
        var out: [UInt8] = []
        out.reserveCapacity(count * (width + 2) + (count / perLine + 1) * 5)
        for i in 0..<count {
            separate(i, perLine: perLine, &out)
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: width - length(i)))
            write(i, &out)
            out.append(UInt8(ascii: ","))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// What goes before element i: a line break and four spaces at the start of each row, else a space.
    @inline(__always) private static func separate(_ i: Int, perLine: Int, _ out: inout [UInt8]) {
        if i % perLine == 0 {
            if i > 0 { out.append(UInt8(ascii: "\n")) }
            out.append(contentsOf: [0x20, 0x20, 0x20, 0x20])
        } else {
            out.append(UInt8(ascii: " "))
        }
    }

    /// The length of `literal(v)`.
    private static func literalLength(_ v: Int64) -> Int {
        if v == Int64(Int32.min) { return 17 }
        var magnitude = v.magnitude, count = 1
        while magnitude >= 10 {
            magnitude /= 10
            count += 1
        }
        return count + (v < 0 ? 1 : 0)
    }

    /// A decimal C literal of the value's type; INT32_MIN is spelled so that no constant exceeds int32.
    private static func literal(_ v: Int64) -> String {
        v == Int64(Int32.min) ? "(-2147483647 - 1)" : String(v)
    }

    private static func piece(_ context: Any, _ template: String, trim: Bool = true) -> String {
        guard let text = library.render(context, withTemplate: template) else {
            preconditionFailure("missing template '\(template)'")
        }
        return trim ? trimBlankLines(text) : text
    }

    /// Each line without trailing spaces, and no blank lines at the start or the end. Works on the
    /// UTF-8 bytes (splitting a String by Character dominated emit time on large models).
    private static func trimBlankLines(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var pendingNewlines = 0
        forEachLine(text) { line in
            var end = line.endIndex
            while end > line.startIndex && line[end - 1] == UInt8(ascii: " ") { end -= 1 }
            if end == line.startIndex {
                if !out.isEmpty { pendingNewlines += 1 }
                return
            }
            if !out.isEmpty { pendingNewlines += 1 }
            out.append(contentsOf: repeatElement(UInt8(ascii: "\n"), count: pendingNewlines))
            pendingNewlines = 0
            out.append(contentsOf: line[line.startIndex..<end])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// One trailing newline, no runs of more than one blank line.
    private static func finish(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 1)
        var lastWasEmpty = false, first = true
        forEachLine(text) { line in
            if line.isEmpty && lastWasEmpty { return }
            if !first { out.append(UInt8(ascii: "\n")) }
            out.append(contentsOf: line)
            lastWasEmpty = line.isEmpty
            first = false
        }
        out.append(UInt8(ascii: "\n"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Calls `body` with the bytes of each line of `text` (split at every newline, empty lines included).
    private static func forEachLine(_ text: String, _ body: (UnsafeBufferPointer<UInt8>.SubSequence) -> Void) {
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for i in 0..<bytes.count where bytes[i] == UInt8(ascii: "\n") {
                body(bytes[start..<i])
                start = i + 1
            }
            body(bytes[start..<bytes.count])
        }
    }
}
