import QGen
import QGenArithmetic
import QGenCompiler
import QGenJIT
import QGenReference

/// Compiles an emitted model with libtcc, runs it on seeded random inputs and compares every
/// output element with the Swift integer reference.
public enum Verifier {
    public struct Report: Sendable {
        public var inputs: Int
        public var elements: Int
        public var mismatches: Int
        /// The first differing input (index), element and values, for the message.
        public var firstMismatch: (input: Int, element: Int, c: Int32, reference: Int32)?
        /// SQNR of the integer output against the float reference, in dB, over all inputs.
        public var sqnr: Double
        public var seed: UInt64
    }

    public static func compile(_ output: Renderer.Output, model: LoweredModel) throws -> CompiledModel {
        try CompiledModel(
            source: output.source, sourceName: output.sourceName, header: output.header, headerName: output.headerName,
            prefix: model.cPrefix, inputCount: model.input.count, outputCount: model.output.count,
            inputIsSigned: model.input.dtype == .int8, outputIsSigned: model.output.dtype == .int8, arenaSize: model.arenaSize)
    }

    /// A random input over the whole range of the input type.
    public static func randomInput(for model: LoweredModel, using rng: inout SeededGenerator) -> [Int32] {
        let range = model.input.dtype.range
        return (0..<model.input.count).map { _ in Int32(Int.random(in: range, using: &rng)) }
    }

    public static func verify(_ result: Pipeline.Result, inputs: Int, seed: UInt64) throws -> Report {
        let model = result.lowered
        let compiled = try compile(result.output, model: model)
        var rng = SeededGenerator(seed: seed)
        var report = Report(inputs: inputs, elements: 0, mismatches: 0, firstMismatch: nil, sqnr: .infinity, seed: seed)
        var realOutputs: [Double] = [], quantizedOutputs: [Int32] = []
        for i in 0..<inputs {
            let x = randomInput(for: model, using: &rng)
            let expected = IntegerReference.run(model, input: x)
            let got = compiled.run(x) ?? []
            report.elements += expected.count
            for (j, e) in expected.enumerated() where j >= got.count || got[j] != e {
                report.mismatches += 1
                if report.firstMismatch == nil { report.firstMismatch = (i, j, j < got.count ? got[j] : Int32.min, e) }
            }
            realOutputs += FloatReference.run(model, real: result.lowering.real, input: x)
            quantizedOutputs += expected
        }
        let outputScale = result.lowering.real.layers.last?.outputScale ?? result.lowering.real.inputScale
        report.sqnr = FloatReference.sqnr(reference: realOutputs, quantized: quantizedOutputs, scale: outputScale, zeroPoint: model.output.zeroPoint)
        return report
    }
}
