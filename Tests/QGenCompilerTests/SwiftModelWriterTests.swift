import Testing
import QGen
import QGenCompiler

/// `qgen import`'s writer states every option that changes the arithmetic, so a written model.swift
/// compiles to the same model: PyTorch memory formats, ceil-mode pooling, PyTorch's average pooling
/// options and mean operator, slices and HardSigmoid.
@Suite struct SwiftModelWriterTests {
    @Test func writesMemoryFormatsCeilModeAndHardSigmoid() throws {
        let at = { (line: Int) in (file: "m.onnx", line: line) }
        let q = QuantParams.uint8(scale: 0.5, zeroPoint: 3)
        let layers: [LayerSpec] = [
            Input("x", shape: [1, 2, 5, 5], .uint8(scale: 0.25, zeroPoint: 0), file: at(0).file, line: at(0).line).layerSpec,
            MaxPool2d("p", input: "x", kernel: 2, stride: 2, padding: 0, ceilMode: true, file: at(1).file, line: at(1).line).layerSpec,
            HardSigmoid("h", input: "p", memoryFormats: [.channelsLast], file: at(2).file, line: at(2).line).layerSpec,
            Add("a", "p", "p", output: q, memoryFormats: [.channelsLast, .contiguous], file: at(3).file, line: at(3).line).layerSpec,
            Concatenation("c", ["p", "p"], axis: 1, output: q, memoryFormats: [.contiguous, .contiguous], file: at(4).file, line: at(4).line).layerSpec,
            AvgPool2d("v", input: "x", kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: true, divisor: 7,
                      memoryFormats: [.channelsLast], file: at(5).file, line: at(5).line).layerSpec,
            Slice("s", input: "x", axis: 3, start: 1, end: 5, step: 2, file: at(6).file, line: at(6).line).layerSpec,
            Mean("m", input: "s", axes: [2, 3], keepDims: false, output: .uint8(scale: 0.25, zeroPoint: 0), atenOp: .mean,
                 memoryFormats: [.strided], file: at(7).file, line: at(7).line).layerSpec,
        ]
        let text = try SwiftModelWriter.write(ModelSpec(name: "m", layers: layers, location: SourceLocation(file: "m.onnx", line: 0)), header: "").source
        #expect(text.contains(#"MaxPool2d("p", input: "x", kernel: Size2(2, 2), stride: Size2(2, 2), padding: Padding(Size2(0, 0)), activation: .none, ceilMode: true, file: "m.onnx", line: 1)"#))
        #expect(text.contains(#"HardSigmoid("h", input: "p", memoryFormats: [.channelsLast], file: "m.onnx", line: 2)"#))
        #expect(text.contains(#"activation: .none, memoryFormats: [.channelsLast, .contiguous], file: "m.onnx", line: 3)"#))
        #expect(text.contains(#"AvgPool2d("v", input: "x", kernel: Size2(3, 3), stride: Size2(2, 2), padding: Padding(Size2(1, 1)), activation: .none, ceilMode: true, countIncludePad: true, divisor: 7, memoryFormats: [.channelsLast], file: "m.onnx", line: 5)"#))
        #expect(text.contains(#"Slice("s", input: "x", axis: 3, start: 1, end: 5, step: 2, file: "m.onnx", line: 6)"#))
        #expect(text.contains(#"Mean("m", input: "s", axes: [2, 3], keepDims: false, output: .uint8(scale: 0.25, zeroPoint: 0), atenOp: .mean, memoryFormats: [.strided], file: "m.onnx", line: 7)"#))
        // All contiguous is the default, so nothing is written.
        #expect(text.contains(#"Concatenation("c", ["p", "p"], axis: 1, output: .uint8(scale: 0.5, zeroPoint: 3), file: "m.onnx", line: 4)"#))
    }

    /// Wide layers' scales and zero points go to .npy files (swiftc compiles long literals slowly),
    /// exactly: the files read back to the same doubles; narrow layers keep them inline.
    @Test func writesWideScalesToNpyFiles() throws {
        let scales = (0..<12).map { 0.001 + Double($0) / 3e5 }, zeroPoints = (0..<12).map { $0 % 3 - 1 }
        let layers: [LayerSpec] = [
            Input("x", shape: [1, 3], .int8(scale: 0.25, zeroPoint: 0), file: "m.tflite", line: 0).layerSpec,
            Linear("wide", input: "x", outFeatures: 12, weight: .int8(.values(Array(repeating: 1, count: 36)), scales: scales, zeroPoints: zeroPoints),
                   output: .int8(scale: 0.5, zeroPoint: 0), file: "m.tflite", line: 1).layerSpec,
            Linear("narrow", input: "wide", outFeatures: 2, weight: .int8(.values(Array(repeating: 1, count: 24)), scales: [0.5, 0.25]),
                   output: .int8(scale: 0.5, zeroPoint: 0), file: "m.tflite", line: 2).layerSpec,
        ]
        let output = try SwiftModelWriter.write(ModelSpec(name: "m", layers: layers, location: SourceLocation(file: "m.tflite", line: 0)), header: "")
        #expect(output.source.contains(#"weight: .int8(.npy("wide_w.npy"), scales: .npy("wide_scales.npy"), zeroPoints: .npy("wide_zero_points.npy"))"#))
        #expect(output.source.contains(#"weight: .int8(.npy("narrow_w.npy"), scales: [0.5, 0.25], zeroPoints: [0, 0])"#))
        let files = Dictionary(output.npyFiles, uniquingKeysWith: { a, _ in a })
        #expect(try NpyArray(data: files["wide_scales.npy"]!, name: "wide_scales.npy").values == scales)
        #expect(try NpyArray(data: files["wide_zero_points.npy"]!, name: "wide_zero_points.npy").values == zeroPoints.map(Double.init))
    }
}
