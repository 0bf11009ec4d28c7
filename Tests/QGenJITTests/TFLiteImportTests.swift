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

    private static func codes(_ base64: String, dtype: DType) -> [Int32] {
        let bytes = [UInt8](Data(base64Encoded: base64) ?? Data())
        if dtype == .int16 { return stride(from: 0, to: bytes.count - 1, by: 2).map { Int32(Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8)) } }
        return bytes.map { dtype == .int8 ? Int32(Int8(bitPattern: $0)) : Int32($0) }
    }

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
                let want = Self.codes(y, dtype: model.output.dtype)
                let got = compiled.run(Self.codes(x, dtype: model.input.dtype)) ?? []
                let bad = zip(want, got).filter { $0 != $1 }.count + abs(want.count - got.count)
                elements += want.count
                mismatches += bad
                if bad > 0 { Issue.record("\(c.file), \(scheme): \(bad) of \(want.count) elements differ (C \(Array(got.prefix(12))), engine \(Array(want.prefix(12))))") }
            }
            if c.ops.first?.hasPrefix("network") == true {
                #expect(model.arenaSize == model.arenaLowerBound, "\(c.file): arena \(model.arenaSize), lower bound \(model.arenaLowerBound)")
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
        var rng = SeededGenerator(seed: 20261204)
        var refused = 0, compiled = 0
        func attempt(_ b: [UInt8]) {
            do {
                let spec = try TFLiteImporter.model(b, name: "m", fileName: "m.tflite")
                _ = try Pipeline.compile(spec, options: CompileOptions())
                compiled += 1
            } catch is TFLiteImporter.ImportError {
                refused += 1
            } catch is DiagnosticsError {
                refused += 1
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
        for length in stride(from: 0, to: bytes.count, by: 97) { attempt(Array(bytes[..<length])) }
        for _ in 0..<300 {
            var b = bytes
            for _ in 0..<Int.random(in: 1...4, using: &rng) { b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            attempt(b)
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
}
