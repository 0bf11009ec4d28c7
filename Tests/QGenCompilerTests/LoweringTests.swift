import Foundation
import Testing
import QGen
import QGenArithmetic
import QGenCompiler

@Suite struct LoweringTests {
    /// Walks every stored value reachable from `value` and collects the paths of floating-point ones.
    private func floatingPointPaths(_ value: Any, path: String = "model", into found: inout [String]) {
        switch value {
        case is Float, is Double, is Float16:
            found.append(path)
            return
        default: break
        }
        for child in Mirror(reflecting: value).children {
            floatingPointPaths(child.value, path: path + "." + (child.label ?? "[]"), into: &found)
        }
    }

    @Test func noFloatOrDoubleIsReachableInALoweredModel() throws {
        // A model using every feature that carries real values: float and int8 weights, float and
        // int32 bias, per-tensor and per-channel, clamp activation with real bounds.
        let s = spec([
            input4x4.layerSpec,
            Conv2d("c1", outChannels: 4, kernel: 3, padding: 1, weight: .float(.values((0..<72).map { Double($0) / 100 - 0.3 }), .perChannel(.affine)),
                   bias: .float([0.1, 0.2, -0.3, 0]), output: .int8(scale: 0.07, zeroPoint: -5), activation: .clamp(min: -1.5, max: 2.5)).layerSpec,
            Flatten("flat").layerSpec,
            Linear("l1", outFeatures: 3, weight: .int8(.values((0..<192).map { Double($0 % 9) - 4 }), scales: [0.01, 0.02, 0.03], zeroPoints: [1, 0, -1]),
                   bias: .int32([100, -200, 300]), output: .uint8(scale: 0.2, zeroPoint: 100), activation: .relu6).layerSpec,
        ])
        let lowered = try Pipeline.compile(s, options: CompileOptions()).lowered
        var found: [String] = []
        floatingPointPaths(lowered, into: &found)
        #expect(found.isEmpty, "floating-point values in the lowered model: \(found)")
        // The walk does see nested integers (it is not vacuous).
        var all: [String] = []
        func count(_ v: Any) { for c in Mirror(reflecting: v).children { all.append(c.label ?? ""); count(c.value) } }
        count(lowered)
        #expect(all.contains("mantissa") && all.contains("activationMin") && all.contains("foldedBias"))
        // And it would catch a Double: a resolved model has them.
        var inResolved: [String] = []
        floatingPointPaths(try Pipeline.compile(s, options: CompileOptions()).resolved, into: &inResolved)
        #expect(!inResolved.isEmpty)
    }

    @Test func handComputedLinearLowering() throws {
        // x: uint8 scale 0.5 zp 2; weights int8 [[1, -2], [3, 4]] scale 0.25; bias real [1.0, -0.5];
        // output uint8 scale 0.125 zp 10.
        let s = spec([
            Input("x", shape: [1, 2], .uint8(scale: 0.5, zeroPoint: 2)).layerSpec,
            Linear("fc", outFeatures: 2, weight: .int8([1, -2, 3, 4], scale: 0.25), bias: .float([1.0, -0.5]),
                   output: .uint8(scale: 0.125, zeroPoint: 10), activation: .relu).layerSpec,
        ])
        let layer = try Pipeline.compile(s, options: CompileOptions()).lowered.nodes[0].mac!
        // Bias in units of s_in·s_w = 0.125: 1.0 → 8, −0.5 → −4.
        #expect(layer.bias == [8, -4])
        // Folded: 8 − 2·(1 − 2) = 10; −4 − 2·(3 + 4) = −18.
        #expect(layer.foldedBias == [10, -18])
        // m = 0.5 · 0.25 / 0.125 = 1.0 = 2^30 · 2^(1 − 31).
        #expect(layer.requantizer.multipliers == [QuantizedMultiplier(mantissa: 1 << 30, shift: 1)])
        // ReLU: clamp from the output zero point.
        #expect(layer.requantizer.activationMin == 10 && layer.requantizer.activationMax == 255)
        // Bound: max over channels of |b| + 253·Σ|w| (reference: max deviation 253 from zp 2) and
        // |folded| + 255·Σ|w| (kernel): channel 1: 4 + 253·7 = 1775, 18 + 255·7 = 1803.
        #expect(layer.accumulatorBound == 1803)
    }

    /// The accelerator schemes' multipliers, by hand. m = 1 · 0.75 / 1 = 0.75 = 0.75 · 2^0 exactly.
    @Test func acceleratorMultipliersByHand() throws {
        func multipliers(_ weightScale: Double, _ scheme: Requantization) throws -> [QuantizedMultiplier] {
            let s = spec([Input("x", shape: [1, 2], .uint8(scale: 1, zeroPoint: 0)).layerSpec,
                          Linear("fc", outFeatures: 1, weight: .int8([1, -1], scale: weightScale), output: .uint8(scale: 1, zeroPoint: 0)).layerSpec],
                         requantization: scheme)
            return try Pipeline.compile(s, options: CompileOptions()).lowered.nodes[0].mac!.requantizer.multipliers
        }
        // 8 bits: M = round(0.75 · 2^7) = 96, n = 7, stored as shift 31 − 7 = 24.
        #expect(try multipliers(0.75, .fixedPoint(multiplierBits: 8, rounding: .halfEven)) == [QuantizedMultiplier(mantissa: 96, shift: 24)])
        // 32 bits: M = 0.75 · 2^31 = 1610612736, n = 31: TFLite's QuantizeMultiplier(0.75) too.
        #expect(try multipliers(0.75, .fixedPoint(multiplierBits: 32, rounding: .halfUp)) == [QuantizedMultiplier(mantissa: 1610612736, shift: 0)])
        // float32(0.1) = 0.800000011920929 · 2^-3: M = round(0.800000011920929 · 2^15) = round(26214.4004) = 26214, n = 18.
        #expect(try multipliers(0.1, .fixedPoint(multiplierBits: 16, rounding: .halfEven)) == [QuantizedMultiplier(mantissa: 26214, shift: 13)])
        // 0.75 is 1/3 from both 2^-1 and 2^0; the lower one is taken: M = 1, n = 1.
        #expect(try multipliers(0.75, .powerOfTwo(rounding: .halfUp, tolerance: 0.5)) == [QuantizedMultiplier(mantissa: 1, shift: 30)])
        // 0.1 is nearest to 2^-3 (25% off) rather than 2^-4 (37.5%): M = 1, n = 3.
        #expect(try multipliers(0.1, .powerOfTwo(rounding: .halfUp, tolerance: 0.5)) == [QuantizedMultiplier(mantissa: 1, shift: 28)])
    }

    /// The float32 schemes' constants, by hand: s_in 0.5, s_w 0.25, s_out 0.125 (all exact in
    /// float32), bias 1.0: m = 1.0 = 2^23 · 2^-23; the bias is 1.0 / 0.125 = 8 accumulator units.
    @Test func float32SchemeConstantsByHand() throws {
        func layer(_ scheme: Requantization) throws -> LoweredMAC {
            let s = spec([Input("x", shape: [1, 2], .uint8(scale: 0.5, zeroPoint: 0)).layerSpec,
                          Linear("fc", outFeatures: 1, weight: .int8([1, -1], scale: 0.25), bias: .float([1.0]),
                                 output: .uint8(scale: 0.125, zeroPoint: 0)).layerSpec], requantization: scheme)
            return try Pipeline.compile(s, options: CompileOptions()).lowered.nodes[0].mac!
        }
        let one = Float32Parts(mantissa: 1 << 23, exponent: -23)
        let fbgemm = try layer(.fbgemm)
        #expect(fbgemm.requantizer.floatMultipliers == [one] && fbgemm.requantizer.multipliers.isEmpty)
        #expect(fbgemm.bias == [0] && fbgemm.requantizer.floatBiasTerms == [Float32Parts(mantissa: 1 << 23, exponent: -20)])   // 8.0, kept as float
        for scheme in [Requantization.qnnpack, .onnxRuntime] {
            let l = try layer(scheme)
            #expect(l.requantizer.floatMultipliers == [one] && l.bias == [8] && l.requantizer.floatBiasTerms.isEmpty, "\(scheme.name)")
        }
    }

    @Test func clampBoundsFollowTFLite() throws {
        // relu6 with scale 0.05, zp 3: hi = 3 + round(6 / 0.05) = 123. clamp(−0.26, 0.33) with scale
        // 0.1, zp 0 (int8): lo = round(−2.6) = −3, hi = round(3.3) = 3.
        let relu6 = try Pipeline.compile(spec([input10.layerSpec, linear(output: .uint8(scale: 0.05, zeroPoint: 3), activation: .relu6).layerSpec]), options: CompileOptions())
        #expect(relu6.lowered.nodes[0].mac!.requantizer.activationMin == 3 && relu6.lowered.nodes[0].mac!.requantizer.activationMax == 123)
        let clamp = try Pipeline.compile(spec([input10.layerSpec, linear(output: .int8(scale: 0.1, zeroPoint: 0), activation: .clamp(min: -0.26, max: 0.33)).layerSpec]), options: CompileOptions())
        #expect(clamp.lowered.nodes[0].mac!.requantizer.activationMin == -3 && clamp.lowered.nodes[0].mac!.requantizer.activationMax == 3)
    }

    @Test func weightQuantizationRules() throws {
        func lowered(_ rule: WeightQuantization, _ w: [Double]) throws -> LoweredMAC {
            try Pipeline.compile(spec([Input("x", shape: [1, 2], .int8(scale: 1, zeroPoint: 0)).layerSpec,
                                       Linear("fc", outFeatures: 2, weight: .float(.values(w), rule), output: .int8(scale: 1, zeroPoint: 0)).layerSpec]),
                                 options: CompileOptions()).lowered.nodes[0].mac!
        }
        let w = [1.0, -0.5, 0.25, 2.0]
        // Per-channel symmetric full: scales 1/127.5 and 2/127.5; q = round_half_even(w / s):
        // 127.5 → 128 → clamped 127; −63.75 → −64; 15.9375 → 16; 127.5 → 128 → 127.
        #expect(try lowered(.perChannel(.symmetric), w).weights == [127, -64, 16, 127])
        // Narrow: scales 1/127 and 2/127: 127, −63.5 → −64 (half away), 15.875 → 16, 127.
        #expect(try lowered(.perChannel(.symmetric, range: .narrow), w).weights == [127, -64, 16, 127])
        // Per-tensor affine full: lo −0.5, hi 2, scale 2.5/255; zp = −128 − round(−0.5/s) = −128 + 51 = −77;
        // q = round(w/s) + zp: 102 − 77 = 25, −51 − 77 = −128, 25.5 → 26 − 77 = −51, 204 − 77 = 127.
        let affine = try lowered(.perTensor(.affine), w)
        #expect(affine.weights == [25, -128, -51, 127])
        #expect(affine.weightZeroPoints == [-77])
        // All-zero weights get the float32-epsilon scale (PyTorch) and quantize to 0.
        #expect(try lowered(.perTensor(.symmetric), [0, 0, 0, 0]).weights == [0, 0, 0, 0])
    }

    @Test func arenaPlanReusesMemoryOfEndedTensors() {
        // A chain of four tensors of sizes 100, 30, 80, 10: tensor i lives over steps [i, i + 1].
        let requests = [(100, 0), (30, 1), (80, 2), (10, 3)].map { ArenaPlan.Request(size: $0.0, firstStep: $0.1, lastStep: $0.1 + 1) }
        let plan = ArenaPlan.plan(requests)
        // Largest first: 100 at 0; 80 (steps 2–3) overlaps 30 (1–2) only; 30 overlaps 100 and 80.
        // 100 → 0; 80 → 0 (no overlap with 100); 30 → must avoid [0,100) and [0,80): 100; 10 → avoid 80: 80.
        #expect(plan.placements.map(\.offset) == [0, 100, 0, 80])
        #expect(plan.size == 130)
        #expect(ArenaPlan.plan([]).size == 0)
    }

    @Test func tinyCnnArenaIsTheLargestPairOfNeighbours() throws {
        let spec = try ExampleModels.load("tiny_cnn")
        let result = try Pipeline.compile(spec.spec, options: spec.options)
        // conv1 writes 8·28·28 = 6272 bytes, conv2 16·14·14 = 3136; both are live while conv2 runs.
        #expect(result.lowered.arenaSize == 6272 + 3136)
    }
}
