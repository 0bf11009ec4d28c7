import Foundation
import Testing
import QGen
import QGenArithmetic
import QGenCompiler
import QGenReference
import QGenVerify

/// A concatenation whose inputs are written into their slices of its output (the arena plan places
/// each input there, and no kernel copies them): NCHW branches of an Inception-style block joined
/// along the channels (batch 1, so each input is one contiguous slice), one of them an Add written
/// in place over its dying input, and a second concatenation that takes the first whole (nested
/// slices). Where the rule does not hold the kernel stays: an input another layer reads too, an input
/// requantized, and channels of NHWC pixels (not one slice each).
@Suite struct ConcatenationSliceTests {
    static func conv(_ name: String, input: String, _ inChannels: Int, _ outChannels: Int, kernel: Int = 1, _ q: QuantParams, _ rng: inout SeededGenerator) -> LayerSpec {
        let count = inChannels * outChannels * kernel * kernel
        return Conv2d(name, input: input, outChannels: outChannels, kernel: kernel, padding: kernel / 2,
                      weight: .int8(.values((0..<count).map { _ in Double(Int.random(in: -127...127, using: &rng)) }),
                                    scales: (0..<outChannels).map { _ in Double.random(in: 0.002...0.004, using: &rng) }),
                      bias: .float(.values((0..<outChannels).map { _ in Double.random(in: -1...1, using: &rng) })),
                      output: q, activation: .relu).layerSpec
    }

    @Test(arguments: ["tflite", "fbgemm", "onnxRuntime"])
    func inputsWrittenIntoTheirSlicesMatchTheReference(scheme: String) throws {
        var rng = SeededGenerator(seed: 20261206)
        let q = QuantParams.uint8(scale: 0.1, zeroPoint: 5)
        let spec = ModelSpec(name: "block", layers: [
            Input("x", shape: [1, 4, 8, 8], .uint8(scale: 0.05, zeroPoint: 3)).layerSpec,
            Self.conv("a", input: "x", 4, 6, q, &rng),
            Self.conv("b", input: "x", 4, 5, kernel: 3, q, &rng),
            Self.conv("c0", input: "x", 4, 3, .uint8(scale: 0.08, zeroPoint: 2), &rng),
            Self.conv("c1", input: "x", 4, 3, .uint8(scale: 0.07, zeroPoint: 4), &rng),
            Add("c", "c0", "c1", output: q).layerSpec,
            Concatenation("cat1", ["a", "b", "c"], axis: 1).layerSpec,
            Self.conv("d", input: "x", 4, 2, q, &rng),
            Concatenation("cat2", ["cat1", "d"], axis: 1).layerSpec,
            Self.conv("head", input: "cat2", 16, 4, .uint8(scale: 0.2, zeroPoint: 0), &rng),
        ], requantization: Requantization(name: scheme), location: SourceLocation(file: "model.swift", line: 1))
        let result = try Pipeline.compile(spec, options: CompileOptions(fileStem: "net"))
        let source = result.output.source
        #expect(source.components(separatedBy: "its inputs written into their slices of its output").count == 3, "both concatenations run no kernel")
        #expect(!source.contains("Concatenation, 1 blocks"))
        // --report: both concatenations' outputs hold their inputs; the Add written over c0 is in place.
        let placements = Dictionary(uniqueKeysWithValues: ModelReport(result).layers.map { ($0.name, $0.placement) })
        #expect(placements["cat1"]?.hasSuffix(", its inputs written there") == true && placements["cat2"]?.hasSuffix(", its inputs written there") == true)
        #expect(placements["c"]?.hasSuffix(", in place") == true, "\(placements["c"] ?? "")")
        let m = result.lowered
        // At cat1 its three inputs (14 planes of 64) and its output live at once without the slices: 1,792 bytes.
        #expect(m.arenaSize < m.arenaLowerBound, "arena \(m.arenaSize), lower bound \(m.arenaLowerBound)")
        let report = try Verifier.verify(result, inputs: 8, seed: 3)
        #expect(report.mismatches == 0 && report.elements > 0, "\(report.mismatches) of \(report.elements)")
    }

    @Test func theKernelStaysWhereAnInputIsNotOneSliceOfIt() throws {
        var rng = SeededGenerator(seed: 20261207)
        let q = QuantParams.int8(scale: 0.1, zeroPoint: -5)
        for (name, layers) in [
            // e is read by f too.
            ("shared", [Input("x", shape: [1, 4, 6, 6], .int8(scale: 0.05, zeroPoint: 1)).layerSpec,
                        Self.conv("e", input: "x", 4, 3, q, &rng), Self.conv("f", input: "e", 3, 3, q, &rng),
                        Concatenation("cat", ["e", "f"], axis: 1).layerSpec, Self.conv("head", input: "cat", 6, 2, q, &rng)]),
            // g is requantized to the output's scale.
            ("requantized", [Input("x", shape: [1, 4, 6, 6], .int8(scale: 0.05, zeroPoint: 1)).layerSpec,
                             Self.conv("g", input: "x", 4, 3, .int8(scale: 0.2, zeroPoint: 0), &rng), Self.conv("h", input: "x", 4, 3, q, &rng),
                             Concatenation("cat", ["g", "h"], axis: 1, output: q).layerSpec, Self.conv("head", input: "cat", 6, 2, q, &rng)]),
            // NHWC channels: each input is 36 runs of 3 channels.
            ("nhwc", [Input("x", shape: [1, 6, 6, 4], layout: .nhwc, .int8(scale: 0.05, zeroPoint: 1)).layerSpec,
                      Self.conv("e", input: "x", 4, 3, q, &rng), Self.conv("f", input: "x", 4, 3, q, &rng),
                      Concatenation("cat", ["e", "f"], axis: 3).layerSpec, Self.conv("head", input: "cat", 6, 2, q, &rng)]),
        ] {
            let result = try Pipeline.compile(ModelSpec(name: name, layers: layers, location: SourceLocation(file: "model.swift", line: 1)),
                                              options: CompileOptions(fileStem: "net"))
            #expect(result.output.source.contains("Concatenation, "), "\(name): the kernel was left out")
            #expect(!result.output.source.contains("its inputs written into their slices"), "\(name)")
            let report = try Verifier.verify(result, inputs: 4, seed: 3)
            #expect(report.mismatches == 0 && report.elements > 0, "\(name): \(report.mismatches) of \(report.elements)")
        }
    }
}
