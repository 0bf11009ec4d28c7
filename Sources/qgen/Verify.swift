import ArgumentParser
import Foundation
import QGenCompiler
import QGenVerify

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Emits the model, compiles the C in-process with libtcc, runs it on random inputs and compares every output element with the Swift integer reference.",
        discussion: "Exits 1 on any mismatch. Also reports the SQNR of the integer model against its float reference (informational).")

    @OptionGroup var options: ModelOptions

    @Option(parsing: .unconditional, help: "Number of random inputs.")
    var inputs: Int = 100

    @Option(parsing: .unconditional, help: "Seed of the random inputs (the same seed gives the same inputs on every machine).", transform: parseSeed)
    var seed: UInt64 = 1

    func validate() throws {
        guard inputs >= 1 else { throw ValidationError("--inputs must be ≥ 1, got \(inputs)") }
    }

    func run() throws {
        try reportingErrors {
            let result = try options.compile()
            let progress = Progress("verify")
            let report = try Verifier.verify(result, inputs: inputs, seed: seed) { progress.update($0, of: inputs, "inputs") }
            progress.finish()
            let model = result.lowered
            print("model \(model.name): \(model.nodes.count) layers, scheme \(model.scheme)")
            print("compared \(report.elements) output elements over \(report.inputs) random inputs (seed \(report.seed)): \(report.mismatches) mismatches")
            print("SQNR against the float reference: \(String(format: "%.2f", report.sqnr)) dB")
            if let m = report.firstMismatch {
                print("first mismatch: input \(m.input), element \(m.element): C \(m.c), reference \(m.reference)")
                throw ExitCode(1)
            }
        }
    }
}
