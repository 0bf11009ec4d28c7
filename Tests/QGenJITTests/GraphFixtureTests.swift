import Foundation
import Testing
import QGen
import QGenCompiler
import QGenReference
import QGenVerify

/// Engine fixtures of whole graphs (Tools/engines/tflm_graph_cases.py): each case is a qgen
/// ModelSpec in the JSON a model.swift hands qgen, built from a `.tflite` file the TensorFlow
/// converter made, with TFLite Micro's outputs and LiteRT's (builtin reference kernels). Under
/// `tflite` the emitted C (libtcc) and the reference must equal TFLite Micro's on every element, under
/// `liteRT` LiteRT's; where LiteRT refuses the model, qgen must refuse it under `liteRT`. The test
/// prints the count per op.
@Suite struct GraphFixtureTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var id: String
            /// The ops the case checks (the rest of its graph is checked by other fixtures).
            var ops: [String]
            var model: ModelSpec
            var inputs: [String]
            var outputs: [String]
            var liteRTOutputs: [String]?
            /// LiteRT's reason when its interpreter will not run the model.
            var liteRTRefusal: String?
        }
        var provenance: String
        var cases: [Case]
    }

    static let files = ["tflite_micro_graphs", "tflite_micro_ops", "tflite_micro_softmax16", "tflite_micro_networks"]

    static let engines = ["tflite", "liteRT"]

    @Test(arguments: files, engines)
    func emittedCMatchesTheEngine(file: String, scheme: String) throws {
        let url = packageRoot.appendingPathComponent("Tests/Fixtures/engines/\(file).json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        var elements: [String: Int] = [:], mismatches: [String: Int] = [:], refusals = 0
        for c in fixture.cases {
            var spec = c.model
            spec.requantization = Requantization(name: scheme)
            let outputs = scheme == "tflite" ? c.outputs : (c.liteRTOutputs ?? [])
            if scheme == "liteRT", let refusal = c.liteRTRefusal {
                refusals += 1
                #expect(throws: (any Error).self, "\(file) case \(c.id): LiteRT refuses it (\(refusal)), qgen must too") {
                    try Pipeline.compile(spec, options: CompileOptions())
                }
                continue
            }
            #expect(outputs.count == c.inputs.count, "\(file) case \(c.id): no \(scheme) outputs")
            let result = try Pipeline.compile(spec, options: CompileOptions())
            let model = result.lowered
            let compiled = try Verifier.compile(result.output, model: model)
            for (x, y) in zip(c.inputs, outputs) {
                let input = fixtureCodes(x, dtype: model.input.dtype), expected = fixtureCodes(y, dtype: model.output.dtype)
                let got = compiled.run(input) ?? []
                let reference = IntegerReference.run(model, input: input)
                let bad = zip(expected, got).filter { $0 != $1 }.count + abs(expected.count - got.count)
                for op in c.ops {
                    elements[op, default: 0] += expected.count
                    mismatches[op, default: 0] += bad
                }
                if bad > 0 || reference != expected {
                    Issue.record("\(file) case \(c.id), \(scheme): \(bad) of \(expected.count) elements differ from the engine (C \(Array(got.prefix(12))), engine \(Array(expected.prefix(12))), reference equal: \(reference == expected))")
                }
            }
        }
        for op in elements.keys.sorted() {
            print("engine graph fixture \(file), \(scheme), \(op): \(fixture.cases.filter { $0.ops.contains(op) }.count) cases, \(elements[op]!) elements, \(mismatches[op]!) mismatches")
        }
        if refusals > 0 { print("engine graph fixture \(file), \(scheme): \(refusals) cases LiteRT refuses, refused by qgen too") }
        #expect(mismatches.values.allSatisfy { $0 == 0 })
        #expect(fixture.cases.count >= (file.hasSuffix("networks") ? 8 : file.hasSuffix("softmax16") ? 40 : file.hasSuffix("ops") ? 140 : 100))
    }
}
