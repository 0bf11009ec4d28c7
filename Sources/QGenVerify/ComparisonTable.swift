import Foundation
import QGenReference

/// `qgen compare`'s terminal table and `--json` document.
public enum ComparisonTable {
    /// How the worst elements are traced: the command line that reproduces the comparison's input
    /// for `qgen explain` (the model, its options, the data file).
    public struct ExplainCommand: Sendable {
        public var model: String
        /// Options every explain needs to compile the same model (e.g. `--scheme tflite`, `--calibrate data.npy`).
        public var options: [String]
        public var data: String

        public init(model: String, options: [String], data: String) {
            self.model = model
            self.options = options
            self.data = data
        }

        public func command(for element: NumericComparison.WorstElement) -> String {
            (["qgen", "explain", model] + options + ["--layer", element.output, "--index", element.index.map(String.init).joined(separator: ","),
                                                      "--input", data, "--inference", String(element.inference)])
                .map(shellQuoted).joined(separator: " ")
        }
    }

    /// The aligned table: weights, then activations and shadow per layer, then the worst output elements.
    public static func text(_ report: NumericComparison.Report, explain: ExplainCommand) -> String {
        var lines: [String] = []
        lines.append("model \(report.model), scheme \(report.scheme), \(report.inferences) inference\(report.inferences == 1 ? "" : "s")")
        if let a = report.accuracy {
            lines.append("top-1 accuracy: float model \(percent(a.floatCorrect, a.total)), quantized model \(percent(a.quantizedCorrect, a.total))")
        }
        lines.append("")
        lines.append("weights: float against dequantized int8 (SQNR = 20·log10(‖w‖/‖w − ŵ‖), dB)")
        lines += aligned([["layer", "line", "SQNR", "worst channel", "best channel"]] + report.weights.map { w in
            let channels = w.channels.enumerated().map { ($0.offset, $0.element.sqnr) }
            let worst = channels.min { $0.1 < $1.1 }!, best = channels.max { $0.1 < $1.1 }!
            return [w.layer, "\(w.location.line)", decibels(w.total.sqnr),
                    "\(decibels(worst.1)) (channel \(worst.0))", "\(decibels(best.1)) (channel \(best.0))"]
        }, rightAligned: [2])
        lines.append("")
        lines.append("activations: float model against quantized model (inherited error included); shadow: the layer alone, on the quantized model's input")
        lines += aligned([["layer", "op", "SQNR", "MSE", "cosine", "max |error|", "shadow SQNR"]] + report.layers.map { l in
            [l.layer, l.kind, decibels(l.activations.sqnr), String(format: "%.3g", l.activations.meanSquaredError),
             String(format: "%.5f", l.activations.cosineSimilarity),
             String(format: "%.2f steps", l.activations.maxAbsError / l.outputScale), decibels(l.shadow.sqnr)]
        }, rightAligned: [2, 3, 4, 5, 6])
        if !report.worst.isEmpty {
            lines.append("")
            lines.append("worst output elements (error in steps of the output's scale), each with the command that traces it:")
            for e in report.worst {
                lines.append("  \(e.output)[\(e.index.map(String.init).joined(separator: ", "))], inference \(e.inference): float \(String(format: "%.6g", e.float)), quantized \(e.code) = \(String(format: "%.6g", e.dequantized)), error \(String(format: "%.2f", e.errorSteps)) steps")
                lines.append("    \(explain.command(for: e))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The report as JSON (infinite SQNRs as the strings "inf" and "-inf").
    public static func json(_ report: NumericComparison.Report, explain: ExplainCommand) -> String {
        struct Measures: Encodable {
            var sqnr, mse, cosine, maxAbsError: Double
            init(_ s: NumericComparison.ErrorSums) {
                (sqnr, mse, cosine, maxAbsError) = (s.sqnr, s.meanSquaredError, s.cosineSimilarity, s.maxAbsError)
            }
        }
        struct Weight: Encodable { var layer: String; var line: Int; var sqnr: Double; var channelSQNR: [Double] }
        struct Layer: Encodable { var layer, op: String; var line: Int?; var outputScale: Double; var activations, shadow: Measures }
        struct Worst: Encodable {
            var output: String; var inference: Int; var index: [Int]
            var float: Double; var code: Int32; var dequantized: Double; var errorSteps: Double; var explain: String
        }
        struct Accuracy: Encodable { var total, floatCorrect, quantizedCorrect: Int }
        struct Document: Encodable {
            var model, scheme: String; var inferences: Int
            var weights: [Weight]; var layers: [Layer]; var worst: [Worst]; var accuracy: Accuracy?
        }
        let document = Document(
            model: report.model, scheme: "\(report.scheme)", inferences: report.inferences,
            weights: report.weights.map { Weight(layer: $0.layer, line: $0.location.line, sqnr: $0.total.sqnr, channelSQNR: $0.channels.map(\.sqnr)) },
            layers: report.layers.map { Layer(layer: $0.layer, op: $0.kind, line: $0.location?.line, outputScale: $0.outputScale,
                                              activations: Measures($0.activations), shadow: Measures($0.shadow)) },
            worst: report.worst.map { Worst(output: $0.output, inference: $0.inference, index: $0.index, float: $0.float, code: $0.code,
                                            dequantized: $0.dequantized, errorSteps: $0.errorSteps, explain: explain.command(for: $0)) },
            accuracy: report.accuracy.map { Accuracy(total: $0.total, floatCorrect: $0.floatCorrect, quantizedCorrect: $0.quantizedCorrect) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: (try? encoder.encode(document)) ?? Data("null".utf8), as: UTF8.self) + "\n"
    }

    /// `352/360 (97.78%)`
    static func percent(_ n: Int, _ total: Int) -> String {
        "\(n)/\(total) (\(String(format: "%.2f", 100 * Double(n) / Double(max(total, 1))))%)"
    }

    /// A dB figure with two decimals; "exact" for +∞ (no error at all).
    static func decibels(_ v: Double) -> String {
        if v == .infinity { return "exact" }
        if v == -.infinity { return "-inf" }
        return String(format: "%.2f", v)
    }

    /// Rows padded to aligned columns (two spaces apart); `rightAligned` columns are padded on the left.
    static func aligned(_ rows: [[String]], rightAligned: Set<Int>) -> [String] {
        let widths = (0..<(rows.map(\.count).max() ?? 0)).map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
        return rows.map { row in
            "  " + row.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return rightAligned.contains(c) ? pad + cell : cell + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
    }

    /// A word as a POSIX shell reads it back: bare when it is only safe characters, else in single quotes.
    static func shellQuoted(_ word: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./,:=+@")
        if !word.isEmpty && word.allSatisfy({ safe.contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
