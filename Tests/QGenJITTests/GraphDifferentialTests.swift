import Foundation
import Testing
import QGen
import QGenArithmetic
import QGenCompiler
import QGenRandom
import QGenReference
import QGenVerify

/// Random graphs of every op (branches through Add and Concatenation, NCHW and NHWC, every
/// scheme with the ops its stack has): the emitted C under libtcc equals the reference on every
/// element. The seed is printed on failure (QGEN_TEST_SEED reruns it).
@Suite struct GraphDifferentialTests {
    @Test func randomGraphsMatchTheReference() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["QGEN_TEST_SEED"] ?? "") ?? 20261201
        var generator = RandomModels(seed: seed, cycleSchemes: true)
        var rng = SeededGenerator(seed: seed ^ 0x5EED)
        var compared = 0, elements = 0, rejected = 0, index = 0
        var kinds: Set<String> = [], schemes: Set<String> = [], layouts: Set<String> = [], averaging: Set<String> = []
        while compared < 320 {
            index += 1
            let spec = generator.graph(index: index)
            let result: Pipeline.Result
            do {
                result = try Pipeline.compile(spec, options: CompileOptions())
            } catch let error as DiagnosticsError {
                // Random scales sometimes ask for what the arithmetic rightly refuses (int32 bounds, multipliers,
                // ranges the engine itself refuses).
                #expect(error.errors.allSatisfy { ["int32", "too large", "no representable", "needs", "powerOfTwo", "cannot be held", "refuses it"].contains(where: $0.message.contains) },
                        "seed \(seed), graph \(index): unexpected refusal \(error)")
                rejected += 1
                if ProcessInfo.processInfo.environment["QGEN_SHOW_REFUSALS"] != nil { print("refused: \(error.errors.first!.message)") }
                continue
            }
            let model = result.lowered
            // The reduction paths of helpers_dot in turn: int16, 8-bit, the Arm DSP one in C.
            let compiled = try Verifier.compile(result.output, model: model, defines: [[], ["QGEN_MAC_8BIT=1"], ["QGEN_MAC_DSP=1"], ["QGEN_MAC_MVE=1"]][index % 4])
            let range = model.input.dtype.range
            let inputs = [Array(repeating: Int32(range.lowerBound), count: model.input.count), Array(repeating: Int32(range.upperBound), count: model.input.count)]
                + (0..<3).map { _ in Verifier.randomInput(for: model, using: &rng) }
            for x in inputs {
                let expected = IntegerReference.run(model, input: x)
                let got = compiled.run(x)
                elements += expected.count
                if got != expected {
                    Issue.record("seed \(seed), graph \(index) (\(model.scheme): \(model.nodes.map(\.kindName))): the C differs from the reference; rerun with QGEN_TEST_SEED=\(seed)")
                    return
                }
            }
            kinds.formUnion(model.nodes.map(\.kindName))
            schemes.insert(String(model.scheme.description.prefix { $0 != "(" }))
            layouts.formUnion(model.tensors.compactMap { $0.layout?.rawValue })
            if model.nodes.contains(where: { $0.kindName == "AvgPool2d" }) { averaging.insert(String(model.scheme.description.prefix { $0 != "(" })) }
            compared += 1
        }
        print("graph differential: \(compared) random graphs (seed \(seed)), \(elements) elements, 0 mismatches; \(rejected) refused; ops \(kinds.sorted())")
        #expect(kinds.isSuperset(of: ["Conv2d", "DepthwiseConv2d", "Linear", "Add", "MaxPool2d", "AvgPool2d", "Mean", "Flatten", "Concatenation", "Quantize", "Softmax", "Logistic", "Tanh", "Sub", "Mul", "Pad", "ReLU", "ReLU6", "LeakyReLU", "HardSwish"]))
        #expect(schemes.count == 8 && layouts == ["nchw", "nhwc"])
        // Each stack's own average pooling: TFLite's, PyTorch's (both engines) and ONNX Runtime's.
        #expect(averaging.isSuperset(of: ["tflite", "fbgemm", "qnnpack", "onnxRuntime"]), "average pooling ran under \(averaging.sorted())")
        #expect(rejected < compared / 4)
    }
}
