import ArgumentParser
import Foundation
import QGenCompiler
import QGenReference
import QGenVerify

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Finds where quantization loses accuracy: the float model against the quantized model, layer by layer (PyTorch's Numeric Suite).",
        discussion: """
            The float model is model.swift's float weights and biases, unquantized, on the float data; the quantized \
            model is the integer reference (what the emitted C computes), on the data quantized by the scheme's \
            boundary rule. Printed: (a) weights, float against dequantized int8, SQNR per layer and its worst and best \
            channel; (b) activations, each layer's output in both models (SQNR, MSE, cosine similarity, largest error \
            in steps of the layer's scale); (c) shadow, each quantized layer against its float layer fed the same \
            dequantized input, so a layer's own error shows apart from what it inherits; (d) the worst output \
            elements, each with the qgen explain command that traces it. SQNR = 20·log10(‖float‖/‖float − quantized‖) dB, \
            as PyTorch's compute_error. Every Linear and convolution must give float weights.
            """)

    @OptionGroup var options: ModelOptions

    @Option(help: ArgumentHelp("A .npy of float inputs; the first axis counts inferences ([k·N, …] for an input of shape [N, …]).", valueName: "inputs.npy"))
    var data: String

    @Option(help: ArgumentHelp("A .npy of integer class labels, one per inference: prints both models' top-1 accuracy (arg max of the first output).", valueName: "labels.npy"))
    var labels: String?

    @Flag(help: "Print the report as JSON instead of the table (infinite SQNRs as \"inf\").")
    var json = false

    @Option(help: ArgumentHelp("Also write a self-contained HTML page with SQNR bars, weight and error histograms (SVG).", valueName: "report.html"))
    var html: String?

    @Option(parsing: .unconditional, help: "How many of the worst output elements to list.")
    var worst: Int = 5

    func validate() throws {
        if worst < 0 { throw ValidationError("--worst takes a count ≥ 0, got \(worst)") }
    }

    func run() throws {
        try reportingErrors {
            let destination = html.map { URL(fileURLWithPath: $0) }
            if let destination { try AtomicFiles.checkWritable(destination) }
            let result = try options.compile()
            let data = try NpyArray(contentsOf: URL(fileURLWithPath: self.data))
            let labelArray = try labels.map { try NpyArray(contentsOf: URL(fileURLWithPath: $0)) }
            let progress = Progress("compare")
            let report: NumericComparison.Report
            do {
                report = try NumericComparison.compare(result, data: data, labels: labelArray, worst: worst) { progress.update($0, of: $1, "inferences") }
            } catch let error as NumericComparison.ComparisonError {
                progress.finish()
                throw CLIError("\(error)")
            }
            progress.finish()
            var passed: [String] = []
            if let scheme = options.scheme { passed += ["--scheme", "\(scheme)"] }
            if let calibrate = options.calibrate { passed += ["--calibrate", calibrate] }
            let explain = ComparisonTable.ExplainCommand(model: options.model, options: passed, data: self.data)
            print(json ? ComparisonTable.json(report, explain: explain) : ComparisonTable.text(report, explain: explain), terminator: "")
            if let destination {
                try AtomicFiles.write([(destination, ComparisonHTML.page(report, explain: explain))])
                if !json { print("wrote \(html!)") }
            }
        }
    }
}
