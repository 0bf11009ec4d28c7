import Foundation
import Testing

/// `qgen import` and `.tflite` on the command line, through the built binary: the imported
/// model.swift emits byte-identical C to the `.tflite` it came from; a malformed file is an error
/// that names the problem, and nothing is written.
@Suite struct ImportTests {
    let cli = CLITests()

    private func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qgen-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func importedModelSwiftEmitsTheSameC() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tflite = CLITests.packageRoot.appendingPathComponent("Tests/Fixtures/tflite/inception_concat.tflite").path
        let imported = try cli.qgen(["import", tflite, "-o", "model.swift"], in: dir)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout == "wrote model.swift and 14 .npy files (9 layers)\n")
        for sub in ["a", "b"] { try FileManager.default.createDirectory(at: dir.appendingPathComponent(sub), withIntermediateDirectories: true) }
        let fromSwift = try cli.qgen(["emit", "model.swift", "-o", "a/net.c"], in: dir)
        let fromFile = try cli.qgen(["emit", tflite, "-o", "b/net.c"], in: dir)
        #expect(fromSwift.status == 0 && fromFile.status == 0, "\(fromSwift.stderr)\(fromFile.stderr)")
        for file in ["net.c", "net.h"] {
            let a = try String(contentsOf: dir.appendingPathComponent("a/\(file)"), encoding: .utf8)
            let b = try String(contentsOf: dir.appendingPathComponent("b/\(file)"), encoding: .utf8)
            #expect(a == b, "\(file) differs between the imported model.swift and the .tflite")
        }
        #expect(fromFile.stdout.contains("memory: arena 12288 bytes (lower bound without in-place execution 12288"))
    }

    @Test func malformedFilesAreErrors() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bytes = try Data(contentsOf: CLITests.packageRoot.appendingPathComponent("Tests/Fixtures/tflite/inception_concat.tflite"))
        try bytes.prefix(3000).write(to: dir.appendingPathComponent("cut.tflite"))
        let r = try cli.qgen(["emit", "cut.tflite", "-o", "out.c"], in: dir)
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("error: cut.tflite: not a readable TFLite flatbuffer: "), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.c").path))
        let i = try cli.qgen(["import", "cut.tflite", "-o", "model.swift"], in: dir)
        #expect(i.status == 1 && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.swift").path))
    }

    /// The same for ONNX files in both forms: the model.swift names its scheme (onnxRuntime).
    @Test(arguments: ["small_cnn_qdq_quint8", "small_cnn_qoperator"])
    func importedONNXEmitsTheSameC(name: String) throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let onnx = CLITests.packageRoot.appendingPathComponent("Tests/Fixtures/onnx/networks/\(name).onnx").path
        let imported = try cli.qgen(["import", onnx, "-o", "model.swift"], in: dir)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout == "wrote model.swift and 8 .npy files (8 layers)\n")
        let source = try String(contentsOf: dir.appendingPathComponent("model.swift"), encoding: .utf8)
        #expect(source.contains(".requantization(Requantization(name: \"onnxRuntime\"))") && source.contains("weightLayout: .oihw"))
        for sub in ["a", "b"] { try FileManager.default.createDirectory(at: dir.appendingPathComponent(sub), withIntermediateDirectories: true) }
        let fromSwift = try cli.qgen(["emit", "model.swift", "-o", "a/net.c"], in: dir)
        let fromFile = try cli.qgen(["emit", onnx, "-o", "b/net.c"], in: dir)
        #expect(fromSwift.status == 0 && fromFile.status == 0, "\(fromSwift.stderr)\(fromFile.stderr)")
        for file in ["net.c", "net.h"] {
            let a = try String(contentsOf: dir.appendingPathComponent("a/\(file)"), encoding: .utf8)
            let b = try String(contentsOf: dir.appendingPathComponent("b/\(file)"), encoding: .utf8)
            #expect(a == b, "\(file) differs between the imported model.swift and the .onnx")
        }
        #expect(fromFile.stdout.contains("scheme onnxRuntime"))
    }

    @Test func malformedONNXIsAnError() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bytes = try Data(contentsOf: CLITests.packageRoot.appendingPathComponent("Tests/Fixtures/onnx/networks/small_cnn_qoperator.onnx"))
        try bytes.prefix(3000).write(to: dir.appendingPathComponent("cut.onnx"))
        let r = try cli.qgen(["emit", "cut.onnx", "-o", "out.c"], in: dir)
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("error: cut.onnx: not a readable ONNX protobuf"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.c").path))
        let i = try cli.qgen(["import", "cut.onnx", "-o", "model.swift"], in: dir)
        #expect(i.status == 1 && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.swift").path))
    }
}
