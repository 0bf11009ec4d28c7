import ArgumentParser
import Foundation
import QGenArithmetic
import QGenCompiler
import QGenVerify

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prints the integer trace of one output element of one layer, beside a second scheme and real arithmetic.",
        discussion: """
            The trace shows the products summed, the zero points, the bias (real and integer), the accumulator, the \
            multiplier (real and its fixed-point or float32 form), each rounding step, the output zero point and the \
            clamp, then a side-by-side table and the step where the schemes part. The layer's input comes from \
            --input (a .npy of the model input: integer codes, or float values quantized by the scheme's stack rule) \
            or from --seed.
            """)

    @OptionGroup var options: ModelOptions

    @Option(help: "The layer's name (as in model.swift).")
    var layer: String

    @Option(parsing: .unconditional, help: "The output element: one index per dimension of the layer's output (e.g. 0,0,2,15) or one flat index.")
    var index: String

    @Option(help: "A .npy file with the model input: integers are codes; floats are quantized with the scheme's boundary rule.")
    var input: String?

    @Option(parsing: .unconditional, help: "With --input holding several inputs one after another (a calibration or compare batch): the one to use, from 0.")
    var inference: Int?

    @Option(parsing: .unconditional, help: "Seed of a random input when no --input is given.", transform: parseSeed)
    var seed: UInt64 = 1

    @Option(help: "The second scheme (default: tflite, or fbgemm when the model's scheme is tflite).", transform: parseScheme)
    var compare: RequantizationScheme?

    @Option(parsing: .unconditional, help: "Also compute the element by hand from scales printed with this many decimals (as PyTorch prints them: 4).")
    var printedDigits: Int?

    /// The indices of `--index`.
    var indices: [Int] {
        get throws {
            let parts = index.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let values = parts.map { Int($0) }
            guard !parts.isEmpty, values.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--index takes comma-separated whole numbers (e.g. 0,0,2,15, or one flat index), got '\(index)'")
            }
            if let negative = values.first(where: { $0! < 0 }) {
                throw ValidationError("--index '\(index)': \(negative!) is negative; indices count from 0")
            }
            return values.map { $0! }
        }
    }

    func validate() throws {
        _ = try indices
        if let inference, inference < 0 { throw ValidationError("--inference counts from 0, got \(inference)") }
        if inference != nil && input == nil { throw ValidationError("--inference picks one input of --input's file; give --input too") }
        if let problem = printedDigits.flatMap(Explainer.printedDigitsProblem) { throw ValidationError(problem) }
    }

    func run() throws {
        try reportingErrors {
            let result = try options.compile()
            let model = result.lowered
            let x: [[Int32]]
            if let input {
                let read = try InputFile.read(input, for: result, inference: inference)
                print("input: \(read.note)")
                x = [read.codes]
            } else {
                var rng = SeededGenerator(seed: seed)
                x = Verifier.randomInputs(for: model, using: &rng)
                print("input: random codes, seed \(seed)")
            }
            let second = compare ?? (model.scheme == .tflite ? .fbgemm(saturatingPairs: false) : .tflite)
            let progress = Progress("explain")
            let explanation = try Explainer.explain(result, layer: layer, index: try indices, inputs: x, compare: second, printedDigits: printedDigits,
                                                    progress: { progress.update($0) })
            progress.finish()
            print(explanation.text)
        }
    }
}
