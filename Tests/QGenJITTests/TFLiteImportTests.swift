import Foundation
import Testing
import QGen
import QGenArithmetic
import QGenCompiler
import QGenReference
import QGenVerify

/// `.tflite` files as TensorFlow's converter wrote them (Tests/Fixtures/tflite, made by
/// Tools/engines/make_fixtures.py tflite_files): read by TFLiteImporter, compiled, run as C
/// (libtcc) and compared with TFLite Micro's outputs under `tflite` and LiteRT's under `liteRT`.
/// Malformed files (truncated, bytes flipped, wrong identifier) give an ImportError or a compile
/// diagnostic, never a trap.
@Suite struct TFLiteImportTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var file: String
            var ops: [String]
            var inputs: [String]
            var outputs: [String]
            var liteRTOutputs: [String]?
        }
        var cases: [Case]
    }

    static let directory = packageRoot.appendingPathComponent("Tests/Fixtures/tflite")

    /// cases.json: a few files of every op and four networks; networks.json: the whole networks of
    /// Tools/engines/tflite_networks.py (DS-CNN, MobileNetV1-0.25 and MobileNetV2-0.35 at 96×96,
    /// ResNet-8, a 640-input autoencoder, a 1-D depthwise-separable conv net, Inception), each on
    /// 18 random inputs, all-min and all-max.
    @Test(arguments: ["cases", "networks"], ["tflite", "liteRT"])
    func importedFilesMatchTheEngines(list: String, scheme: String) throws {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: Self.directory.appendingPathComponent("\(list).json")))
        var elements = 0, mismatches = 0, files = 0
        for c in fixture.cases {
            let spec = try TFLiteImporter.load(path: Self.directory.appendingPathComponent(c.file).path)
            let result = try Pipeline.compile(spec, options: CompileOptions(scheme: RequantizationScheme(parsing: scheme)))
            let model = result.lowered
            let compiled = try Verifier.compile(result.output, model: model)
            let expected = scheme == "tflite" ? c.outputs : (c.liteRTOutputs ?? [])
            #expect(expected.count == c.inputs.count, "\(c.file): no \(scheme) outputs")
            for (x, y) in zip(c.inputs, expected) {
                let want = fixtureCodes(y, dtype: model.output.dtype)
                let got = compiled.run(fixtureCodes(x, dtype: model.input.dtype)) ?? []
                let bad = zip(want, got).filter { $0 != $1 }.count + abs(want.count - got.count)
                elements += want.count
                mismatches += bad
                if bad > 0 { Issue.record("\(c.file), \(scheme): \(bad) of \(want.count) elements differ (C \(Array(got.prefix(12))), engine \(Array(want.prefix(12))))") }
            }
            if c.ops.first?.hasPrefix("network") == true {
                // In place (depthwise and 1x1 convolutions over their inputs) the MobileNets and the DS-CNN
                // need less than the lower bound without it; no network needs more.
                let inPlace = c.file.contains("mobilenet") || c.file.contains("ds_cnn")
                #expect(inPlace ? model.arenaSize < model.arenaLowerBound : model.arenaSize <= model.arenaLowerBound,
                        "\(c.file): arena \(model.arenaSize), lower bound \(model.arenaLowerBound)")
                print("tflite import, \(c.file): arena \(model.arenaSize) bytes (lower bound \(model.arenaLowerBound)), constants \(result.constantBytes) bytes")
            }
            files += 1
        }
        print("tflite import, \(list), \(scheme): \(files) files, \(elements) elements, \(mismatches) mismatches")
        #expect(mismatches == 0 && files >= (list == "cases" ? 40 : 7))
    }

    /// Every prefix of a file and seeded byte flips: an error that names the problem, or a model that
    /// compiles or is refused with diagnostics; never a trap (the fuzz target does the same at scale).
    @Test func malformedFilesAreDiagnosed() throws {
        let bytes = [UInt8](try Data(contentsOf: Self.directory.appendingPathComponent("inception_concat.tflite")))
        let (refused, compiled) = corruptedFileOutcomes(of: bytes, prefixStep: 97, seed: 20261204, refusal: TFLiteImporter.ImportError.self) { b in
            try TFLiteImporter.model(b, name: "m", fileName: "m.tflite")
        }
        #expect(refused > 80)
        do {
            _ = try TFLiteImporter.model(Array("not a model".utf8), name: "m", fileName: "m.tflite")
        } catch let error as TFLiteImporter.ImportError {
            #expect(error.description == "error: m.tflite: not a readable TFLite flatbuffer: the file identifier is 'a mo', not TFLite's 'TFL3'; is this a .tflite file?")
        }
        var truncated = bytes
        truncated.removeLast(bytes.count / 2)
        #expect(throws: TFLiteImporter.ImportError.self) { try TFLiteImporter.model(truncated, name: "m", fileName: "m.tflite") }
        print("malformed .tflite: \(refused) refused with a message, \(compiled) still compiled")
    }

    /// The networks' C also compiled by the host's cc (-std=c99 -O2), run on the same 20 inputs by a
    /// small driver, and compared with both engines.
    @Test(arguments: ["tflite", "liteRT"])
    func networksCompiledByCCMatchTheEngines(scheme: String) throws {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: Self.directory.appendingPathComponent("networks.json")))
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("qgen-cc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        var mismatches = 0, elements = 0
        for c in fixture.cases {
            let spec = try TFLiteImporter.load(path: Self.directory.appendingPathComponent(c.file).path)
            let result = try Pipeline.compile(spec, options: CompileOptions(scheme: RequantizationScheme(parsing: scheme), fileStem: "net"))
            let model = result.lowered
            let inputs = c.inputs.map { fixtureCodes($0, dtype: model.input.dtype) }
            let got = try HostCC.run(result.output, model: model, inputs: inputs, work: work)
            let expected = (scheme == "tflite" ? c.outputs : (c.liteRTOutputs ?? [])).map { fixtureCodes($0, dtype: model.output.dtype) }
            for (g, e) in zip(got, expected) {
                elements += e.count
                mismatches += zip(g, e).filter { $0 != $1 }.count + abs(g.count - e.count)
            }
            #expect(got.count == expected.count, "\(c.file): \(got.count) output rows, \(expected.count) expected")
        }
        print("tflite import, networks compiled by cc, \(scheme): \(fixture.cases.count) networks, \(elements) elements, \(mismatches) mismatches")
        #expect(mismatches == 0 && elements > 0)
    }
}
