import Foundation
import Testing
import QGen
import QGenArithmetic
import QGenCompiler
import QGenReference
import QGenVerify

/// PyTorch's own integers (Tools/engines/pytorch_ops.py and pytorch_networks.py): quantized add,
/// add_relu and adaptive average pooling on the fbgemm and qnnpack engines, and whole networks that
/// Exporters/pytorch (qgen-export) wrote as model.swift. The emitted C and the Swift reference must
/// equal the engine on every element.
@Suite struct PyTorchFixtureTests {
    struct OpFixture: Decodable {
        struct Case: Decodable {
            var id: String
            var ops: [String]
            var model: ModelSpec
            /// Per run, one base64 tensor per model input.
            var inputs: [[String]]
            var outputs: [String]
        }
        var provenance: String
        var cases: [Case]
    }

    @Test func opsMatchPyTorch() throws {
        let url = packageRoot.appendingPathComponent("Tests/Fixtures/engines/pytorch_ops.json")
        let fixture = try JSONDecoder().decode(OpFixture.self, from: Data(contentsOf: url))
        var elements: [String: Int] = [:], mismatches: [String: Int] = [:]
        // Each case twice: binary32 emulated with integers, and native (--float-requant).
        for c in fixture.cases {
            for native in [false, true] {
                let result = try Pipeline.compile(c.model, options: CompileOptions(floatRequant: native))
                let model = result.lowered
                let compiled = try Verifier.compile(result.output, model: model)
                let key = "\(model.scheme) \(c.ops.joined(separator: "+"))"
                for (x, y) in zip(c.inputs, c.outputs) {
                    let inputs = zip(x, model.inputs).map { fixtureCodes($0, dtype: model.tensors[$1].dtype) }
                    let expected = fixtureCodes(y, dtype: model.output.dtype)
                    let got = compiled.run(inputs: inputs)?.first ?? []
                    let reference = IntegerReference.run(model, inputs: inputs)[model.outputs[0]] ?? []
                    let bad = zip(expected, got).filter { $0 != $1 }.count + abs(expected.count - got.count)
                    if !native { elements[key, default: 0] += expected.count }
                    mismatches[key, default: 0] += bad
                    #expect(bad == 0, "\(c.id)\(native ? " (--float-requant)" : ""): \(bad) of \(expected.count) elements differ from PyTorch")
                    #expect(reference == got, "\(c.id)\(native ? " (--float-requant)" : ""): the Swift reference differs from the C")
                }
            }
        }
        for key in elements.keys.sorted() { print("PyTorch \(key): \(elements[key]!) elements, \(mismatches[key]!) mismatches (emulated and native)") }
        #expect(elements.count == 71)
    }

    struct NetworkFixture: Decodable {
        struct Case: Decodable {
            var name: String
            var model: String
            var engine: String
            var inputs: [String]
            var outputs: [String]
        }
        var provenance: String
        var cases: [Case]
    }

    static let networks = packageRoot.appendingPathComponent("Tests/Fixtures/pytorch")

    /// Each exported network: its model.swift compiled as a user's would be, the C compiled by the
    /// host's cc (-std=c99 -O2; the 224x224 networks are too large for libtcc to be quick), run on the
    /// engine's inputs by a small driver. The small CNN also runs through libtcc and the reference.
    /// QGEN_PYTORCH_NETWORKS names a directory `make_fixtures.py pytorch_networks_20` wrote (all 20
    /// inputs of every network) to measure it too.
    @Test func exportedNetworksMatchPyTorch() throws {
        var directories = [Self.networks]
        if let extra = ProcessInfo.processInfo.environment["QGEN_PYTORCH_NETWORKS"] { directories.append(URL(fileURLWithPath: extra)) }
        for directory in directories { try check(directory) }
    }

    private func check(_ directory: URL) throws {
        let fixture = try JSONDecoder().decode(NetworkFixture.self, from: Data(contentsOf: directory.appendingPathComponent("networks.json")))
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("qgen-pytorch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        var total = 0, totalBad = 0
        for c in fixture.cases {
            let path = directory.appendingPathComponent(c.model)
            let started = Date()
            let spec = try ModelLoader.load(path: path.path)
            let result = try Pipeline.compile(spec, options: CompileOptions(baseDirectory: path.deletingLastPathComponent(), fileStem: "net"))
            let emitted = Date().timeIntervalSince(started)
            let model = result.lowered
            #expect(model.scheme == (c.engine == "qnnpack" ? .qnnpack : .fbgemm()), "\(c.name): scheme \(model.scheme)")
            let inputs = c.inputs.map { fixtureCodes($0, dtype: model.input.dtype) }
            let expected = c.outputs.map { fixtureCodes($0, dtype: model.output.dtype) }
            let got = try HostCC.run(result.output, model: model, inputs: inputs, work: work)
            var bad = 0, elements = 0
            for (g, e) in zip(got, expected) {
                elements += e.count
                bad += zip(g, e).filter { $0 != $1 }.count + abs(g.count - e.count)
            }
            #expect(got.count == expected.count && bad == 0, "\(c.name): \(bad) of \(elements) elements differ from PyTorch")
            if model.input.count <= 4096 {
                let compiled = try Verifier.compile(result.output, model: model)
                for (x, e) in zip(inputs, expected) {
                    #expect(compiled.run(x) == e, "\(c.name): libtcc's run differs from PyTorch")
                    #expect(IntegerReference.run(model, input: x) == e, "\(c.name): the Swift reference differs from PyTorch")
                }
            }
            print("PyTorch network \(c.name): \(inputs.count) inputs, \(elements) elements, \(bad) mismatches (load model.swift + lower + emit \(String(format: "%.1f", emitted)) s)")
            total += elements
            totalBad += bad
        }
        #expect(total > 0 && totalBad == 0)
    }
}
