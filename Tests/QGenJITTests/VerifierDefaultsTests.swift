import Testing
import QGen
import QGenCompiler
import QGenVerify

/// `qgen verify`'s default input count: 100, or as many as fit the budget of multiply-accumulates
/// for large models, never fewer than 2.
@Suite struct VerifierDefaultsTests {
    /// A 3×3 convolution, 64 → 64 channels, on a `size`×`size` NHWC image: 36,864 weights, size²·36,864 MACs.
    private func model(size: Int) throws -> LoweredModel {
        let spec = ModelSpec(name: "m", layers: [
            Input("x", shape: [1, size, size, 64], layout: .nhwc, .int8(scale: 0.1, zeroPoint: 0)).layerSpec,
            Conv2d("conv", outChannels: 64, kernel: 3, padding: 1, weight: .int8(.values(Array(repeating: 1, count: 64 * 64 * 9)), scale: 0.01),
                   output: .int8(scale: 1, zeroPoint: 0)).layerSpec,
        ], location: SourceLocation(file: "model.swift", line: 1))
        return try Pipeline.compile(spec, options: CompileOptions()).lowered
    }

    @Test func largeModelsGetFewerInputs() throws {
        let small = try model(size: 4)
        #expect(Verifier.multiplyAccumulates(small) == 589_824)
        #expect(Verifier.defaultInputCount(for: small) == 100)
        // 150,994,944 MACs: 5 inputs fit 800M.
        #expect(Verifier.defaultInputCount(for: try model(size: 64)) == 5)
        // 603,979,776 MACs: one fits, two are the least.
        #expect(Verifier.defaultInputCount(for: try model(size: 128)) == 2)
    }
}
