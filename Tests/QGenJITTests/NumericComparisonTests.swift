import Foundation
import Testing
import QGen
import QGenArithmetic
import QGenCompiler
import QGenReference
import QGenVerify

/// `NumericComparison` on the demo model (Examples/digits): its accuracies against independent
/// counts, and the labels it refuses.
@Suite struct NumericComparisonTests {
    let directory = packageRoot.appendingPathComponent("Examples/digits")

    /// The demo model, calibrated on the data its model.swift names (as every qgen command does).
    func digits() throws -> Pipeline.Result {
        var spec = try ModelLoader.load(path: directory.appendingPathComponent("model.swift").path)
        let options = CompileOptions(baseDirectory: directory, fileStem: "digits")
        let data = try NpyArray(contentsOf: directory.appendingPathComponent(try #require(spec.calibrationData)))
        spec = try Calibration.calibrate(spec, options: options, data: data).spec
        return try Pipeline.compile(spec, options: options)
    }

    /// The emitted C (through libtcc) on each 8×8 image, quantized by PyTorch's rule as the model's QuantStub does.
    func emittedOutputs(_ result: Pipeline.Result, images: NpyArray) throws -> [[Int32]] {
        let model = result.lowered, compiled = try Verifier.compile(result.output, model: model)
        let scale = result.lowering.real.scales[model.inputs[0]], count = images.values.count / model.input.count
        return try (0..<count).map { k in
            let codes = images.values[(k * model.input.count)..<((k + 1) * model.input.count)].map {
                Int32(BoundaryQuantization.pytorch.quantize(Float($0), scale: scale, zeroPoint: Int(model.input.zeroPoint), range: model.input.dtype.range))
            }
            return try #require(compiled.run(codes))
        }
    }

    /// The float model's accuracy is PyTorch's (Tools/train_digits.py printed 0.9639 on the 360
    /// held-out images: 347 correct), and the quantized model's is the count of the emitted C's
    /// correct arg maxes, run image by image through libtcc.
    @Test func accuracyOfBothModels() throws {
        let result = try digits()
        let images = try NpyArray(contentsOf: directory.appendingPathComponent("test_images.npy"))
        let labels = try NpyArray(contentsOf: directory.appendingPathComponent("test_labels.npy"))
        let report = try NumericComparison.compare(result, data: images, labels: labels, worst: 0)
        let accuracy = try #require(report.accuracy)
        #expect(accuracy.total == 360)
        #expect(accuracy.floatCorrect == 347, "float model: \(accuracy.floatCorrect)/360; PyTorch's was 347")

        var correct = 0
        for (k, scores) in try emittedOutputs(result, images: images).enumerated() {
            let best = scores.indices.max { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 > $1) }!
            if best == Int(labels.values[k]) { correct += 1 }
        }
        #expect(accuracy.quantizedCorrect == correct, "compare says \(accuracy.quantizedCorrect), the C got \(correct)")
    }

    /// The whole calibrated model against PyTorch's (Tests/Fixtures/pytorch/numeric_suite/digits, PyTorch's
    /// prepare → calibrate → convert with the same observers on the same calibration data): every int8
    /// weight and every output code of the emitted C on the 360 held-out images equal PyTorch's.
    @Test func calibratedModelGivesPyTorchsIntegers() throws {
        let result = try digits()
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: packageRoot.appendingPathComponent(
            "Tests/Fixtures/pytorch/numeric_suite/digits/expected.json"))) as! [String: Any]
        let weights = expected["int8Weights"] as! [String: String]
        for node in result.lowered.nodes {
            guard let mac = node.mac else { continue }
            let theirs = [UInt8](Data(base64Encoded: try #require(weights[node.name]))!).map { Int8(bitPattern: $0) }
            // PyTorch's OIHW order is the kernel's on this NCHW model.
            #expect(mac.weights == theirs, "\(node.name): \(zip(mac.weights, theirs).filter { $0 != $1 }.count) int8 weights differ")
        }
        let codes = [UInt8](Data(base64Encoded: expected["outputCodes"] as! String)!)
        let images = try NpyArray(contentsOf: directory.appendingPathComponent("test_images.npy"))
        var differing = 0
        for (k, output) in try emittedOutputs(result, images: images).enumerated() {
            differing += zip(output, codes[(k * 10)..<((k + 1) * 10)]).filter { $0 != Int32($1) }.count
        }
        #expect(differing == 0, "\(differing) of 3600 output codes differ from PyTorch's")
    }

    @Test func badLabelsAreRefused() throws {
        let result = try digits()
        let images = try NpyArray(contentsOf: directory.appendingPathComponent("test_images.npy"))
        let cases: [(NpyArray, String)] = [
            (NpyArray(shape: [360], descr: "<f4", values: Array(repeating: 1, count: 360)), "labels must be integers, one per inference (360)"),
            (NpyArray(shape: [3], descr: "<i8", values: [1, 2, 3]), "got <i8 of shape [3]"),
            (NpyArray(shape: [360], descr: "<i8", values: [10] + Array(repeating: 0, count: 359)), "label 10 at index 0 is not a class of output 'fc' (0 to 9)"),
        ]
        for (labels, message) in cases {
            #expect {
                _ = try NumericComparison.compare(result, data: images, labels: labels)
            } throws: { error in
                "\(error)".contains(message)
            }
        }
    }
}
