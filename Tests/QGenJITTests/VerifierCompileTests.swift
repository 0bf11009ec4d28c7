import Foundation
import Testing
import QGen
import QGenCompiler
import QGenVerify

/// `Verifier.verify` compiles the C on a thread of its own while the Swift references run: a C that
/// libtcc refuses still fails the verification with libtcc's error (here a -D that is not valid C),
/// whether or not any input is checked.
@Suite struct VerifierCompileTests {
    @Test(arguments: [0, 3])
    func aCompileErrorFailsTheVerification(inputs: Int) throws {
        let spec = ModelSpec(name: "m", layers: [
            Input("x", shape: [1, 4], .int8(scale: 0.1, zeroPoint: 0)).layerSpec,
            Linear("fc", outFeatures: 2, weight: .float(.values([0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 0.7, 0.8])), output: .int8(scale: 0.1, zeroPoint: 0)).layerSpec,
        ], location: SourceLocation(file: "model.swift", line: 1))
        let result = try Pipeline.compile(spec, options: CompileOptions())
        #expect(try Verifier.verify(result, inputs: inputs, seed: 1).mismatches == 0)
        #expect(throws: (any Error).self) { try Verifier.verify(result, inputs: inputs, seed: 1, defines: ["QGEN_MAC_8BIT=("]) }
    }
}
