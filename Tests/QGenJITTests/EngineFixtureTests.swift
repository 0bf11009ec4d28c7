import Foundation
import Testing
import QGen
import QGenArithmetic
import QGenCompiler
import QGenReference
import QGenVerify

/// Every engine fixture case through qgen's emitted C (libtcc) in the engine's scheme: the C and
/// the Swift reference must both equal the engine's integers on every element.
@Suite struct EngineFixtureTests {
    @Test(arguments: EngineFixture.files)
    func emittedCMatchesTheEngine(file: String) throws {
        let fixture = try EngineFixture.load(file)
        var elements = 0, mismatches = 0, saturating = 0
        for c in fixture.cases {
            let result = try Pipeline.compile(c.spec(scheme: fixture.scheme), options: CompileOptions())
            let compiled = try Verifier.compile(result.output, model: result.lowered)
            if c.saturates == true { saturating += 1 }
            for (x, expected) in zip(c.inputVectors, c.outputVectors) {
                let got = compiled.run(x) ?? []
                let reference = IntegerReference.run(result.lowered, input: x)
                elements += expected.count
                let bad = zip(expected, got).filter { $0 != $1 }.count + abs(expected.count - got.count)
                if bad > 0 || reference != expected {
                    mismatches += max(bad, 1)
                    Issue.record("\(file) case \(c.id): \(bad) of \(expected.count) elements differ from the engine (C \(Array(got.prefix(12))), engine \(Array(expected.prefix(12))), reference equal: \(reference == expected))")
                }
            }
        }
        print("engine fixture \(file) (\(fixture.scheme)): \(fixture.cases.count) cases, \(elements) elements, \(mismatches) mismatches"
              + (saturating > 0 ? ", \(saturating) cases where the engine saturated int16 pairs" : ""))
        #expect(mismatches == 0)
        #expect(fixture.cases.count >= 100)
    }

    @Test func atLeastAThousandCasesAcrossEngines() throws {
        let total = try EngineFixture.files.map { try EngineFixture.load($0).cases.count }.reduce(0, +)
        #expect(total >= 1000)
    }
}
