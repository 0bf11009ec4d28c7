import Foundation
import Testing
import QGen
import QGenArithmetic
import QGenCompiler
import QGenJIT
import QGenRandom
import QGenReference
import QGenVerify

/// Emitted C, compiled in-process by libtcc, against the Swift integer reference: zero mismatching
/// elements, on random models and on the examples.
@Suite struct DifferentialTests {
    /// Inputs for one model: random ones plus the extremes of the input type (all min, all max).
    private func inputs(for model: LoweredModel, rng: inout SeededGenerator, random: Int) -> [[Int32]] {
        let range = model.input.dtype.range
        return [Array(repeating: Int32(range.lowerBound), count: model.input.count), Array(repeating: Int32(range.upperBound), count: model.input.count)]
            + (0..<random).map { _ in Verifier.randomInput(for: model, using: &rng) }
    }

    @Test func randomLayersMatchTheReference() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["QGEN_TEST_SEED"] ?? "") ?? 20261122
        var generator = RandomModels(seed: seed)
        var rng = SeededGenerator(seed: seed ^ 0xABCD)
        var compared = 0, elements = 0, rejected = 0, index = 0
        var features: Set<String> = []
        while compared < 800 {
            index += 1
            let spec = generator.model(index: index)
            let result: Pipeline.Result
            do {
                result = try Pipeline.compile(spec, options: CompileOptions())
            } catch let error as DiagnosticsError {
                // The generator sometimes asks for layers the lowering rightly refuses (overflow bounds).
                #expect(error.errors.allSatisfy { $0.message.contains("int32") || $0.message.contains("too large") || $0.message.contains("no representable") || $0.message.contains("needs") || $0.message.contains("outside the powerOfTwo") },
                        "seed \(seed), model \(index): unexpected refusal \(error)")
                rejected += 1
                continue
            }
            let model = result.lowered
            // The reduction paths of helpers_dot in turn: int16, 8-bit, the Arm DSP one in C.
            let compiled = try Verifier.compile(result.output, model: model, defines: [[], ["QGEN_MAC_8BIT=1"], ["QGEN_MAC_DSP=1"], ["QGEN_MAC_MVE=1"]][index % 4])
            for x in inputs(for: model, rng: &rng, random: 3) {
                let expected = IntegerReference.run(model, input: x)
                let got = compiled.run(x)
                elements += expected.count
                if got != expected {
                    let j = zip(expected, got ?? []).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? -1
                    Issue.record("seed \(seed), model \(index) (\(model.nodes.map(\.kindName))): element \(j) differs; rerun with QGEN_TEST_SEED=\(seed)\n\(result.output.source.prefix(3000))")
                    return
                }
            }
            for node in model.nodes {
                features.insert(node.kindName)
                guard let layer = node.mac else { continue }
                features.insert(model.scheme.description.hasPrefix("fbgemm(") ? "fbgemm(saturatingPairs)" : String(model.scheme.description.prefix { $0 != "(" }))
                if layer.isPerChannel { features.insert("perChannel") }
                if layer.hasWeightZeroPoint { features.insert("weightZeroPoint") }
                if layer.inputZeroPoint != 0 { features.insert("inputZeroPoint") }
                if case .conv2d(let g) = layer.geometry {
                    if g.padHeight + g.padWidth > 0 { features.insert("padding") }
                    if g.groups > 1 && g.groups == g.inChannels { features.insert("depthwise") } else if g.groups > 1 { features.insert("groups") }
                    if g.dilationHeight + g.dilationWidth > 2 { features.insert("dilation") }
                    if g.strideHeight + g.strideWidth > 2 { features.insert("stride") }
                    if g.batch > 1 { features.insert("batch") }
                }
                if layer.requantizer.activationText != "none" { features.insert("activation") }
                if model.nodes.count > 1 { features.insert("chain") }
            }
            compared += 1
        }
        print("differential: \(compared) random models (seed \(seed)), \(elements) elements, 0 mismatches; \(rejected) refused by the lowering")
        #expect(features.isSuperset(of: ["Linear", "Conv2d", "tflite", "singleRounding", "fbgemm", "fbgemm(saturatingPairs)", "qnnpack",
                                         "onnxRuntime", "powerOfTwo", "fixedPoint", "perChannel", "weightZeroPoint", "inputZeroPoint",
                                         "padding", "depthwise", "groups", "dilation", "stride", "batch", "activation", "chain"]), "\(features)")
        #expect(rejected < compared / 4)
    }

    /// --float-requant: the native binary32 output stage (libtcc uses SSE) against the same reference.
    @Test func floatRequantMatchesTheReference() throws {
        var generator = RandomModels(seed: 20261123, cycleSchemes: true)
        var rng = SeededGenerator(seed: 99)
        var compared = 0, elements = 0, index = 0
        while compared < 150 {
            index += 1
            let spec = generator.model(index: index)
            guard let scheme = RequantizationScheme(parsing: spec.requantization?.name ?? ""), scheme.family == .float32,
                  let result = try? Pipeline.compile(spec, options: CompileOptions(floatRequant: true)) else { continue }
            #expect(result.output.source.contains("static int32_t qgen_round_to_int32(float v)"))
            let compiled = try Verifier.compile(result.output, model: result.lowered)
            for x in inputs(for: result.lowered, rng: &rng, random: 3) {
                let expected = IntegerReference.run(result.lowered, input: x)
                elements += expected.count
                #expect(compiled.run(x) == expected, "model \(index) (\(scheme))")
            }
            compared += 1
        }
        print("float-requant: \(compared) random models, \(elements) elements, native float32 equal to the reference")
    }

    /// Linear's four-row reduction against the reference: features in one chunk (10), in equal
    /// chunks (1,024 = 2 x 512) and in unequal ones (1,031 = 512 + 512 + 7), output features that
    /// leave a group of fewer than four (7), blocks of 64 features and a last one of 6 (70: each chunk
    /// widened once per block), per-channel weight zero points, int8 and uint8 inputs, and every
    /// reduction path (int16, 8-bit, the Arm DSP one in C).
    @Test func linearChunksMatchTheReference() throws {
        var rng = SeededGenerator(seed: 11)
        var elements = 0
        for (inFeatures, zeroPoints, int8Input, outFeatures) in [(10, false, false, 7), (1024, false, true, 7), (1031, true, false, 7), (1031, false, true, 7),
                                                                 (1031, true, false, 70)] {
            let spec = ModelSpec(name: "fc", layers: [
                Input("x", shape: [2, inFeatures], int8Input ? .int8(scale: 0.05, zeroPoint: -3) : .uint8(scale: 0.05, zeroPoint: 5)).layerSpec,
                Linear("fc", outFeatures: outFeatures,
                       weight: .int8(.values((0..<(outFeatures * inFeatures)).map { _ in Double(Int.random(in: -128...127, using: &rng)) }),
                                          scales: (0..<outFeatures).map { _ in Double.random(in: 0.001...0.002, using: &rng) },
                                          zeroPoints: (0..<outFeatures).map { _ in zeroPoints ? Int.random(in: -4...4, using: &rng) : 0 }),
                       bias: .float(.values((0..<outFeatures).map { _ in Double.random(in: -3...3, using: &rng) })),
                       output: .uint8(scale: 0.01 * Double(inFeatures).squareRoot(), zeroPoint: 120)).layerSpec,
            ], location: SourceLocation(file: "model.swift", line: 1))
            let result = try Pipeline.compile(spec, options: CompileOptions())
            for defines in [[], ["QGEN_MAC_8BIT=1"], ["QGEN_MAC_DSP=1"], ["QGEN_MAC_MVE=1"]] {
                let report = try Verifier.verify(result, inputs: 6, seed: 3, defines: defines)
                #expect(report.mismatches == 0, "K \(inFeatures) \(defines): \(report.mismatches) of \(report.elements) mismatch")
                elements += report.elements
            }
        }
        #expect(elements == 4 * 4 * 6 * 2 * 7 + 4 * 6 * 2 * 70)
    }

    @Test(arguments: ["conv1x1_per_channel", "conv_zero_weights", "linear_2x2", "linear_sweep", "tiny_cnn"])
    func examplesMatchTheReference(name: String) throws {
        let path = packageRoot.appendingPathComponent("Examples/\(name)/model.swift")
        let spec = try ModelLoader.load(path: path.path)
        let result = try Pipeline.compile(spec, options: CompileOptions(baseDirectory: path.deletingLastPathComponent(), fileStem: name))
        let report = try Verifier.verify(result, inputs: 25, seed: 7)
        #expect(report.mismatches == 0 && report.elements > 0)
    }

    /// The user story's zero-weight convolution outputs 255 (0.5 at scale 0.5/255) everywhere, as
    /// PyTorch printed it, for any input.
    @Test func zeroWeightConvolutionOutputs255() throws {
        let path = packageRoot.appendingPathComponent("Examples/conv_zero_weights/model.swift")
        let result = try Pipeline.compile(try ModelLoader.load(path: path.path), options: CompileOptions(baseDirectory: path.deletingLastPathComponent()))
        let compiled = try Verifier.compile(result.output, model: result.lowered)
        var rng = SeededGenerator(seed: 3)
        for _ in 0..<5 {
            #expect(compiled.run(Verifier.randomInput(for: result.lowered, using: &rng)) == Array(repeating: 255, count: 100))
        }
    }
}

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
