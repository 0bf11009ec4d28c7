import Foundation
import Testing
import QGen
import QGenCompiler
import QGenReference
import QGenVerify

/// Engine fixtures of whole graphs (Tools/engines/tflm_graph_cases.py): each case is a qgen
/// ModelSpec in the JSON a model.swift hands qgen, built from a `.tflite` file the TensorFlow
/// converter made, with TFLite Micro's outputs. The emitted C (libtcc) and the reference must equal
/// them on every element; the test prints the count per op.
@Suite struct GraphFixtureTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var id: String
            /// The ops the case checks (the rest of its graph is checked by other fixtures).
            var ops: [String]
            var model: ModelSpec
            var inputs: [String]
            var outputs: [String]
        }
        var provenance: String
        var cases: [Case]
    }

    static let files = ["tflite_micro_graphs", "tflite_micro_networks"]

    private static func codes(_ base64: String, dtype: DType) -> [Int32] {
        [UInt8](Data(base64Encoded: base64) ?? Data()).map { dtype == .int8 ? Int32(Int8(bitPattern: $0)) : Int32($0) }
    }

    @Test(arguments: files)
    func emittedCMatchesTheEngine(file: String) throws {
        let url = packageRoot.appendingPathComponent("Tests/Fixtures/engines/\(file).json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        var elements: [String: Int] = [:], mismatches: [String: Int] = [:]
        for c in fixture.cases {
            let result = try Pipeline.compile(c.model, options: CompileOptions())
            let model = result.lowered
            let compiled = try Verifier.compile(result.output, model: model)
            for (x, y) in zip(c.inputs, c.outputs) {
                let input = Self.codes(x, dtype: model.input.dtype), expected = Self.codes(y, dtype: model.output.dtype)
                let got = compiled.run(input) ?? []
                let reference = IntegerReference.run(model, input: input)
                let bad = zip(expected, got).filter { $0 != $1 }.count + abs(expected.count - got.count)
                for op in c.ops {
                    elements[op, default: 0] += expected.count
                    mismatches[op, default: 0] += bad
                }
                if bad > 0 || reference != expected {
                    Issue.record("\(file) case \(c.id): \(bad) of \(expected.count) elements differ from the engine (C \(Array(got.prefix(12))), engine \(Array(expected.prefix(12))), reference equal: \(reference == expected))")
                }
            }
        }
        for op in elements.keys.sorted() {
            print("engine graph fixture \(file), \(op): \(fixture.cases.filter { $0.ops.contains(op) }.count) cases, \(elements[op]!) elements, \(mismatches[op]!) mismatches")
        }
        #expect(mismatches.values.allSatisfy { $0 == 0 })
        #expect(fixture.cases.count >= (file.hasSuffix("networks") ? 8 : 100))
    }
}
