import Foundation
import Testing
import QGen
import QGenArithmetic
import QGenCompiler
import QGenReference
import QGenVerify

/// ONNX Runtime's own integers for small quantized .onnx files in both forms its users have
/// (QOperator nodes; QDQ groups that ONNX Runtime fuses), made by Tools/engines/onnx_files.py:
/// each file is imported by qgen, emitted, compiled by libtcc and run; the C and the Swift reference
/// must equal ONNX Runtime on every element.
@Suite struct ONNXFixtureTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var id: String
            var file: String
            var ops: [String]
            var dtype: String
            /// Per run, one base64 tensor per model input.
            var inputs: [[String]]
            var outputs: [String]
        }
        var provenance: String
        var cases: [Case]
    }

    static let directory = packageRoot.appendingPathComponent("Tests/Fixtures/onnx/ops")

    @Test func importedFilesMatchONNXRuntime() throws {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: Self.directory.appendingPathComponent("cases.json")))
        var elements: [String: Int] = [:], mismatches: [String: Int] = [:]
        // Each case twice: binary32 emulated with integers, and native (--float-requant).
        for c in fixture.cases { for native in [false, true] {
            let spec = try ONNXImporter.load(path: Self.directory.appendingPathComponent(c.file).path)
            let result = try Pipeline.compile(spec, options: CompileOptions(floatRequant: native))
            let model = result.lowered
            #expect(model.scheme == .onnxRuntime)
            let compiled = try Verifier.compile(result.output, model: model)
            let key = "\(c.id.split(separator: "-")[0]) \(c.ops.joined(separator: "+")) \(c.dtype)"
            // A QDQ model's int8 activations are uint8 in qgen, as ONNX Runtime runs them on x86-64:
            // the file's codes + 128.
            let fileType: DType = c.dtype == "int8" ? .int8 : .uint8
            let offset: Int32 = fileType == .int8 && model.output.dtype == .uint8 ? 128 : 0
            #expect((offset == 128) == (c.id.hasPrefix("qdq") && fileType == .int8), "\(c.id): QDQ int8 models convert to uint8, QOperator ones do not")
            for (x, y) in zip(c.inputs, c.outputs) {
                let inputs = x.map { fixtureCodes($0, dtype: fileType).map { $0 + offset } }
                let expected = fixtureCodes(y, dtype: fileType).map { $0 + offset }
                let got = compiled.run(inputs: inputs)?.first ?? []
                let reference = IntegerReference.run(model, inputs: inputs)[model.outputs[0]] ?? []
                let bad = zip(expected, got).filter { $0 != $1 }.count + abs(expected.count - got.count)
                if !native { elements[key, default: 0] += expected.count }
                mismatches[key, default: 0] += bad
                #expect(bad == 0, "\(c.id)\(native ? " (--float-requant)" : ""): \(bad) of \(expected.count) elements differ from ONNX Runtime")
                #expect(reference == got, "\(c.id)\(native ? " (--float-requant)" : ""): the Swift reference differs from the C")
            }
        } }
        for key in elements.keys.sorted() { print("ONNX Runtime \(key): \(elements[key]!) elements, \(mismatches[key]!) mismatches (emulated and native)") }
    }

    struct NetworkFixture: Decodable {
        struct Case: Decodable {
            var name: String
            var file: String
            var form: String
            var dtype: String
            var inputs: [String]
            var outputs: [String]
        }
        var provenance: String
        var cases: [Case]
    }

    /// Networks exported by torch.onnx.export and quantized by quantize_static (QDQ and QOperator),
    /// Tools/engines/onnx_networks.py: imported, emitted, compiled by the host's cc and run on
    /// ONNX Runtime's inputs. Tests/Fixtures/onnx/networks holds the small CNN; set
    /// QGEN_ONNX_NETWORKS to a directory `make_fixtures.py onnx_224` wrote to measure ResNet-18 and MobileNetV2 too.
    @Test func networksMatchONNXRuntime() throws {
        var directories = [packageRoot.appendingPathComponent("Tests/Fixtures/onnx/networks")]
        if let extra = ProcessInfo.processInfo.environment["QGEN_ONNX_NETWORKS"] { directories.append(URL(fileURLWithPath: extra)) }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("qgen-onnx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        var total = 0, totalBad = 0
        for directory in directories {
            let fixture = try JSONDecoder().decode(NetworkFixture.self, from: Data(contentsOf: directory.appendingPathComponent("networks.json")))
            for c in fixture.cases {
                let started = Date()
                let imported = try ONNXImporter.read(path: directory.appendingPathComponent(c.file).path)
                let spec = imported.model
                let result = try Pipeline.compile(spec, options: CompileOptions(fileStem: "net"))
                let emitted = Date().timeIntervalSince(started)
                let model = result.lowered
                let fileType: DType = c.dtype == "int8" ? .int8 : .uint8
                let offset: Int32 = fileType != model.input.dtype ? 128 : 0
                let inputs = c.inputs.map { fixtureCodes($0, dtype: fileType).map { $0 + offset } }
                let expected = c.outputs.map { fixtureCodes($0, dtype: fileType).map { $0 + offset } }
                let got = try HostCC.run(result.output, model: model, inputs: inputs, work: work)
                var bad = 0, elements = 0
                for (g, e) in zip(got, expected) {
                    elements += e.count
                    bad += zip(g, e).filter { $0 != $1 }.count + abs(g.count - e.count)
                }
                // A model the importer warned about (QDQ groups ONNX Runtime runs in float) is measured, not required to match.
                #expect(got.count == expected.count && (bad == 0 || !imported.warnings.isEmpty), "\(c.name): \(bad) of \(elements) elements differ from ONNX Runtime")
                if model.input.count <= 4096 && imported.warnings.isEmpty {
                    let compiled = try Verifier.compile(result.output, model: model)
                    for (x, e) in zip(inputs, expected) {
                        #expect(compiled.run(x) == e, "\(c.name): libtcc's run differs from ONNX Runtime")
                        #expect(IntegerReference.run(model, input: x) == e, "\(c.name): the Swift reference differs from ONNX Runtime")
                    }
                }
                print("ONNX Runtime network \(c.name): \(inputs.count) inputs, \(elements) elements, \(bad) mismatches (import + lower + emit \(String(format: "%.1f", emitted)) s)"
                      + (imported.warnings.isEmpty ? "" : "; \(imported.warnings.count) groups run in float by ONNX Runtime (warned)"))
                total += elements
                if imported.warnings.isEmpty { totalBad += bad }
            }
        }
        #expect(total > 0 && totalBad == 0)
    }
}
