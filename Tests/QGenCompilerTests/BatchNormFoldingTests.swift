import Foundation
import Testing
import QGen
import QGenCompiler

/// `batchNorm:` on Conv2d, DepthwiseConv2d and Linear against PyTorch's fuse_modules on the same
/// float32 parameters (Tests/Fixtures/pytorch/batchnorm.json, Tools/engines/batchnorm_cases.py): the
/// folded weights and bias bit for bit, and the int8 weights the fbgemm weight observer gives.
@Suite struct BatchNormFoldingTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var id, kind: String
            var shape: [Int]
            var groups: Int
            var weight: String
            var bias: String?
            var mean, variance: String
            var eps: Double
            var gamma, beta: String?
            var fusedWeight, fusedBias, int8: String
        }
        var cases: [Case]
    }

    static func data(_ base64: String) -> TensorData { .values(float32s(base64: base64).map(Double.init)) }

    @Test func foldedWeightsAndBiasEqualPyTorchs() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: root.appendingPathComponent("Tests/Fixtures/pytorch/batchnorm.json")))
        #expect(fixture.cases.count == 5)
        for c in fixture.cases {
            let bn = BatchNorm(mean: Self.data(c.mean), variance: Self.data(c.variance), weight: c.gamma.map(Self.data), bias: c.beta.map(Self.data), eps: c.eps)
            let weight = Weights.float(Self.data(c.weight), .perChannel(.symmetric)), bias = c.bias.map { Bias.float(Self.data($0)) }
            let out = c.shape[0], output = QuantParams.uint8(scale: 0.05, zeroPoint: 128)
            let layers: [LayerSpec]
            if c.kind == "linear" {
                layers = [Input("x", shape: [1, c.shape[1]], .uint8(scale: 0.1, zeroPoint: 0)).layerSpec,
                          Linear("m", outFeatures: out, weight: weight, bias: bias, batchNorm: bn, output: output).layerSpec]
            } else {
                let inC = c.shape[1] * c.groups
                layers = [Input("x", shape: [1, inC, 6, 6], layout: .nchw, .uint8(scale: 0.1, zeroPoint: 0)).layerSpec,
                          Conv2d("m", outChannels: out, kernel: Size2(c.shape[2], c.shape[3]), groups: c.groups, weight: weight, bias: bias,
                                 batchNorm: bn, output: output).layerSpec]
            }
            let result = try Pipeline.compile(spec(layers, requantization: .fbgemm), options: CompileOptions())
            let real = try #require(result.lowering.real.mac("m"))
            let fused = float32s(base64: c.fusedWeight).map(\.bitPattern), fusedBias = float32s(base64: c.fusedBias).map(\.bitPattern)
            let ours = try #require(real.floatWeights).map { Float($0).bitPattern }
            #expect(ours.count == fused.count && zip(ours, fused).filter { $0 != $1 }.isEmpty,
                    "\(c.id): \(zip(ours, fused).filter { $0 != $1 }.count) of \(fused.count) folded weights differ")
            #expect(try #require(real.floatBias).map { Float($0).bitPattern } == fusedBias, "\(c.id): folded bias")
            let int8 = [UInt8](Data(base64Encoded: c.int8)!).map { Int8(bitPattern: $0) }
            #expect(result.lowered.nodes[0].mac!.weights == int8, "\(c.id): int8 weights")
        }
    }

    @Test func whatCannotBeFoldedIsRefused() throws {
        let input = Input("x", shape: [1, 2, 4, 4], layout: .nchw, .uint8(scale: 0.1, zeroPoint: 0)).layerSpec
        let bn = BatchNorm(mean: [0, 0], variance: [1, 1])
        let cases: [(Conv2d, String)] = [
            (Conv2d("c", outChannels: 2, kernel: 1, weight: .int8([1, 2, 3, 4], scale: 0.1), batchNorm: bn, output: .uint8(scale: 0.1, zeroPoint: 0)),
             "folding a BatchNorm needs the float weights"),
            (Conv2d("c", outChannels: 2, kernel: 1, weight: .float([1, 2, 3, 4]), bias: .int32([1, 2]), batchNorm: bn, output: .uint8(scale: 0.1, zeroPoint: 0)),
             "needs a float bias"),
            (Conv2d("c", outChannels: 2, kernel: 1, weight: .float([1, 2, 3, 4]), batchNorm: BatchNorm(mean: [0, 0, 0], variance: [1, 1]),
                    output: .uint8(scale: 0.1, zeroPoint: 0)), "batchNorm mean"),
            (Conv2d("c", outChannels: 2, kernel: 1, weight: .float([1, 2, 3, 4]), batchNorm: BatchNorm(mean: [0, 0], variance: [1, -1]),
                    output: .uint8(scale: 0.1, zeroPoint: 0)), "batchNorm variance[1] + eps = -0.99999"),
        ]
        for (conv, message) in cases {
            #expect {
                _ = try Pipeline.compile(spec([input, conv.layerSpec]), options: CompileOptions())
            } throws: { error in
                "\(error)".contains(message) && "\(error)".contains("'c'")
            }
        }
    }
}
