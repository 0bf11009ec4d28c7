import Foundation
import Testing
import QGen
import QGenArithmetic
import QGenCompiler
import QGenReference
import QGenVerify

/// The NHWC convolution kernels' paths, each against the Swift integer reference (which walks every
/// tap of every output with its own bounds test): the gathered window (whole, in chunks of taps
/// when it exceeds `DotReduction.maxBufferValues`, and one tap in chunks of channels, equal or not),
/// four output channels at a time with fewer left over, padded taps, stride, dilation, groups, depth
/// multipliers, 1x1 kernels, the depthwise kernel's tap pointers (tiles wider and narrower than its
/// channel count), weight zero points, int8 and uint8 inputs, output stages of three scheme
/// families, and every reduction path (int16, 8-bit, the Arm DSP one in C).
@Suite struct NHWCKernelTests {
    struct Case: CustomStringConvertible {
        var channels: Int, outChannels: Int, size: (Int, Int), kernel: (Int, Int)
        var stride = 1, padding = (0, 0), dilation = (1, 1), groups = 1
        var weightZeroPoint = false, int8Input = false

        var description: String {
            "\(channels)->\(outChannels) \(size) k\(kernel) s\(stride) p\(padding) d\(dilation) g\(groups)\(weightZeroPoint ? " zw" : "")\(int8Input ? " int8" : "")"
        }
    }

    static let cases: [Case] = [
        Case(channels: 8, outChannels: 5, size: (7, 6), kernel: (3, 3), padding: (1, 1)),
        Case(channels: 3, outChannels: 4, size: (9, 9), kernel: (5, 3), stride: 2, padding: (2, 0), int8Input: true),
        Case(channels: 6, outChannels: 4, size: (8, 8), kernel: (3, 3), padding: (2, 2), dilation: (2, 2)),
        Case(channels: 8, outChannels: 6, size: (6, 7), kernel: (3, 3), padding: (1, 1), groups: 2, weightZeroPoint: true),
        // 3x3x120 = 1,080 values: the window is reduced in chunks of 3 taps (360 values).
        Case(channels: 120, outChannels: 3, size: (5, 5), kernel: (3, 3), padding: (1, 1)),
        // One tap of 1,100 channels exceeds the buffer's bound by itself: four chunks of 275 channels;
        // 1,031 (prime): chunks of 512, 512 and 7, with a weight zero point.
        Case(channels: 1100, outChannels: 2, size: (3, 3), kernel: (2, 2), padding: (1, 0), int8Input: true),
        Case(channels: 1031, outChannels: 5, size: (2, 3), kernel: (1, 1), weightZeroPoint: true),
        // 1x1 kernels (groups too), with and without padding; 70 channels: a tile of 64 and one of 6.
        Case(channels: 16, outChannels: 70, size: (4, 5), kernel: (1, 1), stride: 2),
        Case(channels: 12, outChannels: 9, size: (4, 4), kernel: (1, 1), groups: 3, weightZeroPoint: true),
        Case(channels: 4, outChannels: 4, size: (3, 3), kernel: (1, 1), padding: (1, 1)),
        // Depthwise: one tile (96 channels), tiles of 128 and a remainder (200), padding, stride, dilation.
        Case(channels: 96, outChannels: 96, size: (6, 6), kernel: (3, 3), padding: (1, 1), groups: 96),
        Case(channels: 200, outChannels: 200, size: (5, 4), kernel: (3, 3), stride: 2, padding: (1, 1), groups: 200, int8Input: true),
        Case(channels: 5, outChannels: 5, size: (7, 7), kernel: (3, 2), padding: (2, 1), dilation: (2, 3), groups: 5, weightZeroPoint: true),
        Case(channels: 7, outChannels: 7, size: (4, 4), kernel: (2, 2), groups: 7),
        // On NCHW a window of 1,080 values in three chunks of 40 channels (9 taps each), and one of 549 in
        // chunks of 56 channels and 5 (61 is prime).
        Case(channels: 120, outChannels: 6, size: (5, 5), kernel: (3, 3), padding: (1, 1), weightZeroPoint: true),
        Case(channels: 61, outChannels: 4, size: (4, 4), kernel: (3, 3), padding: (1, 1), int8Input: true),
        // Depth multiplier 2: grouped, not the depthwise kernel.
        Case(channels: 6, outChannels: 12, size: (5, 5), kernel: (3, 3), padding: (1, 1), groups: 6),
    ]

    /// The x86 AVX512-VNNI matrix product of 1x1 convolutions (QGEN_X86_VNNI), built by cc with
    /// -mavx512f -mavx512vnni and run on this machine (skipped where the CPU has no VNNI): blocks of
    /// 16, 32 and 64 output channels and a narrower last block, pixel counts that are not a multiple
    /// of four, stride 2, a batch of two, int8 inputs (offset by 128), and three scheme families.
    @Test(.enabled(if: HostCC.hasVNNI, "the CPU has no AVX512-VNNI"), arguments: ["tflite", "onnxRuntime", "singleRounding"])
    func vnniMatrixProductMatchesTheReference(scheme: String) throws {
        var rng = SeededGenerator(seed: 20261203)
        var elements = 0
        // (channels, out channels, height, width, stride, batch, int8 input)
        for (channels, outChannels, height, width, stride, batch, int8Input) in [
            (96, 24, 5, 7, 1, 1, false), (16, 70, 9, 9, 2, 2, true), (8, 5, 4, 4, 1, 1, true), (64, 130, 6, 3, 1, 1, false), (4, 16, 17, 1, 1, 2, false),
        ] {
            let weights = (0..<(outChannels * channels)).map { _ in Double(Int.random(in: -128...127, using: &rng)) }
            let input: QuantParams = int8Input ? .int8(scale: 0.05, zeroPoint: -7) : .uint8(scale: 0.05, zeroPoint: 9)
            let spec = ModelSpec(name: "net", layers: [
                Input("x", shape: [batch, height, width, channels], layout: .nhwc, input).layerSpec,
                Conv2d("conv", outChannels: outChannels, kernel: 1, stride: Size2(stride, stride),
                       weight: .int8(.values(weights), scales: (0..<outChannels).map { _ in Double.random(in: 0.002...0.004, using: &rng) }),
                       bias: .float(.values((0..<outChannels).map { _ in Double.random(in: -2...2, using: &rng) })),
                       output: .uint8(scale: 0.02 * Double(channels).squareRoot(), zeroPoint: 100)).layerSpec,
            ], requantization: Requantization(name: scheme), location: SourceLocation(file: "model.swift", line: 1))
            let result = try Pipeline.compile(spec, options: CompileOptions(fileStem: "net"))
            #expect(result.output.source.contains("_mm512_dpbusd_epi32"), "\(channels)->\(outChannels): no VNNI path emitted")
            let compared = try HostCC.compareWithTheReference(result, flags: ["-mavx512f", "-mavx512vnni"], seed: 7)
            #expect(compared.differing == 0, "\(channels)->\(outChannels) \(height)x\(width) s\(stride) n\(batch)\(int8Input ? " int8" : ""): \(compared.differing) of \(compared.elements) differ")
            elements += compared.elements
        }
        #expect(elements > 0)
    }

    /// The x86 AVX2 paths (QGEN_X86_MADD), built by cc with -mavx2 and run on this machine (skipped where
    /// the CPU has no AVX2): every case of `cases` (the depthwise kernel's tap pairs with an odd last tap,
    /// channel counts with 16-, 8- and 1-channel remainders; the matrix product's blocks of 8 to 32
    /// channels and narrower last blocks, odd windows, groups, weight zero points, padding, stride,
    /// dilation, int8 inputs) and three scheme families; inPlaceChainsMatchTheReference runs the paths in
    /// place. A case whose layer the path does not take (fewer than 16 pixels, a window too long) still runs, through the portable kernel.
    static func input(_ c: Case, layout: Layout, _ q: QuantParams) -> LayerSpec {
        layout == .nhwc ? Input("x", shape: [1, c.size.0, c.size.1, c.channels], layout: .nhwc, q).layerSpec
            : Input("x", shape: [1, c.channels, c.size.0, c.size.1], q).layerSpec
    }

    @Test(.enabled(if: HostCC.hasAVX2, "the CPU has no AVX2"), arguments: ["tflite", "onnxRuntime", "singleRounding"], [Layout.nhwc, .nchw])
    func x86MaddPathsMatchTheReference(scheme: String, layout: Layout) throws {
        var rng = SeededGenerator(seed: 20261205)
        var elements = 0, maddLayers = 0
        for c in Self.cases + [
            // 3x3x5 = 45 values (odd), 40 output channels: blocks of 32 and 8; 19 channels: 16 + 3.
            Case(channels: 5, outChannels: 40, size: (6, 6), kernel: (3, 3), padding: (1, 1), weightZeroPoint: true),
            Case(channels: 19, outChannels: 19, size: (5, 5), kernel: (3, 3), stride: 2, padding: (1, 1), groups: 19, int8Input: true),
            Case(channels: 24, outChannels: 24, size: (6, 5), kernel: (5, 5), padding: (2, 2), groups: 24),
            Case(channels: 96, outChannels: 24, size: (6, 6), kernel: (1, 1), int8Input: true),
        ] {
            let taps = c.channels / c.groups * c.kernel.0 * c.kernel.1
            let weights = (0..<(c.outChannels * taps)).map { _ in Double(Int.random(in: -128...127, using: &rng)) }
            let zeroPoint = c.weightZeroPoint ? Int.random(in: -5...5, using: &rng) : 0
            let input: QuantParams = c.int8Input ? .int8(scale: 0.05, zeroPoint: -7) : .uint8(scale: 0.05, zeroPoint: 9)
            let spec = ModelSpec(name: "nhwc", layers: [
                Self.input(c, layout: layout, input),
                Conv2d("conv", outChannels: c.outChannels, kernel: Size2(c.kernel.0, c.kernel.1), stride: Size2(c.stride, c.stride),
                       padding: Size2(c.padding.0, c.padding.1), dilation: Size2(c.dilation.0, c.dilation.1), groups: c.groups,
                       weight: .int8(.values(weights), scales: (0..<c.outChannels).map { _ in Double.random(in: 0.002...0.004, using: &rng) },
                                     zeroPoints: Array(repeating: zeroPoint, count: c.outChannels)),
                       bias: .float(.values((0..<c.outChannels).map { _ in Double.random(in: -2...2, using: &rng) })),
                       output: .uint8(scale: 0.02 * Double(taps).squareRoot(), zeroPoint: 100)).layerSpec,
            ], requantization: Requantization(name: scheme), location: SourceLocation(file: "model.swift", line: 1))
            let result = try Pipeline.compile(spec, options: CompileOptions(fileStem: "net"))
            if result.output.source.contains("_mm256_madd_epi16") { maddLayers += 1 }
            let compared = try HostCC.compareWithTheReference(result, flags: ["-mavx2"], seed: 11)
            #expect(compared.differing == 0, "\(c): \(compared.differing) of \(compared.elements) differ")
            elements += compared.elements
        }
        #expect(elements > 0 && maddLayers >= (layout == .nhwc ? 12 : 6), "\(maddLayers) layers took the AVX2 path")
    }

    /// The x86 tile output stage of the TFLite schemes, built by cc and run here: with -mavx512f
    /// (QGEN_X86_AVX512, sixteen lanes) and with -mavx2 (QGEN_X86_AVX2, eight), each skipped where the CPU
    /// lacks it. Depthwise and 3x3 tiles of 96, 20 (a tail) and 200 channels, per-channel and per-tensor
    /// multipliers, a layer whose multipliers span 0.42 to 2.5 (shifts -1 to +2: left and right shifts
    /// in one tile, which the paths without a positive shift skip), a power-of-two multiplier whose
    /// roundings tie often, int8 and uint8 outputs.
    @Test(.enabled(if: HostCC.hasAVX512, "the CPU has no AVX-512"), arguments: ["tflite", "liteRT"])
    func avx512OutputStageMatchesTheReference(scheme: String) throws {
        try x86OutputStageMatchesTheReference(scheme: scheme, flags: ["-mavx512f"])
    }

    @Test(.enabled(if: HostCC.hasAVX2, "the CPU has no AVX2"), arguments: ["tflite", "liteRT"])
    func avx2OutputStageMatchesTheReference(scheme: String) throws {
        try x86OutputStageMatchesTheReference(scheme: scheme, flags: ["-mavx2"])
    }

    private func x86OutputStageMatchesTheReference(scheme: String, flags: [String]) throws {
        var rng = SeededGenerator(seed: 20261204)
        var elements = 0
        // (channels, out channels, groups, per channel, input scale, output scale, uint8). Those with
        // scales 0.5 and 8 have the power-of-two multiplier 0.5 · 0.25 / 8 = 2^-6 (Q31 2^30, shift -5): the
        // high multiply ties on every odd accumulator, and the rounding divide on every accumulator 16 mod
        // 32 after it. The one with output scale 0.00012 has weights in [-2, 2] and scales 0.001 to 0.006
        // (multipliers 0.42 to 2.5) and a small bias, so that its outputs are not all clamped.
        for (channels, outChannels, groups, perChannel, inputScale, outputScale, unsigned) in [
            (96, 96, 96, true, 0.05, 0.2, false), (20, 20, 20, false, 0.05, 0.05, true), (200, 200, 200, true, 0.05, 0.0004, false),
            (8, 20, 1, true, 0.05, 0.3, true), (8, 36, 1, false, 0.05, 0.0005, false), (32, 32, 32, false, 0.5, 8.0, false), (8, 20, 1, false, 0.5, 8.0, true),
            (48, 48, 48, true, 0.05, 0.00012, true),
        ] {
            let taps = channels / groups * 9
            let shifted = outputScale == 0.00012
            let weights = (0..<(outChannels * taps)).map { _ in Double(Int.random(in: shifted ? -2...2 : -127...127, using: &rng)) }
            let weight: Weights = perChannel ? .int8(.values(weights), scales: (0..<outChannels).map { _ in Double.random(in: shifted ? 0.001...0.006 : 0.002...0.004, using: &rng) })
                : .int8(.values(weights), scale: inputScale == 0.5 ? 0.25 : 0.003)
            let spec = ModelSpec(name: "net", layers: [
                Input("x", shape: [1, 6, 5, channels], layout: .nhwc, unsigned ? .uint8(scale: inputScale, zeroPoint: 120) : .int8(scale: inputScale, zeroPoint: -3)).layerSpec,
                Conv2d("conv", outChannels: outChannels, kernel: 3, padding: 1, groups: groups, weight: weight,
                       bias: .float(.values((0..<outChannels).map { _ in Double.random(in: shifted ? -0.003...0.003 : -2...2, using: &rng) })),
                       output: unsigned ? .uint8(scale: outputScale, zeroPoint: 130) : .int8(scale: outputScale, zeroPoint: 5)).layerSpec,
            ], requantization: Requantization(name: scheme), location: SourceLocation(file: "model.swift", line: 1))
            let result = try Pipeline.compile(spec, options: CompileOptions(fileStem: "net"))
            #expect(result.output.source.contains("qgen_requantize_tile_\(unsigned ? "uint8" : "int8")(acc"), "\(channels)->\(outChannels): no tile output stage emitted")
            // The last argument before the zero point says whether any shift is positive.
            #expect(result.output.source.contains(shifted ? "[c0], 1, 1, 130," : ", 0, "), "\(channels)->\(outChannels): the wrong left_shifts argument")
            let compared = try HostCC.compareWithTheReference(result, flags: flags, seed: 9)
            #expect(compared.differing == 0, "\(flags) \(channels)->\(outChannels) g\(groups)\(perChannel ? "" : " per tensor") scale \(outputScale)\(unsigned ? " uint8" : ""): \(compared.differing) of \(compared.elements) differ")
            elements += compared.elements
        }
        #expect(elements > 0)
    }

    /// Every case on NHWC, and on NCHW (PyTorch's layout, OIHW weights: the window gathered from the
    /// channels' planes in (ic, ky, kx) order where the group has at least four output channels, the
    /// row kernel for the depthwise ones).
    @Test(arguments: ["tflite", "onnxRuntime", "singleRounding"], [Layout.nhwc, .nchw])
    func everyPathMatchesTheReference(scheme: String, layout: Layout) throws {
        var rng = SeededGenerator(seed: 20261202)
        var elements = 0
        for c in Self.cases {
            let taps = c.channels / c.groups * c.kernel.0 * c.kernel.1
            let weights = (0..<(c.outChannels * taps)).map { _ in Double(Int.random(in: -127...127, using: &rng)) }
            // One weight zero point for all channels: ONNX Runtime's QLinearConv allows no other.
            let zeroPoint = c.weightZeroPoint ? Int.random(in: 1...5, using: &rng) : 0
            let zeroPoints = Array(repeating: zeroPoint, count: c.outChannels)
            let scales = (0..<c.outChannels).map { _ in Double.random(in: 0.002...0.004, using: &rng) }
            let input: QuantParams = c.int8Input ? .int8(scale: 0.05, zeroPoint: -7) : .uint8(scale: 0.05, zeroPoint: 9)
            let spec = ModelSpec(name: "nhwc", layers: [
                Self.input(c, layout: layout, input),
                Conv2d("conv", outChannels: c.outChannels, kernel: Size2(c.kernel.0, c.kernel.1), stride: Size2(c.stride, c.stride),
                       padding: Size2(c.padding.0, c.padding.1), dilation: Size2(c.dilation.0, c.dilation.1), groups: c.groups,
                       weight: .int8(.values(weights), scales: scales, zeroPoints: zeroPoints),
                       bias: .float(.values((0..<c.outChannels).map { _ in Double.random(in: -2...2, using: &rng) })),
                       output: .uint8(scale: 0.02 * Double(taps).squareRoot(), zeroPoint: 100)).layerSpec,
            ], requantization: Requantization(name: scheme), location: SourceLocation(file: "model.swift", line: 1))
            let result = try Pipeline.compile(spec, options: CompileOptions())
            // Every reduction path of helpers_dot: int16 activations (the default), 8-bit ones, and the
            // Arm DSP path (its pair order and SMLAD/SXTB16 in C).
            for defines in [[], ["QGEN_MAC_8BIT=1"], ["QGEN_MAC_DSP=1"], ["QGEN_MAC_MVE=1"]] {
                let report = try Verifier.verify(result, inputs: 4, seed: 5, defines: defines)
                #expect(report.mismatches == 0, Comment(rawValue: "\(c) \(defines): \(report.mismatches) of \(report.elements) mismatch"))
                elements += report.elements
            }
        }
        #expect(elements > 0)
    }

    /// Hand-checked: a 3x3 depthwise and a 3x3 convolution on a 2x2 uint8 image with padding 1, input
    /// zero point 10, all weights 1, bias 0, multiplier exactly 1 (input scale = output scale, weight
    /// scale 1), output zero point 0. A padded tap reads 10 (value 0), so every output is the sum of
    /// the image's (x - 10): (11 + 12 + 13 + 14) - 40 = 10, for every pixel (each window covers the
    /// whole image); the two-channel convolution sums both channels: 10 + 10 = 20.
    @Test func paddedTapsAddTheZeroPointTimesTheWeight() throws {
        for groups in [1, 2] {
            let spec = ModelSpec(name: "pad", layers: [
                Input("x", shape: [1, 2, 2, 2], layout: .nhwc, .uint8(scale: 0.5, zeroPoint: 10)).layerSpec,
                Conv2d("conv", outChannels: 2, kernel: 3, padding: 1, groups: groups,
                       weight: .int8(.values(Array(repeating: 1, count: 2 * 9 * (2 / groups))), scales: [1, 1], zeroPoints: [0, 0]),
                       output: .uint8(scale: 0.5, zeroPoint: 0)).layerSpec,
            ], location: SourceLocation(file: "model.swift", line: 1))
            let result = try Pipeline.compile(spec, options: CompileOptions())
            // NHWC pixels (y, x) = (0,0), (0,1), (1,0), (1,1), channels interleaved.
            let x: [Int32] = [11, 11, 12, 12, 13, 13, 14, 14]
            let expected: [Int32] = Array(repeating: groups == 1 ? 20 : 10, count: 8)
            #expect(try Verifier.compile(result.output, model: result.lowered).run(x) == expected)
            #expect(IntegerReference.run(result.lowered, input: x) == expected)
        }
    }

    /// In-place execution: chains of NHWC convolutions whose outputs are written over their dying
    /// inputs (InPlace's shifts), the last layer's whole output (the model output; the others live in
    /// the arena) compared with the reference. The arena must come out below the no-in-place lower
    /// bound, so the shifts are used.
    @Test(arguments: [(1, 1), (2, 2), (1, 0)])
    func inPlaceChainsMatchTheReference(stride: Int, padding: Int) throws {
        let result = try Pipeline.compile(Self.inPlaceChain(stride: stride, padding: padding), options: CompileOptions(fileStem: "net"))
        let m = result.lowered
        #expect(m.arenaSize < m.arenaLowerBound, "arena \(m.arenaSize), lower bound \(m.arenaLowerBound)")
        // A byte read after it was overwritten changes that layer's output and so the model's.
        let report = try Verifier.verify(result, inputs: 6, seed: 9)
        #expect(report.mismatches == 0 && report.elements > 0, "\(report.mismatches) of \(report.elements)")
        // The same with the x86 AVX2 paths (the depthwise layers and the one-block matrix products in place).
        if HostCC.hasAVX2 {
            #expect(result.output.source.contains("_mm256_madd_epi16"))
            let compared = try HostCC.compareWithTheReference(result, flags: ["-mavx2"], count: 6, seed: 9)
            #expect(compared.differing == 0 && compared.elements > 0, "-mavx2: \(compared.differing) of \(compared.elements) differ")
        }
    }

    static func inPlaceChain(stride: Int, padding: Int) -> ModelSpec {
        var rng = SeededGenerator(seed: UInt64(40 + stride * 3 + padding))
        func weights(_ count: Int) -> TensorData { .values((0..<count).map { _ in Double(Int.random(in: -127...127, using: &rng)) }) }
        func scales(_ count: Int) -> [Double] { (0..<count).map { _ in Double.random(in: 0.002...0.004, using: &rng) } }
        let q = QuantParams.int8(scale: 0.08, zeroPoint: -3)
        return ModelSpec(name: "chain", layers: [
            Input("x", shape: [1, 9, 11, 4], layout: .nhwc, .int8(scale: 0.05, zeroPoint: 1)).layerSpec,
            Conv2d("stem", outChannels: 8, kernel: 3, padding: 1, weight: .int8(weights(288), scales: scales(8), zeroPoints: Array(repeating: 0, count: 8)),
                   output: q, activation: .relu).layerSpec,
            // Expands 8 -> 24 channels: a 1x1 kernel in place, its input ending at its output's end.
            Conv2d("expand", outChannels: 24, kernel: 1, weight: .int8(weights(192), scales: scales(24), zeroPoints: Array(repeating: 0, count: 24)),
                   output: q, activation: .relu6).layerSpec,
            // Depthwise 3x3: in place one row and a pixel ahead (stride 1), or behind (stride 2).
            Conv2d("dw", outChannels: 24, kernel: 3, stride: stride, padding: padding, groups: 24,
                   weight: .int8(weights(216), scales: scales(24), zeroPoints: Array(repeating: 0, count: 24)), output: q).layerSpec,
            Conv2d("dw2", outChannels: 24, kernel: 3, padding: 1, groups: 24,
                   weight: .int8(weights(216), scales: scales(24), zeroPoints: Array(repeating: 0, count: 24)), output: q).layerSpec,
            // Projects 24 -> 6 channels, then a 3x3 convolution (gathered window, reading a row ahead)
            // expanding to 10, then a 1x1 one to the model output.
            Conv2d("project", outChannels: 6, kernel: 1, weight: .int8(weights(144), scales: scales(6), zeroPoints: Array(repeating: 0, count: 6)),
                   output: q).layerSpec,
            Conv2d("conv", outChannels: 10, kernel: 3, padding: 1, weight: .int8(weights(540), scales: scales(10), zeroPoints: Array(repeating: 0, count: 10)),
                   output: q).layerSpec,
            Conv2d("head", outChannels: 5, kernel: 1, weight: .int8(weights(50), scales: scales(5), zeroPoints: Array(repeating: 0, count: 5)),
                   output: q).layerSpec,
        ], location: SourceLocation(file: "model.swift", line: 1))
    }
}

