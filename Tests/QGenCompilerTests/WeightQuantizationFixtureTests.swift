import Foundation
import Testing
import QGen
import QGenCompiler

/// Float weights quantized by qgen's full-range rules against PyTorch's convert on the same float32
/// weights (the `weights` of Tests/Fixtures/pytorch/observers.json: the weight observer, then
/// `_quantize_weight`): every int8 value, every scale as a float32 bit pattern and every zero point
/// equal, per channel and per tensor, symmetric and affine, including values that tie after division.
@Suite struct WeightQuantizationFixtureTests {
    struct Fixture: Decodable {
        struct Batch: Decodable {
            var shape: [Int]
            var data: String
        }
        struct Case: Decodable {
            var id: String
            var granularity: String
            var mode: String
            var weights: Batch
            var values: String
            var scales: [String]
            var zeroPoints: [Int]
        }
        var weights: [Case]
    }

    @Test func int8WeightsScalesAndZeroPointsEqualPyTorchs() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: root.appendingPathComponent("Tests/Fixtures/pytorch/observers.json")))
        #expect(fixture.weights.count >= 12)
        for c in fixture.weights {
            let floats = float32s(base64: c.weights.data)
            let expected = [UInt8](Data(base64Encoded: c.values)!).map { Int8(bitPattern: $0) }
            // The weights as a Linear [out, in]: PyTorch's channel axis 0 is the output features either way.
            let out = c.weights.shape[0], inFeatures = floats.count / out
            let mode: WeightQuantization.Mode = c.mode == "symmetric" ? .symmetric : .affine
            let rule = c.granularity == "perChannel" ? WeightQuantization.perChannel(mode) : .perTensor(mode)
            let result = try Pipeline.compile(spec([
                Input("x", shape: [1, inFeatures], .uint8(scale: 0.1, zeroPoint: 0)).layerSpec,
                Linear("fc", outFeatures: out, weight: .float(.values(floats.map(Double.init)), rule), output: .uint8(scale: 1, zeroPoint: 0)).layerSpec,
            ], requantization: .fbgemm), options: CompileOptions())
            let mac = result.lowered.nodes[0].mac!
            let scales = result.lowering.real.mac("fc")!.weightScales.map { float32Hex(Float($0)) }
            let differing = mac.weights.count == expected.count ? zip(mac.weights, expected).filter { $0 != $1 }.count : -1
            #expect(differing == 0, "\(c.id): \(differing) of \(expected.count) int8 values differ (-1: a different count)")
            #expect(scales == c.scales, "\(c.id): scales \(scales.prefix(4)), PyTorch \(c.scales.prefix(4))")
            #expect(mac.weightZeroPoints.map(Int.init) == c.zeroPoints, "\(c.id): zero points")
        }
    }
}
