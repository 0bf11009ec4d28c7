import Foundation
import Testing
import QGen
import QGenArithmetic
import QGenCompiler
import QGenReference

/// `.calibrated(.tflite())` against TensorFlow 2.21's converter calibrating the same Dense models on
/// the same data (Tests/Fixtures/tflite/calibration.json, Tools/engines/tflite_calibration_cases.py):
/// the input's and the output's scale as float32 bits and zero points equal, over ranges that are
/// symmetric, all positive, all negative, tiny, huge, a single value, and zero points exactly half-way
/// (where the converter rounds away from zero).
@Suite struct TFLiteCalibrationFixtureTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var id: String
            var inFeatures, outFeatures, samples: Int
            var relu: Bool
            var data, weights, bias: String
            var input, output: [Value]
        }
        enum Value: Decodable {
            case bits(String), zeroPoint(Int)
            init(from decoder: any Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let s = try? c.decode(String.self) { self = .bits(s) } else { self = .zeroPoint(try c.decode(Int.self)) }
            }
            var text: String { if case .bits(let s) = self { return s } else { return "" } }
            var int: Int { if case .zeroPoint(let z) = self { return z } else { return .min } }
        }
        var cases: [Case]
    }

    static func floats(_ base64: String) -> [Double] { float32s(base64: base64).map(Double.init) }

    @Test func scalesAndZeroPointsEqualTensorFlows() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: root.appendingPathComponent("Tests/Fixtures/tflite/calibration.json")))
        #expect(fixture.cases.count >= 10)
        for c in fixture.cases {
            let model = spec([
                Input("x", shape: [1, c.inFeatures], .calibrated(.tflite(.int8))).layerSpec,
                Linear("fc", outFeatures: c.outFeatures, weight: .float(.values(Self.floats(c.weights))), bias: .float(.values(Self.floats(c.bias))),
                       output: .calibrated(.tflite()), activation: c.relu ? .relu : .none).layerSpec,
            ], requantization: .tflite)
            let data = NpyArray(shape: [c.samples, c.inFeatures], descr: "<f4", values: Self.floats(c.data))
            let result = try Calibration.calibrate(model, options: CompileOptions(), data: data)
            for (name, expected) in [("x", c.input), ("fc", c.output)] {
                let t = try #require(result.tensors.first { $0.name == name })
                let ours = float32Hex(Float(t.scale))
                #expect(ours == expected[0].text && t.zeroPoint == expected[1].int,
                        "\(c.id) \(name): scale \(ours) zero point \(t.zeroPoint); TensorFlow \(expected[0].text) \(expected[1].int) (range [\(t.observedMin), \(t.observedMax)])")
            }
        }
    }

    /// The rule by hand: [−3, 507] → scale 510/255 = 2, zero point from the min −128 + 1.5 = −126.5 → −127
    /// (away from zero); [−505, 5] → from the max 127 − 2.5 = 124.5 → 125; a zero range → scale 1, qmin.
    @Test func ruleByHand() {
        #expect(TFLiteMinMaxObserver.qparams(min: -3, max: 507, quantMin: -128, quantMax: 127) == ObservedQParams(scale: 2, zeroPoint: -127))
        #expect(TFLiteMinMaxObserver.qparams(min: -505, max: 5, quantMin: -128, quantMax: 127) == ObservedQParams(scale: 2, zeroPoint: 125))
        #expect(TFLiteMinMaxObserver.qparams(min: 0, max: 0, quantMin: -128, quantMax: 127) == ObservedQParams(scale: 1, zeroPoint: -128))
        #expect(TFLiteMinMaxObserver.qparams(min: 1, max: 256, quantMin: 0, quantMax: 255) == ObservedQParams(scale: Float(256.0 / 255), zeroPoint: 0))
    }

    @Test func optionsTheConverterDoesNotHaveAreRefused() throws {
        let model = spec([
            Input("x", shape: [1, 2], .calibrated(Observer(kind: .tflite, dtype: .int8, mode: .symmetric))).layerSpec,
            Linear("fc", outFeatures: 1, weight: .float([1, 1]), output: .uint8(scale: 0.1, zeroPoint: 0)).layerSpec,
        ])
        #expect {
            _ = try Calibration.calibrate(model, options: CompileOptions(), data: NpyArray(shape: [1, 2], descr: "<f4", values: [1, 2]))
        } throws: { error in
            "\(error)".contains("takes no other option") && "\(error)".contains("layer 'x'")
        }
    }
}
