import Foundation
import Testing
import QGen
import QGenArithmetic
@testable import QGenCompiler

/// The ONNX importer's refusals: each kind of input it cannot compile is an error that names the
/// node (index, name, op), the value and what would be valid; malformed bytes never trap.
@Suite struct ONNXImportTests {
    // Small graphs built here: a float input quantized to uint8, one QLinearConv, dequantized out.
    static func tensor(_ name: String, _ type: ONNXConstant.ElementType, _ dims: [Int], ints: [Int32] = [], floats: [Float] = []) -> Onnx_TensorProto {
        var t = Onnx_TensorProto()
        t.name = name
        t.dataType = type.rawValue
        t.dims = dims.map(Int64.init)
        t.int32Data = ints
        t.floatData = floats
        return t
    }

    static func node(_ op: String, _ inputs: [String], _ outputs: [String], name: String = "", domain: String = "", ints: [String: [Int64]] = [:]) -> Onnx_NodeProto {
        var n = Onnx_NodeProto()
        n.opType = op
        n.input = inputs
        n.output = outputs
        n.name = name
        n.domain = domain
        for (key, values) in ints.sorted(by: { $0.key < $1.key }) {
            var a = Onnx_AttributeProto()
            a.name = key
            a.ints = values
            a.type = .ints
            n.attribute.append(a)
        }
        return n
    }

    static func value(_ name: String, _ dims: [Onnx_TensorShapeProto.Dimension], type: Int32 = 1) -> Onnx_ValueInfoProto {
        var v = Onnx_ValueInfoProto()
        v.name = name
        v.type.tensorType.elemType = type
        v.type.tensorType.shape.dim = dims
        return v
    }

    static func dim(_ n: Int) -> Onnx_TensorShapeProto.Dimension {
        var d = Onnx_TensorShapeProto.Dimension()
        d.dimValue = Int64(n)
        return d
    }

    /// x [1, 2, 4, 4] float → QuantizeLinear → QLinearConv (3 output channels, 3x3, pad 1) → DequantizeLinear.
    static func convModel() -> Onnx_ModelProto {
        var g = Onnx_GraphProto()
        g.name = "conv"
        g.initializer = [
            tensor("s", .float, [], floats: [0.05]), tensor("z", .uint8, [], ints: [128]),
            tensor("w", .int8, [3, 2, 3, 3], ints: (0..<54).map { Int32($0 % 7) - 3 }),
            tensor("ws", .float, [3], floats: [0.01, 0.02, 0.03]), tensor("wz", .int8, [3], ints: [0, 0, 0]),
            tensor("ys", .float, [], floats: [0.2]), tensor("yz", .uint8, [], ints: [120]),
            tensor("b", .int32, [3], ints: [10, -20, 30]),
        ]
        g.node = [
            node("QuantizeLinear", ["x", "s", "z"], ["xq"], name: "quantize"),
            node("QLinearConv", ["xq", "s", "z", "w", "ws", "wz", "ys", "yz", "b"], ["yq"], name: "conv", ints: ["pads": [1, 1, 1, 1]]),
            node("DequantizeLinear", ["yq", "ys", "yz"], ["y"], name: "dequantize"),
        ]
        g.input = [value("x", [dim(1), dim(2), dim(4), dim(4)])]
        g.output = [value("y", [dim(1), dim(3), dim(4), dim(4)])]
        var m = Onnx_ModelProto()
        m.irVersion = 8
        m.graph = g
        return m
    }

    static func importing(_ m: Onnx_ModelProto) throws -> ModelSpec {
        try ONNXImporter.model(try m.serializedBytes() as [UInt8], name: "m", fileName: "m.onnx")
    }

    static func message(_ m: Onnx_ModelProto) -> String {
        do {
            let spec = try importing(m)
            _ = try Pipeline.compile(spec, options: CompileOptions())
            return "compiled"
        } catch let error as ONNXImporter.ImportError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func theBuiltModelCompiles() throws {
        #expect(Self.message(Self.convModel()) == "compiled")
        let spec = try Self.importing(Self.convModel())
        #expect(spec.requantization?.name == "onnxRuntime")
        #expect(spec.layers.map(\.name) == ["x", "conv_1"])
    }

    @Test func unsupportedNodeIsNamed() {
        var m = Self.convModel()
        m.graph.node.insert(Self.node("QLinearReduceMean", ["yq", "ys", "yz", "ys", "yz"], ["sq"], name: "act", domain: "com.microsoft"), at: 2)
        m.graph.node[3].input[0] = "sq"
        let text = Self.message(m)
        #expect(text.hasPrefix("m.onnx: node 2 'act' (QLinearReduceMean): QLinearReduceMean is not in qgen's ONNX op set (QOperator: QuantizeLinear"), "\(text)")
    }

    /// quantize_dynamic's nodes are refused with the reason and what to do instead.
    @Test func dynamicQuantizationIsRefusedWithTheWayOut() {
        var m = Self.convModel()
        m.graph.node.insert(Self.node("MatMulInteger", ["yq", "yq"], ["mm"], name: "mm"), at: 2)
        #expect(Self.message(m) == "m.onnx: node 2 'mm' (MatMulInteger): MatMulInteger is ONNX Runtime's dynamic quantization (quantize_dynamic): it computes activation scales from the data while the model runs and rescales int32 sums in float, which integer-only C with scales fixed at compile time cannot do; quantize the model with onnxruntime.quantization.quantize_static (QDQ or QOperator format, calibrated) instead")
    }

    private func int64s(_ name: String, _ values: [Int64]) -> Onnx_TensorProto {
        var t = Onnx_TensorProto()
        t.name = name
        t.dataType = ONNXConstant.ElementType.int64.rawValue
        t.dims = [Int64(values.count)]
        t.int64Data = values
        return t
    }

    /// Slice and Split of a quantized tensor: a slice that keeps nothing and split sizes that do
    /// not add up are refused with the values; valid ones compile.
    @Test func slicesAndSplitsAreCheckedAndCompile() {
        var m = Self.convModel()
        m.graph.initializer += [int64s("st", [3]), int64s("en", [-2]), int64s("ax", [2])]
        m.graph.node.insert(Self.node("Slice", ["yq", "st", "en", "ax"], ["sq"], name: "cut"), at: 2)
        m.graph.node[3].input[0] = "sq"
        #expect(Self.message(m) == "m.onnx: node 2 'cut' (Slice): it keeps nothing of axis 2 (size 4): starts 3, ends -2")
        m.graph.initializer[m.graph.initializer.count - 2] = int64s("en", [Int64.max])
        m.graph.output[0].type.tensorType.shape.dim[2].dimValue = 1
        #expect(Self.message(m) == "compiled")
        var split = Self.convModel()
        split.graph.initializer += [int64s("sp", [1, 1])]
        split.graph.node.insert(Self.node("Split", ["yq", "sp"], ["a", "b"], name: "halves"), at: 2)
        split.graph.node[3].input[0] = "b"
        #expect(Self.message(split) == "m.onnx: node 2 'halves' (Split): it splits axis 0 of [1, 3, 4, 4] into [1, 1] for 2 outputs; give positive sizes that add up to 1")
    }

    /// QLinearSoftmax over an axis other than the last is refused with the axis and the shape;
    /// over the last axis it compiles.
    @Test func softmaxOverAnotherAxisIsRefused() {
        var m = Self.convModel()
        var softmax = Self.node("QLinearSoftmax", ["yq", "ys", "yz", "ys", "yz"], ["sq"], name: "act", domain: "com.microsoft")
        var axis = Onnx_AttributeProto()
        axis.name = "axis"
        axis.type = .int
        axis.i = 1
        softmax.attribute = [axis]
        m.graph.node.insert(softmax, at: 2)
        m.graph.node[3].input[0] = "sq"
        #expect(Self.message(m) == "m.onnx: node 2 'act' (QLinearSoftmax): it normalizes over axis 1 of [1, 3, 4, 4]; qgen's Softmax normalizes the last axis")
        m.graph.node[2].attribute[0].i = -1
        #expect(Self.message(m) == "compiled")
    }

    @Test func symbolicDimensionsAreRefusedBeyondTheBatch() {
        var m = Self.convModel()
        var h = Onnx_TensorShapeProto.Dimension()
        h.dimParam = "height"
        m.graph.input[0].type.tensorType.shape.dim[2] = h
        #expect(Self.message(m) == "m.onnx: graph input 'x' has the symbolic dimension 'height' on axis 2; qgen compiles static shapes (only the batch, axis 0, may be symbolic: it becomes 1). Fix the shape when exporting, e.g. without dynamic_axes")
        var batch = Self.convModel()
        var n = Onnx_TensorShapeProto.Dimension()
        n.dimParam = "N"
        batch.graph.input[0].type.tensorType.shape.dim[0] = n
        #expect(Self.message(batch) == "compiled")
    }

    @Test func floatOnlySubgraphIsRefused() {
        // A float Relu between the DequantizeLinear and the model output: ONNX Runtime computes it in float.
        var m = Self.convModel()
        m.graph.node.append(Self.node("Relu", ["y"], ["r"], name: "relu"))
        m.graph.output[0].name = "r"
        let text = Self.message(m)
        #expect(text == "m.onnx: node 3 'relu' (Relu): Relu is not in qgen's ONNX op set (\(ONNXGraphReader.supported))", "\(text)")
        // A QDQ Conv whose float output is the graph output (no QuantizeLinear after it).
        var q = Self.convModel()
        q.graph.initializer += [Self.tensor("wf", .int8, [3, 2, 3, 3], ints: Array(repeating: 1, count: 54))]
        q.graph.node = [
            Self.node("QuantizeLinear", ["x", "s", "z"], ["xq"], name: "quantize"),
            Self.node("DequantizeLinear", ["xq", "s", "z"], ["xd"], name: "dq"),
            Self.node("DequantizeLinear", ["wf", "ws", "wz"], ["wd"], name: "dqw", ints: [:]),
            Self.node("Conv", ["xd", "wd"], ["y"], name: "float_conv", ints: ["pads": [1, 1, 1, 1]]),
        ]
        q.graph.node[2].attribute = [{ var a = Onnx_AttributeProto(); a.name = "axis"; a.i = 0; a.type = .int; return a }()]
        let qdq = Self.message(q)
        #expect(qdq.hasPrefix("m.onnx: node 3 'float_conv' (Conv): its float output is read by [] rather than one QuantizeLinear"), "\(qdq)")
    }

    @Test func perChannelAxisOtherThanOutputChannelsIsRefused() {
        // QLinearMatMul's weight [K = 4, N = 3] with 4 scales: per input feature, not per output.
        var m = Self.convModel()
        m.graph.input = [Self.value("x", [Self.dim(1), Self.dim(4)])]
        m.graph.output = [Self.value("y", [Self.dim(1), Self.dim(3)])]
        m.graph.initializer += [Self.tensor("mw", .int8, [4, 3], ints: Array(repeating: 2, count: 12)),
                                Self.tensor("mws", .float, [4], floats: [0.01, 0.02, 0.03, 0.04]), Self.tensor("mwz", .int8, [4], ints: [0, 0, 0, 0])]
        m.graph.node[1] = Self.node("QLinearMatMul", ["xq", "s", "z", "mw", "mws", "mwz", "ys", "yz"], ["yq"], name: "mm")
        let text = Self.message(m)
        #expect(text == "m.onnx: node 1 'mm' (QLinearMatMul): its weight has 4 scales for 3 output channels; give one scale, or one per output channel", "\(text)")
    }

    @Test func externalDataAndBadTensorsAreNamed() {
        var m = Self.convModel()
        var entry = Onnx_StringStringEntryProto()
        entry.key = "location"
        entry.value = "weights.bin"
        m.graph.initializer[2].externalData = [entry]
        m.graph.initializer[2].dataLocation = .external
        #expect(Self.message(m) == "m.onnx: initializer 2 'w': its data is in an external file; qgen reads models with their weights inside the .onnx (save without external data)")
        var short = Self.convModel()
        short.graph.initializer[2].int32Data.removeLast()
        #expect(Self.message(short) == "m.onnx: initializer 2 'w': it holds 53 values, but its shape [3, 2, 3, 3] has 54 elements")
        // Found by the fuzz target: a node with no output, and attributes far beyond any real model.
        var noOutput = Self.convModel()
        noOutput.graph.node[1].output = []
        #expect(Self.message(noOutput) == "m.onnx: node 1 'conv' (QLinearConv): it has no output")
        var hugePads = Self.convModel()
        hugePads.graph.node[1].attribute[0].ints = [1, 1, 1, Int64.max]
        #expect(Self.message(hugePads) == "m.onnx: node 1 'conv' (QLinearConv): its pads [1, 1, 1, \(Int.max)] are not four sizes in 0...65536")
        var scale = Self.convModel()
        scale.graph.initializer[5].floatData = [0]
        #expect(Self.message(scale) == "m.onnx: node 1 'conv' (QLinearConv): its output scale is 0.0; scales are positive")
    }

    /// An int8 QDQ graph whose input x feeds two nodes (a 1x1 convolution and the Add of x with its
    /// result): ONNX Runtime's optimized graph keeps both groups in float on x86-64 (its
    /// s8->u8 conversion skips a tensor two nodes read, and its fusion takes uint8 only), and qgen
    /// names both nodes; the uint8 twin is fused whole and draws no warning.
    @Test func floatGroupsOfInt8QDQGraphsAreWarned() throws {
        let ops = packageRoot.appendingPathComponent("Tests/Fixtures/onnx/ops")
        let int8 = try ONNXImporter.read(path: ops.appendingPathComponent("qdq-add2-0.onnx").path)
        #expect(int8.model.layers.first?.op is Input && (int8.model.layers.first?.op as? Input)?.quant.dtype == .uint8)
        #expect(int8.warnings.count == 2)
        #expect(int8.warnings.contains { $0.hasPrefix("qdq-add2-0.onnx: node 3 'scale' (Conv): ONNX Runtime on x86-64 runs this QDQ group in float32, because its int8 input 'xq' is read by 2 nodes") })
        #expect(int8.warnings.contains { $0.hasPrefix("qdq-add2-0.onnx: node 7 'add' (Add): ONNX Runtime on x86-64 runs this QDQ group in float32") })
        let uint8 = try ONNXImporter.read(path: ops.appendingPathComponent("qdq-add2-1.onnx").path)
        #expect(uint8.warnings.isEmpty)
    }

    /// A QOperator graph whose input is uint8 already: its scale and zero point are the ones the
    /// first QLinearConv states for it.
    @Test func integerGraphInputsTakeTheirReadersQuantization() throws {
        var m = Self.convModel()
        m.graph.node.removeFirst()
        m.graph.node[0].input[0] = "x"
        m.graph.input[0].type.tensorType.elemType = ONNXConstant.ElementType.uint8.rawValue
        let spec = try Self.importing(m)
        #expect((spec.layers.first?.op as? Input)?.quant == .uint8(scale: Double(Float(0.05)), zeroPoint: 128))
        #expect(Self.message(m) == "compiled")
    }

    /// Every prefix of a real file and seeded byte flips: an error that names the problem, or a
    /// model that compiles or is refused with diagnostics; never a trap.
    @Test func malformedFilesAreDiagnosed() throws {
        let url = packageRoot.appendingPathComponent("Tests/Fixtures/onnx/networks/small_cnn_qoperator.onnx")
        let bytes = [UInt8](try Data(contentsOf: url))
        let (refused, compiled) = corruptedFileOutcomes(of: bytes, prefixStep: 37, seed: 20261201, refusal: ONNXImporter.ImportError.self) { b in
            try ONNXImporter.model(b, name: "m", fileName: "m.onnx")
        }
        #expect(refused > 150)
        print("malformed .onnx: \(refused) refused with a message, \(compiled) still compiled")
    }
}
