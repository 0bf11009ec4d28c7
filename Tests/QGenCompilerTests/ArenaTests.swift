import Foundation
import Testing
import QGen
@testable import QGenCompiler

/// The arena plan on graphs: lifetimes from the last reader, branches, reshapes as aliases, layers
/// in place over their inputs, and the plan at or below the lower bound (the most bytes live at one
/// node) on every example network.
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

    /// In place: a (10 bytes, steps 0-1) dies where b (20 bytes, steps 1-2) is written, b starting
    /// `shift` bytes below a. Shift 0: both at 0, 20 bytes (30 apart); shift 5: b at 0, a at 5, 20;
    /// shift 15: a at 15 ends at 25; shift 30: 40 > 30, so the plan without the link is kept.
    @Test func linkedRequestsShareBytes() {
        let requests = [ArenaPlan.Request(size: 10, firstStep: 0, lastStep: 1), ArenaPlan.Request(size: 20, firstStep: 1, lastStep: 2)]
        #expect(ArenaPlan.lowerBound(requests) == 30 && ArenaPlan.plan(requests).size == 30)
        for (shift, size, aOffset) in [(0, 20, 0), (5, 20, 5), (15, 25, 15), (30, 30, 20)] {
            let plan = ArenaPlan.plan(requests, links: [ArenaPlan.Link(input: 0, output: 1, shift: shift)])
            #expect(plan.size == size && plan.placements[0].offset == aOffset, "shift \(shift): \(plan)")
        }
    }

    /// A chain a -> b -> c (each dying where the next is written) and a request d live across it:
    /// the chain is one block 14 bytes high (b, 12 bytes, and c, 6, at its base; a, 10, shifted 4
    /// above b), placed first (the largest extent), and d (8 bytes, steps 0-3) above it at 14:
    /// 22 bytes, where the lower bound without links is 8 + 10 + 12 = 30. With the first link alone
    /// the best order gives 26 (d at 0, the a-b block at 8, c above b at 20), so both links are kept.
    @Test func chainsArePlacedAsOneBlock() {
        let requests = [ArenaPlan.Request(size: 10, firstStep: 0, lastStep: 1), ArenaPlan.Request(size: 12, firstStep: 1, lastStep: 2),
                        ArenaPlan.Request(size: 6, firstStep: 2, lastStep: 3), ArenaPlan.Request(size: 8, firstStep: 0, lastStep: 3)]
        #expect(ArenaPlan.lowerBound(requests) == 30)
        let plan = ArenaPlan.plan(requests, links: [ArenaPlan.Link(input: 0, output: 1, shift: 4), ArenaPlan.Link(input: 1, output: 2, shift: 0)])
        #expect(plan.size == 22)
        #expect(plan.placements.map(\.offset) == [4, 0, 0, 14])
        #expect(ArenaPlan.plan(requests, links: [ArenaPlan.Link(input: 0, output: 1, shift: 4)]).size == 26)
    }

    /// A concatenation's inputs in their slices of its output: r2 (slice 0) and r1 (slice 4), 4 bytes
    /// each, joined into r3 (8 bytes, step 3); r2 is written at step 2 in place over r0 (4 bytes, steps
    /// 0-2), `shift` bytes below it. Shift 0: r0 sits exactly on r2, the group is 8 bytes, where the
    /// lower bound without links is 4 + 4 + 8 = 16 (step 3: r1, r2 and r3). Shift 2:
    /// r0 would cover bytes 2-5, two of them r1's while both live (steps 1-2), so that link is refused,
    /// and r0 is placed on its own above the 8 bytes: 12.
    @Test func concatenationInputsLieInTheirSlices() {
        let requests = [ArenaPlan.Request(size: 4, firstStep: 0, lastStep: 2), ArenaPlan.Request(size: 4, firstStep: 1, lastStep: 3),
                        ArenaPlan.Request(size: 4, firstStep: 2, lastStep: 3), ArenaPlan.Request(size: 8, firstStep: 3, lastStep: 4)]
        let required = [ArenaPlan.Link(input: 2, output: 3, shift: 0), ArenaPlan.Link(input: 1, output: 3, shift: 4)]
        #expect(ArenaPlan.lowerBound(requests) == 16)
        let sharing = ArenaPlan.plan(requests, links: [ArenaPlan.Link(input: 0, output: 2, shift: 0)], required: required)
        #expect(sharing.placements.map(\.offset) == [0, 4, 0, 0] && sharing.size == 8, "\(sharing)")
        #expect(ArenaPlan.isConsistent(requests, links: required + [ArenaPlan.Link(input: 0, output: 2, shift: 0)]))
        #expect(!ArenaPlan.isConsistent(requests, links: required + [ArenaPlan.Link(input: 0, output: 2, shift: 2)]))
        let refused = ArenaPlan.plan(requests, links: [ArenaPlan.Link(input: 0, output: 2, shift: 2)], required: required)
        #expect(refused.placements.map(\.offset) == [8, 4, 0, 0] && refused.size == 12, "\(refused)")
    }

    /// x [1, 4, 4, 8] → 1×1 conv to 16 channels (a: 256 bytes) → 3×3 depthwise, padding 1 (b: 256
    /// bytes) → 1×1 conv to the model output. The depthwise kernel reads one row and one pixel ahead
    /// of what it writes: (4 + 1) · 16 = 80 bytes, so b sits at 0 and a at 80, and the arena is
    /// 80 + 256 = 336 bytes where a and b side by side need 512. The report marks the depthwise layer.
    @Test func aDepthwiseConvolutionRunsOverItsInput() throws {
        let q = QuantParams.int8(scale: 0.1, zeroPoint: 0)
        let spec = ModelSpec(name: "m", layers: [
            Input("x", shape: [1, 4, 4, 8], layout: .nhwc, q).layerSpec,
            Conv2d("expand", outChannels: 16, kernel: 1, weight: .float(.values(Array(repeating: 0.1, count: 128))), output: q).layerSpec,
            Conv2d("dw", outChannels: 16, kernel: 3, padding: 1, groups: 16, weight: .float(.values(Array(repeating: 0.1, count: 144))), output: q).layerSpec,
            Conv2d("project", outChannels: 4, kernel: 1, weight: .float(.values(Array(repeating: 0.1, count: 64))), output: q).layerSpec,
        ], location: SourceLocation(file: "model.swift", line: 1))
        let result = try Pipeline.compile(spec, options: CompileOptions())
        let model = result.lowered
        #expect(model.arenaSize == 336 && model.arenaLowerBound == 512)
        #expect(model.tensors[1].buffer == .arena(offset: 80, size: 256) && model.tensors[2].buffer == .arena(offset: 0, size: 256))
        #expect(ModelReport(result).layers.map(\.placement) == ["arena [80, 336)", "arena [0, 256), in place", "output"])
        let summaries = result.output.source.split(separator: "\n").filter { $0.contains("Conv2d [1, 4, 4, ") }
        #expect(summaries.count == 3 && summaries.map { $0.hasSuffix(", in place: written over its input") } == [false, true, false], "\(summaries)")
    }

    /// Every example's arena is at most its lower bound without in-place execution (the graph networks
    /// included), and below it where a layer runs in place over its input (the depthwise networks, and
    /// ResNet-8 with its residual Adds written over their dying inputs).
    @Test(arguments: ["ds_cnn", "mobilenet_v2_blocks", "resnet8", "inception_concat", "residual_block", "tiny_cnn"])
    func examplesReachTheLowerBound(example: String) throws {
        let header = try String(contentsOf: packageRoot.appendingPathComponent("Generated/\(example)/\(example).h"), encoding: .utf8)
        let lines = header.split(separator: "\n")
        let size = try #require(lines.first { $0.hasPrefix("#define") && $0.contains("_ARENA_SIZE ") }?.split(separator: " ").last.flatMap { Int($0) })
        let bound = try #require(lines.first { $0.contains("The most bytes live at one layer is") }?
            .split(whereSeparator: { !$0.isNumber }).first.flatMap { Int($0) })
        #expect(["ds_cnn", "mobilenet_v2_blocks", "resnet8"].contains(example) ? size < bound : size == bound, "\(example): arena \(size), lower bound \(bound)")
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
