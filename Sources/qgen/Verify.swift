import ArgumentParser
import Foundation
import QGenCompiler
import QGenVerify

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Emits the model, compiles the C in-process with libtcc, runs it on random inputs and compares every output element with the Swift integer reference.",
        discussion: "Exits 1 on any mismatch. Also reports the SQNR of the integer model against its float reference (informational).")

    @OptionGroup var options: ModelOptions

    @Option(parsing: .unconditional, help: "Number of random inputs (default: 100, fewer for large models: as many as fit \(Verifier.inputBudgetMACs / 1_000_000)M multiply-accumulates, at least 2).")
    var inputs: Int?

    @Option(parsing: .unconditional, help: "Seed of the random inputs (the same seed gives the same inputs on every machine).", transform: parseSeed)
    var seed: UInt64 = 1

    func validate() throws {
        if let inputs, inputs < 1 { throw ValidationError("--inputs must be ≥ 1, got \(inputs)") }
    }

    func run() throws {
        try reportingErrors {
            let result = try options.compile()
            let model = result.lowered
            let count = inputs ?? Verifier.defaultInputCount(for: model)
            let progress = Progress("verify")
            let report = try Verifier.verify(result, inputs: count, seed: seed) { progress.update($0, of: count, "inputs") }
            progress.finish()
            print("model \(model.name): \(model.nodes.count) layers, scheme \(model.scheme)")
            let chosen = inputs == nil && count < 100 ? " (the default for \(Verifier.multiplyAccumulates(model)) MACs per inference; more with --inputs N)" : ""
            print("compared \(report.elements) output elements over \(report.inputs) random inputs\(chosen) (seed \(report.seed)): \(report.mismatches) mismatches")
            print("SQNR against the float reference: \(String(format: "%.2f", report.sqnr)) dB"
                  + (report.sqnr < 10 ? " (random inputs over the input type's whole range saturate a model calibrated on real data; compare real inputs with qgen run --input)" : ""))
            if let m = report.firstMismatch {
                print("first mismatch: input \(m.input), element \(m.element): C \(m.c), reference \(m.reference)")
                throw ExitCode(1)
            }
        }
    }
}
