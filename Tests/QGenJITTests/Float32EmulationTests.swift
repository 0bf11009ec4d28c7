import Foundation
import Testing
import QGen
import QGenArithmetic
@testable import QGenCompiler
import QGenJIT

/// The emitted C's integer-only binary32 emulation (helpers_float32) against the host's IEEE float
/// arithmetic (Swift `Float`, no FMA), on seeded values that reach every branch: accumulators beyond
/// 2^24 (the int→float conversion rounds), exact ties of the final rounding, bias terms far below
/// and far above the accumulator, cancellation, zero.
@Suite struct Float32EmulationTests {
    typealias Probe = @convention(c) (Int32, Int32, Int32, Int32, Int32) -> Int32

    @Test func requantizeMatchesIEEEFloat() throws {
        // Any fbgemm model brings the helpers with the float bias; a probe calls them directly.
        let spec = ModelSpec(name: "probe", layers: [
            Input("x", shape: [1, 2], .uint8(scale: 0.1, zeroPoint: 0)).layerSpec,
            Linear("fc", outFeatures: 1, weight: .int8([1, 1], scale: 0.1), bias: .float([0.5]), output: .uint8(scale: 0.1, zeroPoint: 0)).layerSpec,
        ], requantization: .fbgemm, location: SourceLocation(file: "probe.swift", line: 1))
        let result = try Pipeline.compile(spec, options: CompileOptions())
        let source = result.output.source + """

            int32_t probe_requantize(int32_t acc, int32_t sm, int32_t se, int32_t bm, int32_t be);
            int32_t probe_requantize(int32_t acc, int32_t sm, int32_t se, int32_t bm, int32_t be)
            {
                return qgen_requantize(acc, sm, se, bm, be, 0, -2147483647 - 1, 2147483647);
            }

            """
        let module = try TCCModule(source: source, fileName: result.output.sourceName, headers: [result.output.headerName: result.output.header])
        let probe = try #require(module.function("probe_requantize", as: Probe.self))

        var rng = SeededGenerator(seed: 20261122)
        var checked = 0, ties = 0, wide = 0, doubleRounded = 0
        for i in 0..<300_000 {
            var acc: Int32
            switch i % 4 {
            case 0: acc = Int32.random(in: -2000...2000, using: &rng)
            case 1: acc = Int32.random(in: -(1 << 30)...(1 << 30), using: &rng)
            case 2: acc = Int32.random(in: (1 << 24)...(1 << 26), using: &rng) * (Bool.random(using: &rng) ? 1 : -1)
            default: acc = Int32.random(in: -100_000...100_000, using: &rng)
            }
            var multiplier: Float
            var bias: Float
            if i % 13 == 0 {
                // Double rounding: a sum within half an ulp of 2^k * (j + 1/2) (a product near 2^15, the
                // largest value the one-shift path takes, with a bias of 2^(k+1) or more, so that the exact
                // sum fits that path's 38 bits), so that rounding the sum to binary32 lands on the integer
                // rounding's tie, which then goes to even where the exact value would not.
                let shift = Int.random(in: 1...8, using: &rng)
                let tie = (Int64.random(in: (1 << 14)..<(1 << 15), using: &rng) << shift) + (1 << (shift - 1))
                let integer = Int64.random(in: (1 << (shift + 1))..<(1 << (shift + 2)), using: &rng)
                let nudge = Float(Int.random(in: 1...127, using: &rng)) * Float(sign: .plus, exponent: shift - 16, significand: 1)
                acc = Int32(tie - integer)
                bias = Float(integer) + (Bool.random(using: &rng) ? nudge : -nudge)
                multiplier = Float(sign: .plus, exponent: -shift, significand: 1)
            } else if i % 5 == 0 {
                // Power-of-two multipliers and integer or half-integer biases: exact ties.
                multiplier = Float(sign: .plus, exponent: -Int.random(in: 1...12, using: &rng), significand: 1)
                bias = Float(Int.random(in: -50...50, using: &rng)) / 2
            } else {
                multiplier = Float(sign: .plus, exponent: -Int.random(in: 2...40, using: &rng), significand: Float.random(in: 1..<2, using: &rng))
                let magnitude = Float(sign: .plus, exponent: Int.random(in: -60...28, using: &rng), significand: Float.random(in: 1..<2, using: &rng))
                bias = i % 7 == 0 ? -Float(acc) + Float.random(in: -2...2, using: &rng) : (Bool.random(using: &rng) ? magnitude : -magnitude)
                if i % 11 == 0 { bias = 0 }
            }
            // Keep |v| below 2^30, as the lowering proves for real models.
            let v = (Float(acc) + bias) * multiplier
            guard v.isFinite, abs(v) < 0x1p30 else { continue }
            let expected = Float32Requantization.scale(acc, multiplier: multiplier, biasTerm: bias)
            let m = Float32Parts(multiplier), b = Float32Parts(bias)
            let got = probe(acc, m.mantissa, m.exponent, b.mantissa, b.exponent)
            if Int64(got) != expected {
                Issue.record("acc \(acc), bias \(bias), multiplier \(multiplier): C \(got), IEEE \(expected)")
                return
            }
            if v.rounded(.down) + 0.5 == v { ties += 1 }
            if abs(acc) > 1 << 24 { wide += 1 }
            // The exact value rounds one way, the binary32 sum's tie the other.
            let exact: Double = (Double(acc) + Double(bias)) * Double(multiplier)
            if Int64(exact.rounded(.toNearestOrEven)) != expected { doubleRounded += 1 }
            checked += 1
        }
        print("float32 emulation: \(checked) values equal to IEEE float (\(ties) exact ties, \(wide) accumulators beyond 2^24, \(doubleRounded) where rounding once would differ)")
        #expect(checked > 200_000 && ties > 1000 && wide > 50_000 && doubleRounded > 1000)
    }

    typealias ProbeWithoutBias = @convention(c) (Int32, Int32, Int32) -> Int32

    /// The output stage without a float bias (qnnpack, onnxRuntime: (float)acc * scale), whose
    /// roundings are the branch-free shifts alone: every accumulator width (below and beyond 2^24,
    /// the edges 2^24 - 1, 2^24, 2^24 + 1 and -2^31 + 1), power-of-two scales (exact ties) and
    /// scales that push the result below 0.5 or up to 2^30.
    @Test func requantizeWithoutFloatBiasMatchesIEEEFloat() throws {
        let spec = ModelSpec(name: "probe", layers: [
            Input("x", shape: [1, 2], .uint8(scale: 0.1, zeroPoint: 0)).layerSpec,
            Linear("fc", outFeatures: 1, weight: .int8([1, 1], scale: 0.1), output: .uint8(scale: 0.1, zeroPoint: 0)).layerSpec,
        ], requantization: .qnnpack, location: SourceLocation(file: "probe.swift", line: 1))
        let result = try Pipeline.compile(spec, options: CompileOptions())
        let source = result.output.source + """

            int32_t probe_requantize(int32_t acc, int32_t sm, int32_t se);
            int32_t probe_requantize(int32_t acc, int32_t sm, int32_t se)
            {
                return qgen_requantize(acc, sm, se, 0, -2147483647 - 1, 2147483647);
            }

            """
        let module = try TCCModule(source: source, fileName: result.output.sourceName, headers: [result.output.headerName: result.output.header])
        let probe = try #require(module.function("probe_requantize", as: ProbeWithoutBias.self))
        var rng = SeededGenerator(seed: 20261202)
        var checked = 0, ties = 0
        for i in 0..<300_000 {
            var acc: Int32
            switch i % 5 {
            case 0: acc = Int32.random(in: -2000...2000, using: &rng)
            case 1: acc = Int32.random(in: -(1 << 30)...(1 << 30), using: &rng)
            case 2: acc = [(1 << 24) - 1, 1 << 24, (1 << 24) + 1, (1 << 25) + 3, Int32.max][Int.random(in: 0..<5, using: &rng)]
            default: acc = Int32.random(in: -100_000...100_000, using: &rng)
            }
            if Bool.random(using: &rng) { acc = -acc }
            let multiplier = i % 4 == 0
                ? Float(sign: .plus, exponent: -Int.random(in: 1...30, using: &rng), significand: 1)
                : Float(sign: .plus, exponent: -Int.random(in: 0...45, using: &rng), significand: Float.random(in: 1..<2, using: &rng))
            let v = Float(acc) * multiplier
            guard abs(v) < 0x1p30 else { continue }
            let expected = Float32Requantization.scale(acc, multiplier: multiplier, biasTerm: 0)
            let m = Float32Parts(multiplier)
            let got = probe(acc, m.mantissa, m.exponent)
            if Int64(got) != expected {
                Issue.record("acc \(acc), multiplier \(multiplier): C \(got), IEEE \(expected)")
                return
            }
            if v.rounded(.down) + 0.5 == v { ties += 1 }
            checked += 1
        }
        print("float32 emulation without a float bias: \(checked) values equal to IEEE float (\(ties) exact ties)")
        #expect(checked > 200_000 && ties > 1000)
    }

    typealias Divide = @convention(c) (Int64, Int32, Int64, Int32, UnsafeMutablePointer<Int32>) -> Int64

    /// qgen_float32_div (helpers_float32_div, which ONNX Runtime's average pooling brings) against
    /// IEEE binary32 division: random operands, quotients that are exact, ties of the rounding
    /// (b a power of two: exact; odd multiples of half an ulp cannot arise otherwise), negative
    /// dividends and zero.
    @Test func divisionMatchesIEEEFloat() throws {
        let spec = ModelSpec(name: "probe", layers: [
            Input("x", shape: [1, 1, 2, 2], .uint8(scale: 0.1, zeroPoint: 0)).layerSpec,
            AvgPool2d("p", kernel: 2, output: .uint8(scale: 0.3, zeroPoint: 1)).layerSpec,
        ], requantization: .onnxRuntime, location: SourceLocation(file: "probe.swift", line: 1))
        let result = try Pipeline.compile(spec, options: CompileOptions())
        #expect(result.output.source.contains("static int64_t qgen_float32_div("))
        let source = result.output.source + """

            int64_t probe_div(int64_t am, int32_t ae, int64_t bm, int32_t be, int32_t *e);
            int64_t probe_div(int64_t am, int32_t ae, int64_t bm, int32_t be, int32_t *e)
            {
                return qgen_float32_div(am, ae, bm, be, e);
            }

            """
        let module = try TCCModule(source: source, fileName: result.output.sourceName, headers: [result.output.headerName: result.output.header])
        let divide = try #require(module.function("probe_div", as: Divide.self))
        var rng = SeededGenerator(seed: 20261201)
        var checked = 0, exact = 0
        for i in 0..<200_000 {
            var a = Float(sign: Bool.random(using: &rng) ? .minus : .plus, exponent: Int.random(in: -30...30, using: &rng),
                          significand: Float.random(in: 1..<2, using: &rng))
            var b = Float(sign: .plus, exponent: Int.random(in: -30...30, using: &rng), significand: Float.random(in: 1..<2, using: &rng))
            switch i % 5 {
            case 0: b = Float(Int.random(in: 1...4096, using: &rng))                       // a window's count
            case 1: a = Float(Int.random(in: -100_000...100_000, using: &rng)); b = Float(sign: .plus, exponent: Int.random(in: -8...8, using: &rng), significand: 1)
            case 2: a = b * Float(Int.random(in: -300...300, using: &rng))                  // exact quotients, and zero
            default: break
            }
            let q = a / b
            guard q.isNormal || q == 0, a.isNormal || a == 0 else { continue }
            let pa = Float32Parts(a), pb = Float32Parts(b), expected = Float32Parts(q)
            var e: Int32 = 0
            let m = divide(Int64(pa.mantissa), pa.exponent, Int64(pb.mantissa), pb.exponent, &e)
            if m != Int64(expected.mantissa) || (m != 0 && e != expected.exponent) {
                Issue.record("\(a) / \(b): C \(m) * 2^\(e), IEEE \(q) = \(expected.mantissa) * 2^\(expected.exponent)")
                return
            }
            if Double(q) * Double(b) == Double(a) { exact += 1 }   // a product of two floats is exact in double
            checked += 1
        }
        print("float32 division emulation: \(checked) quotients equal to IEEE float (\(exact) exact)")
        #expect(checked > 150_000 && exact > 30_000)
    }

    typealias FusedMultiplyAdd = @convention(c) (Int64, Int32, Int64, Int32, Int64, Int32, UnsafeMutablePointer<Int32>) -> Int64
    typealias Exponential = @convention(c) (Int64, Int32, UnsafeMutablePointer<Int32>) -> Int64

    /// The C of a PyTorch float-path softmax, which brings helpers_float32_fma and helpers_float32_exp,
    /// with probes that call them.
    private func softmaxHelpers() throws -> TCCModule {
        let spec = ModelSpec(name: "probe", layers: [
            Input("x", shape: [1, 4], .uint8(scale: 0.1, zeroPoint: 0)).layerSpec,
            Softmax("s", output: .uint8(scale: 1.0 / 255, zeroPoint: 0)).layerSpec,
        ], requantization: .fbgemm, location: SourceLocation(file: "probe.swift", line: 1))
        let result = try Pipeline.compile(spec, options: CompileOptions())
        let source = result.output.source + """

            int64_t probe_fma(int64_t am, int32_t ae, int64_t bm, int32_t be, int64_t cm, int32_t ce, int32_t *e);
            int64_t probe_fma(int64_t am, int32_t ae, int64_t bm, int32_t be, int64_t cm, int32_t ce, int32_t *e)
            {
                return qgen_float32_fma(am, ae, bm, be, cm, ce, e);
            }
            int64_t probe_exp(int64_t m, int32_t e, int32_t *exponent);
            int64_t probe_exp(int64_t m, int32_t e, int32_t *exponent)
            {
                return qgen_float32_sleef_exp(m, e, exponent);
            }

            """
        return try TCCModule(source: source, fileName: result.output.sourceName, headers: [result.output.headerName: result.output.header])
    }

    /// qgen_float32_fma against IEEE binary32's fused multiply-add (Swift's `addingProduct`): random
    /// operands, addends far below and far above the product, cancellation to a few bits, integer
    /// multiplicands (ONNX Runtime's add), zeros.
    @Test func fusedMultiplyAddMatchesIEEEFloat() throws {
        let module = try softmaxHelpers()
        let fma = try #require(module.function("probe_fma", as: FusedMultiplyAdd.self))
        var rng = SeededGenerator(seed: 20261212)
        func random(_ exponents: ClosedRange<Int>) -> Float {
            Float(sign: Bool.random(using: &rng) ? .minus : .plus, exponent: Int.random(in: exponents, using: &rng),
                  significand: Float.random(in: 1..<2, using: &rng))
        }
        var checked = 0, cancelled = 0, apart = 0
        for i in 0..<300_000 {
            var a = random(-40...40), b = random(-40...40), c = random(-90...90)
            switch i % 6 {
            case 0: a = Float(Int.random(in: -255...255, using: &rng))             // an integer code
            case 1: c = -(a * b).nextUp                                              // cancellation
            case 2: c = (a * b) * Float(sign: .plus, exponent: Int.random(in: -60 ... -20, using: &rng), significand: 1)
            case 3: c = (a * b) * Float(sign: .plus, exponent: Int.random(in: 20...60, using: &rng), significand: 1.5)
            case 4: if i % 12 == 4 { c = 0 } else { b = 0 }
            default: break
            }
            let expected = c.addingProduct(a, b)
            guard a.isFinite, b.isFinite, c.isFinite, expected.isNormal || expected == 0,
                  (a * b).isNormal || a * b == 0, c.isNormal || c == 0 else { continue }
            let pa = Float32Parts(a), pb = Float32Parts(b), pc = Float32Parts(c), want = Float32Parts(expected)
            var e: Int32 = 0
            let m = fma(Int64(pa.mantissa), pa.exponent, Int64(pb.mantissa), pb.exponent, Int64(pc.mantissa), pc.exponent, &e)
            let got = m == 0 ? Float32Parts(mantissa: 0, exponent: 0) : Float32Parts(Float32Parts(mantissa: Int32(m), exponent: e).value)
            if got != want || (m != 0 && (m.magnitude < 1 << 23 || m.magnitude >= 1 << 24)) {
                Issue.record("fma(\(a), \(b), \(c)): C \(m) * 2^\(e), IEEE \(expected)")
                return
            }
            if expected != 0 && abs(expected) < abs(c) * 0x1p-10 { cancelled += 1 }
            if c != 0 && a * b != 0 && abs(log2(abs(c / (a * b)))) > 30 { apart += 1 }
            checked += 1
        }
        print("float32 fma emulation: \(checked) results equal to IEEE fma (\(cancelled) with cancellation, \(apart) with terms 2^30 apart)")
        #expect(checked > 250_000 && cancelled > 20_000 && apart > 50_000)
    }

    /// qgen_float32_sleef_exp against FloatExp.sleef (SLEEF's expf in Swift binary32, which PyTorch's
    /// softmax fixtures check) bit for bit over d in [-110, 0]: the normal range, the subnormal results
    /// (d below -87.3), the zeros below -104, d = 0 and tiny d.
    @Test func sleefExponentialMatchesTheBinary32Reference() throws {
        let module = try softmaxHelpers()
        let exponential = try #require(module.function("probe_exp", as: Exponential.self))
        var rng = SeededGenerator(seed: 20261213)
        var checked = 0, subnormal = 0, zero = 0
        for i in 0..<200_000 {
            var d: Float
            switch i % 4 {
            case 0: d = -Float.random(in: 85...110, using: &rng)
            case 1: d = -Float(sign: .plus, exponent: Int.random(in: -40...2, using: &rng), significand: Float.random(in: 1..<2, using: &rng))
            default: d = -Float.random(in: 0...90, using: &rng)
            }
            if i == 0 { d = 0 }
            if i == 1 { d = -104 }
            if i == 2 { d = (-104 as Float).nextDown }
            let expected = FloatExp.sleef(d)
            let p = Float32Parts(d)
            var e: Int32 = 0
            let m = exponential(Int64(p.mantissa), p.exponent, &e)
            let got: Float = m == 0 ? 0 : Float32Parts(mantissa: Int32(m), exponent: e).value
            if got.bitPattern != expected.bitPattern {
                Issue.record("exp(\(d)): C \(m) * 2^\(e) = \(got), SLEEF \(expected)")
                return
            }
            if expected.isSubnormal { subnormal += 1 }
            if expected == 0 { zero += 1 }
            checked += 1
        }
        print("SLEEF expf emulation: \(checked) values equal (\(subnormal) subnormal, \(zero) zero)")
        #expect(checked == 200_000 && subnormal > 10_000 && zero > 10_000)
    }
}
