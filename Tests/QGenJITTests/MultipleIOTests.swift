import Foundation
import Testing
import QGen
import QGenArithmetic
import QGenCompiler
import QGenReference
import QGenVerify

/// Models with several Inputs and several outputs: the C API takes every input and output buffer
/// in order (`run(input0, input1, output0, output1, arena)`), the header documents each, and the
/// emitted C equals values computed by hand and the reference.
@Suite struct MultipleIOTests {
    private let at = SourceLocation(file: "model.swift", line: 1)

    private func compile(_ layers: [LayerSpec], options: CompileOptions = CompileOptions()) throws -> Pipeline.Result {
        try Pipeline.compile(ModelSpec(name: "two", layers: layers, location: at), options: options)
    }

    /// x + y and x − y with every scale 1 and zero point 0: TFLite's ADD/SUB rescale both inputs by
    /// 1/2 (exact on x · 2^20) and the sum by 2 / 2^20, so the results are the exact sum and
    /// difference, clamped to int8.
    @Test func sumAndDifferenceByHand() throws {
        let unit = QuantParams.int8(scale: 1, zeroPoint: 0)
        let result = try compile([
            Input("x", shape: [1, 6], unit).layerSpec,
            Input("y", shape: [1, 6], unit).layerSpec,
            Add("sum", "x", "y", output: unit).layerSpec,
            Sub("difference", "x", "y", output: unit).layerSpec,
        ])
        let model = result.lowered
        #expect(model.inputs.map { model.tensors[$0].name } == ["x", "y"])
        #expect(model.outputs.map { model.tensors[$0].name } == ["sum", "difference"])
        let header = result.output.header
        #expect(header.contains("#define TWO_INPUT_0_SIZE 6") && header.contains("#define TWO_INPUT_1_SIZE 6"))
        #expect(header.contains("/* Output \"difference\": int8[1, 6]"))
        #expect(header.contains("int two_run(const int8_t *input0, const int8_t *input1, int8_t *output0, int8_t *output1, void *arena);"))
        let compiled = try Verifier.compile(result.output, model: model)
        let x: [Int32] = [1, -7, 100, -100, 0, 127], y: [Int32] = [2, 3, 100, 100, -128, -128]
        let out = try #require(compiled.run(inputs: [x, y]))
        #expect(out[0] == [3, -4, 127, 0, -128, -1])
        #expect(out[1] == [-1, -10, 0, -128, 127, 127])
        let reference = IntegerReference.run(model, inputs: [x, y])
        #expect(out == model.outputs.map { reference[$0]! })
    }

    /// Inputs declared anywhere, an output that is a reshape of a tensor another layer reads (it is
    /// placed in the caller's output buffer), and verification over random inputs.
    @Test func branchesAndAliases() throws {
        let result = try compile([
            Input("audio", shape: [1, 8], .int8(scale: 0.05, zeroPoint: 2)).layerSpec,
            Linear("a1", outFeatures: 6, weight: .float(.values((0..<48).map { Double($0 % 7) / 7 - 0.4 })), output: .int8(scale: 0.1, zeroPoint: 0)).layerSpec,
            Input("meta", shape: [1, 6], .int8(scale: 0.08, zeroPoint: -5)).layerSpec,
            Add("joint", "a1", "meta", output: .int8(scale: 0.12, zeroPoint: 1), activation: .relu).layerSpec,
            Linear("logits", input: "joint", outFeatures: 3, weight: .float(.values((0..<18).map { Double($0 % 5) / 5 - 0.3 })),
                   output: .int8(scale: 0.1, zeroPoint: 0)).layerSpec,
            Reshape("embedding", input: "joint", shape: [1, 6]).layerSpec,
            Reshape("embedding2", input: "joint", shape: [6, 1]).layerSpec,
        ])
        let model = result.lowered
        #expect(model.outputs.map { model.tensors[$0].name } == ["logits", "embedding", "embedding2"])
        // Two outputs alias one tensor: the second is a copy in its own buffer.
        #expect(model.tensors[model.outputs[1]].buffer != model.tensors[model.outputs[2]].buffer)
        let report = try Verifier.verify(result, inputs: 100, seed: 7)
        #expect(report.mismatches == 0 && report.elements == 100 * 15)
    }

    @Test func boundaryLimitsAreExplained() throws {
        let layers = [
            Input("x", shape: [1, 4], .int8(scale: 1, zeroPoint: 0)).layerSpec,
            Input("y", shape: [1, 4], .int8(scale: 1, zeroPoint: 0)).layerSpec,
            Add("s", "x", "y", output: .int8(scale: 1, zeroPoint: 0)).layerSpec,
        ]
        do {
            _ = try compile(layers, options: CompileOptions(floatIO: true))
            Issue.record("--float-io with two inputs compiled")
        } catch let error as DiagnosticsError {
            #expect(error.errors.map(\.description) == ["model.swift:1: error: model 'two': --float-io converts one input and one output, but the model has 2 inputs and 1 outputs; convert at the boundary yourself (each input's and output's scale and zero point are in the header)"])
        }
        let unread = [layers[0], layers[1], Linear("fc", input: "x", outFeatures: 2, weight: .int8([1, 1, 1, 1, 1, 1, 1, 1], scale: 0.1),
                                                        output: .int8(scale: 1, zeroPoint: 0), file: "model.swift", line: 4).layerSpec]
        do {
            _ = try compile(unread)
            Issue.record("an unread input compiled")
        } catch let error as DiagnosticsError {
            #expect(error.errors.map(\.description).contains { $0.hasSuffix("error: input 'y' is not read by any layer") }, "\(error.errors)")
        }
    }
}
