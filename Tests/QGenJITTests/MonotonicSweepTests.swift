import Foundation
import Testing
import QGen
import QGenArithmetic
import QGenCompiler
import QGenVerify

/// The user story of shared/seeds/000: a 10→10 Linear fed a constant input swept upward. Every
/// exact scheme must give monotonic outputs; PyTorch's fbgemm on x86 without VNNI does not, and
/// `fbgemm(saturatingPairs)` must reproduce its curves element for element.
@Suite struct MonotonicSweepTests {
    /// Whether `values` never changes direction (each step ≥ 0, or each step ≤ 0).
    private func isMonotonic(_ values: [Int32]) -> Bool {
        let steps = zip(values.dropFirst(), values).map { $0 - $1 }
        return steps.allSatisfy { $0 >= 0 } || steps.allSatisfy { $0 <= 0 }
    }

    private func sweep(_ spec: ModelSpec, inputs: [[Int32]]) throws -> [[Int32]] {
        let result = try Pipeline.compile(spec, options: CompileOptions())
        let compiled = try Verifier.compile(result.output, model: result.lowered)
        let outputs = inputs.map { compiled.run($0) ?? [] }
        let width = outputs.first?.count ?? 0
        return (0..<width).map { j in outputs.map { $0[j] } }   // one curve per output feature
    }

    @Test func theStoryIsNonMonotonicOnlyUnderSaturatingPairs() throws {
        let story = try #require(try EngineFixture.load("pytorch_fbgemm_saturating").cases.first { $0.id == "fbgemm-sweep-story" })
        let inputs = story.inputVectors
        #expect(inputs.count == 800)
        // The engine's own curves: some output turns back (the forum's plots).
        let engineCurves = (0..<10).map { j in story.outputVectors.map { $0[j] } }
        let turning = engineCurves.indices.filter { !isMonotonic(engineCurves[$0]) }
        #expect(!turning.isEmpty)
        // qgen reproduces them exactly with saturatingPairs, …
        #expect(try sweep(story.spec(scheme: "fbgemm(saturatingPairs)"), inputs: inputs) == engineCurves)
        // … and every exact scheme is monotonic in every output.
        for scheme in ["fbgemm", "qnnpack", "onnxRuntime", "tflite", "singleRounding", "fixedPoint(multiplierBits:16,rounding:halfEven)"] {
            let curves = try sweep(story.spec(scheme: scheme), inputs: inputs)
            #expect(curves.allSatisfy(isMonotonic), "\(scheme): outputs \(curves.indices.filter { !isMonotonic(curves[$0]) }) turn back")
        }
        print("sweep story: engine outputs \(turning) turn back; fbgemm(saturatingPairs) equals all 8000 engine values")
    }

    /// Property: random 10→10 Linear layers, every input code as a constant vector, every exact scheme.
    @Test(arguments: ["fbgemm", "qnnpack", "onnxRuntime", "tflite", "singleRounding", "powerOfTwo(rounding:halfEven,tolerance:0.5)",
                      "fixedPoint(multiplierBits:8,rounding:halfAwayFromZero)"])
    func exactSchemesAreMonotonicOnRandomWeights(scheme: String) throws {
        var rng = SeededGenerator(seed: 20261122)
        for trial in 0..<20 {
            let weights = (0..<100).map { _ in Double(Int.random(in: -128...127, using: &rng)) }
            let zw = trial % 3 == 0 ? Int.random(in: -10...10, using: &rng) : 0
            let zx = Int.random(in: 0...255, using: &rng)
            let layers: [LayerSpec] = [
                Input("x", shape: [1, 10], .uint8(scale: 0.03, zeroPoint: zx)).layerSpec,
                Linear("fc", outFeatures: 10, weight: .int8(.values(weights), scales: [0.004], zeroPoints: [zw]),
                       bias: .float(.values((0..<10).map { _ in Double.random(in: -1...1, using: &rng) })),
                       output: .uint8(scale: Double.random(in: 0.05...0.5, using: &rng), zeroPoint: 128)).layerSpec,
            ]
            let spec = ModelSpec(name: "sweep", layers: layers, requantization: Requantization(name: scheme), location: SourceLocation(file: "sweep.swift", line: trial))
            let inputs = (0...255).map { Array(repeating: Int32($0), count: 10) }
            let curves = try sweep(spec, inputs: inputs)
            #expect(curves.allSatisfy(isMonotonic), "\(scheme), trial \(trial)")
        }
    }
}
