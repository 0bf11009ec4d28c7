import Foundation
import Testing
import QGen
@testable import QGenCompiler

/// The arena plan on graphs: lifetimes from the last reader, branches, reshapes as aliases, and
/// the plan equal to the lower bound (the most bytes live at one node) on every example network.
@Suite struct ArenaTests {
    @Test func lowerBoundIsTheLargestLiveSet() {
        // a: steps 0-2, b: 1-1, c: 2-3: at step 2, a + c = 10 + 7 = 17 bytes.
        let requests = [ArenaPlan.Request(size: 10, firstStep: 0, lastStep: 2), ArenaPlan.Request(size: 4, firstStep: 1, lastStep: 1),
                        ArenaPlan.Request(size: 7, firstStep: 2, lastStep: 3)]
        #expect(ArenaPlan.lowerBound(requests) == 17)
        #expect(ArenaPlan.plan(requests).size == 17)
    }

    /// x → conv → flatten (alias) → fc: the flatten adds no bytes and keeps conv's output alive
    /// only until fc reads it.
    @Test func reshapesShareTheirInputsMemory() throws {
        let spec = ModelSpec(name: "m", layers: [
            Input("x", shape: [1, 2, 3, 3], .int8(scale: 0.1, zeroPoint: 0)).layerSpec,
            Conv2d("conv", outChannels: 4, kernel: 1, weight: .float(.values(Array(repeating: 0.1, count: 8))), output: .int8(scale: 0.1, zeroPoint: 0)).layerSpec,
            Flatten("flat").layerSpec,
            Linear("fc", outFeatures: 2, weight: .float(.values(Array(repeating: 0.1, count: 72))), output: .int8(scale: 0.1, zeroPoint: 0)).layerSpec,
        ], location: SourceLocation(file: "model.swift", line: 1))
        let model = try Pipeline.compile(spec, options: CompileOptions()).lowered
        #expect(model.tensors[1].buffer == .arena(offset: 0, size: 36) && model.tensors[2].buffer == model.tensors[1].buffer)
        #expect(model.arenaSize == 36 && model.arenaLowerBound == 36)
    }

    /// Every example's arena equals its lower bound (the graph networks included).
    @Test(arguments: ["ds_cnn", "mobilenet_v2_blocks", "resnet8", "inception_concat", "residual_block", "tiny_cnn"])
    func examplesReachTheLowerBound(example: String) throws {
        let header = try String(contentsOf: packageRoot.appendingPathComponent("Generated/\(example)/\(example).h"), encoding: .utf8)
        let lines = header.split(separator: "\n")
        let size = try #require(lines.first { $0.hasPrefix("#define") && $0.contains("_ARENA_SIZE ") }?.split(separator: " ").last.flatMap { Int($0) })
        let bound = try #require(lines.first { $0.contains("The most bytes live at one layer is") }?
            .split(whereSeparator: { !$0.isNumber }).first.flatMap { Int($0) })
        #expect(size == bound, "\(example): arena \(size), lower bound \(bound)")
        #expect(size > 0)
    }

    /// The header documents the boundary layouts: NHWC where the Input declares it.
    @Test func theHeaderNamesTheBoundaryLayouts() throws {
        let spec = ModelSpec(name: "m", layers: [
            Input("x", shape: [1, 4, 4, 2], layout: .nhwc, .int8(scale: 0.1, zeroPoint: 0)).layerSpec,
            MaxPool2d("pool", kernel: 2).layerSpec,
        ], location: SourceLocation(file: "model.swift", line: 1))
        let header = try Pipeline.compile(spec, options: CompileOptions()).output.header
        #expect(header.contains("/* Input \"x\": int8[1, 4, 4, 2] (NHWC)") && header.contains("/* Output \"pool\": int8[1, 2, 2, 2] (NHWC)"))
    }
}
