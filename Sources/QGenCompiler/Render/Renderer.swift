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
        func piece(_ context: Any, _ template: String) -> String {
            visit(template, context)
            return Self.piece(context, template)
        }
        let s = file.source
        let context = SourceText(
            sourceName: s.sourceName, headerName: s.headerName, modelName: s.modelName, version: s.version, sourceFile: s.sourceFile,
            schemeSummary: s.schemeSummary, api: s.api, parameters: s.parameters,
            nullTests: s.nullTests, layerSummaries: s.layerSummaries,
            helpers: ((s.helperTemplate.map { [piece(s.helpers, $0)] } ?? []) + s.opHelpers.map { piece(s.helpers, $0) }).joined(separator: "\n\n"),
            arrays: s.arrays.map { piece(arrayText($0), "const_array") },
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
        var lines: [String]
    }

    /// A constant array's lines: one element with its comment per line, or aligned rows.
    private static func arrayText(_ array: CArray) -> ArrayText {
        var lines: [String] = []
        let literals = array.literals ?? array.values.map(literal)
        if let comments = array.elementComments {
            lines = zip(literals, comments).map { "\($0), /* \(CText.escape($1)) */" }
        } else {
            let perLine = array.cType == "int8_t" ? 16 : 8
            let width = literals.map(\.count).max() ?? 0
            var i = 0
            while i < literals.count {
                let chunk = literals[i..<min(i + perLine, literals.count)]
                lines.append(chunk.map { String(repeating: " ", count: width - $0.count) + $0 + "," }.joined(separator: " "))
                i += perLine
            }
        }
        return ArrayText(comment: array.comment, cType: array.cType, name: array.name, count: literals.count, lines: lines)
    }

    /// A decimal C literal of the value's type; INT32_MIN is spelled so that no constant exceeds int32.
    private static func literal(_ v: Int64) -> String {
        v == Int64(Int32.min) ? "(-2147483647 - 1)" : String(v)
    }

    private static func piece(_ context: Any, _ template: String) -> String {
        guard let text = library.render(context, withTemplate: template) else {
            preconditionFailure("missing template '\(template)'")
        }
        return trimBlankLines(text)
    }

    private static func trimBlankLines(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            var l = line
            while l.last == " " { l = l.dropLast() }
            return l
        }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    /// One trailing newline, no runs of more than one blank line.
    private static func finish(_ text: String) -> String {
        var out: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty && out.last?.isEmpty == true { continue }
            out.append(line)
        }
        return out.joined(separator: "\n") + "\n"
    }
}
