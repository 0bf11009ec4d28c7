import Foundation
import Testing
import QGenArithmetic

/// PyTorch's own quantized inputs of the user stories (engine fixtures) against qgen's PyTorch
/// boundary rule, and the documented differences between the rules.
@Suite struct BoundaryQuantizationTests {
    private func story(_ file: String, _ id: String) throws -> EngineFixture.Case {
        try #require(try EngineFixture.load(file).cases.first { $0.id == id })
    }

    @Test func pytorchRuleReproducesTheStoriesInputs() throws {
        // The sweep: torch.ones(10) * v for v in np.arange(-4, 4, 0.01) (float64 steps, then float32).
        let sweep = try story("pytorch_fbgemm_saturating", "fbgemm-sweep-story")
        for (i, codes) in sweep.inputVectors.enumerated() {
            let x = Float(-4.0 + Double(i) * 0.01)
            let q = BoundaryQuantization.pytorch.quantize(x, scale: sweep.input.scale, zeroPoint: sweep.input.zeroPoint, range: 0...255)
            #expect(codes == Array(repeating: Int32(q), count: 10), "sweep value \(i)")
        }
        // The 1x1 conv: arange(64) as uint8, .float() / 255 in float32.
        let conv = try story("pytorch_fbgemm", "fbgemm-conv1x1-story")
        let convCodes = (0..<64).map { BoundaryQuantization.pytorch.quantize(Float($0) / Float(255), scale: conv.input.scale, zeroPoint: 0, range: 0...255) }
        #expect(conv.inputVectors[0] == convCodes.map(Int32.init))
        // The 2x2 Linear: torch.randn(1, 2), recorded as floats.
        let small = try story("pytorch_fbgemm", "fbgemm-linear2x2-story")
        let values: [Double] = try #require(try floatInput(of: "fbgemm-linear2x2-story"))
        let codes = values.map { BoundaryQuantization.pytorch.quantize(Float($0), scale: small.input.scale, zeroPoint: small.input.zeroPoint, range: 0...255) }
        #expect(small.inputVectors[0] == codes.map(Int32.init))
    }

    /// FBGEMM's source comment (requant.md §4.1): scale 0.00214854861, x 0.273939937 gives 127.5
    /// with the reciprocal (→ 128) but 127.499992 with division (→ 127).
    @Test func reciprocalAndDivisionDiffer() {
        let x: Float = 0.273939937, s = Double(Float(0.00214854861))
        #expect(BoundaryQuantization.pytorch.quantize(x, scale: s, zeroPoint: 0, range: 0...255) == 128)
        #expect(BoundaryQuantization.onnx.quantize(x, scale: s, zeroPoint: 0, range: 0...255) == 127)
        // Ties: 2.5 codes → 2 under ties-to-even (PyTorch, ONNX), 3 under TFLite's std::round.
        #expect(BoundaryQuantization.onnx.quantize(0.25, scale: 0.1, zeroPoint: 0, range: -128...127) == 2)
        #expect(BoundaryQuantization.tflite.quantize(0.25, scale: 0.1, zeroPoint: 0, range: -128...127) == 3)
        #expect(BoundaryQuantization.pytorch.quantize(1000, scale: 0.1, zeroPoint: 3, range: 0...255) == 255)
        #expect(BoundaryQuantization.pytorch.dequantize(130, scale: 0.5, zeroPoint: 128) == 1)
    }

    private func floatInput(of id: String) throws -> [Double]? {
        let url = packageRoot.appendingPathComponent("Tests/Fixtures/engines/pytorch_fbgemm.json")
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let cases = doc?["cases"] as? [[String: Any]]
        return cases?.first { $0["id"] as? String == id }?["floatInput"] as? [Double]
    }
}

/// The engines' own float → code conversions (Tests/Fixtures/engines/boundary.json: PyTorch
/// quantize_per_tensor, ONNX Runtime QuantizeLinear, TFLite Micro QUANTIZE) against each rule.
@Suite struct BoundaryFixtureTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var id: String
            var engine: String
            var dtype: String
            var scale: Double
            var zeroPoint: Int
            var x: String
            var q: String

            /// The float32 inputs (little-endian bytes in base64).
            var values: [Float] {
                let bytes = [UInt8](Data(base64Encoded: x) ?? Data())
                return stride(from: 0, to: bytes.count, by: 4).map { i in
                    Float(bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24)
                }
            }
        }
        var provenance: String
        var cases: [Case]
    }

    @Test func everyEnginesCodesFollowItsRule() throws {
        let url = packageRoot.appendingPathComponent("Tests/Fixtures/engines/boundary.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        var compared: [String: Int] = [:]
        var wrapped = 0
        for c in fixture.cases {
            let rule: BoundaryQuantization = c.engine == "pytorch" ? .pytorch : c.engine == "onnxruntime" ? .onnx : .tflite
            let x = c.values, qBytes = [UInt8](Data(base64Encoded: c.q) ?? Data())
            let range = c.dtype == "int8" ? -128...127 : 0...255
            let q = qBytes.map { c.dtype == "int8" ? Int(Int8(bitPattern: $0)) : Int($0) }
            #expect(x.count == 512 && q.count == 512)
            for (v, expected) in zip(x, q) {
                // Beyond ~2^31 codes the engines' float → int32 conversion overflows: PyTorch's AVX2
                // quantize clips to 2^31 − 128 and then adds the zero point with a wrapping int32 add
                // (a large zero point wraps to 0); TFLite's AffineQuantize casts an out-of-range float
                // to int32 (undefined behaviour; x86 gives INT32_MIN, so −128). qgen saturates there,
                // as ONNX Runtime and PyTorch's scalar path do. Such inputs are 10^7 times outside any
                // calibrated range; they are counted, not compared.
                if rule != .onnx && abs(Double(v) / c.scale) >= 2147483648.0 - 256 {
                    wrapped += 1
                    #expect(range.contains(expected))
                    continue
                }
                let got = rule.quantize(v, scale: c.scale, zeroPoint: c.zeroPoint, range: range)
                #expect(got == expected, "\(c.id): x = \(v): \(rule) \(got), engine \(expected)")
            }
            compared[c.engine, default: 0] += x.count
        }
        print("boundary fixture: \(compared.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")) values, 0 mismatches; \(wrapped) PyTorch and TFLite inputs beyond 2^31 codes not compared")
        #expect(compared.count == 3)
    }

    /// The rules really differ on these values: each engine's codes are matched by its own rule only.
    @Test func theRulesAreNotInterchangeable() throws {
        let url = packageRoot.appendingPathComponent("Tests/Fixtures/engines/boundary.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        var differences = 0
        for c in fixture.cases where c.engine == "tflite" {
            for v in c.values {
                if BoundaryQuantization.tflite.quantize(v, scale: c.scale, zeroPoint: c.zeroPoint, range: -128...127)
                    != BoundaryQuantization.onnx.quantize(v, scale: c.scale, zeroPoint: c.zeroPoint, range: -128...127) { differences += 1 }
            }
        }
        #expect(differences > 100)
    }
}
