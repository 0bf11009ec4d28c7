import Foundation
import Testing
import QGen
import QGenArithmetic
import QGenCompiler
import QGenJIT

/// liteRT's FULLY_CONNECTED output stage in the emitted C (helpers_double_scale: an integer-only
/// emulation of `round(double(acc) · m)`) against the host's IEEE double arithmetic (Swift `Double`),
/// on seeded values that reach every branch: products of 54 to 84 bits (the double multiply rounds),
/// exact ties of that rounding (which go to even), exact ties of the final rounding (which go away
/// from zero), products a hair below a half-integer that the double multiply rounds onto it, and
/// multipliers from 2^-60 up to where the result leaves int32.
@Suite struct DoubleEmulationTests {
    typealias Probe = @convention(c) (Int32, Int64, Int32) -> Int32

    @Test func scaleMatchesIEEEDouble() throws {
        let spec = ModelSpec(name: "probe", layers: [
            Input("x", shape: [1, 2], .int8(scale: 0.1, zeroPoint: 0)).layerSpec,
            Linear("fc", outFeatures: 1, weight: .int8([1, 1], scale: 0.1), output: .int8(scale: 0.1, zeroPoint: 0)).layerSpec,
        ], requantization: .liteRT, location: SourceLocation(file: "probe.swift", line: 1))
        let result = try Pipeline.compile(spec, options: CompileOptions())
        #expect(result.output.source.contains("qgen_requantize_double("))
        let source = result.output.source + """

            int32_t probe_scale(int32_t acc, int64_t mantissa, int32_t exponent);
            int32_t probe_scale(int32_t acc, int64_t mantissa, int32_t exponent)
            {
                return qgen_scale_double(acc, mantissa, exponent);
            }

            """
        let module = try TCCModule(source: source, fileName: result.output.sourceName, headers: [result.output.headerName: result.output.header])
        let probe = try #require(module.function("probe_scale", as: Probe.self))

        var rng = SeededGenerator(seed: 20261201)
        var checked = 0, multiplyTies = 0, nudgedOntoHalf = 0, finalTies = 0
        func check(_ acc: Int32, _ m: Double) {
            let exact = Double(acc) * m
            guard exact.isFinite, abs(exact) < 0x1p31 - 1 else { return }
            let expected = DoubleRequantization.scale(acc, multiplier: m)
            let parts = Float64Parts(m)
            let got = probe(acc, parts.mantissa, parts.exponent)
            if Int64(got) != expected {
                Issue.record("acc \(acc), m \(m) (\(parts.mantissa) * 2^\(parts.exponent)): C \(got), IEEE double \(expected)")
            }
            checked += 1
        }
        for i in 0..<300_000 {
            let acc: Int32
            switch i % 4 {
            case 0: acc = Int32.random(in: -3000...3000, using: &rng)
            case 1: acc = Int32.random(in: -(1 << 30)...(1 << 30), using: &rng)
            case 2: acc = Int32.random(in: Int32.min...Int32.max, using: &rng)
            default: acc = Int32.random(in: -300_000...300_000, using: &rng)
            }
            let m = Double(sign: .plus, exponent: -Int.random(in: 1...60, using: &rng), significand: Double.random(in: 1..<2, using: &rng))
            check(acc, m)
        }
        // Exact ties of the final rounding: m a power of two, acc odd.
        for _ in 0..<20_000 {
            let acc = Int32.random(in: -1_000_000...1_000_000, using: &rng) | 1
            let m = Double(sign: .plus, exponent: -Int.random(in: 1...10, using: &rng), significand: 1)
            if (Double(acc) * m).truncatingRemainder(dividingBy: 1).magnitude == 0.5 { finalTies += 1 }
            check(acc, m)
        }
        // The double multiply rounds the exact product onto a half-integer (or past it): choose
        // acc and a 53-bit mantissa so that acc · M lands within an ulp of (k + 1/2) · 2^e.
        for _ in 0..<40_000 {
            let acc = Int32.random(in: 3...(1 << 30), using: &rng) | 1
            let k = Int64.random(in: 0...100_000, using: &rng)
            let e = Int.random(in: 0...20, using: &rng)
            // target = (2k + 1) · 2^(e − 1) / acc as the nearest double to a multiplier.
            let target = Double(2 * k + 1) * Double(sign: .plus, exponent: e - 1, significand: 1) / Double(acc)
            guard target.isNormal else { continue }
            for step in -2...2 {
                var m = target
                for _ in 0..<abs(step) { m = step < 0 ? m.nextDown : m.nextUp }
                let product = Double(acc) * m
                let exactlyHalf = (product * 2).rounded() == product * 2 && (product * 2).truncatingRemainder(dividingBy: 2) != 0
                if exactlyHalf {
                    // Is the exact product (acc · M, an integer times 2^exponent) itself a tie?
                    let p = Float64Parts(m)
                    let wide = Int128(acc) * Int128(p.mantissa)
                    let shift = -Int(p.exponent) - 1      // the half-integer's weight is 2^-1
                    let isExactTie = shift >= 0 && shift < 120 && wide & ((Int128(1) << Int128(shift + 1)) - 1) == Int128(1) << Int128(shift)
                    if isExactTie { multiplyTies += 1 } else { nudgedOntoHalf += 1 }
                }
                check(Bool.random(using: &rng) ? acc : -acc, m)
            }
        }
        print("double emulation: \(checked) products checked, \(finalTies) exact final ties, \(multiplyTies) exact half-integer products, \(nudgedOntoHalf) products the double multiply rounds onto a half-integer")
        #expect(checked > 350_000)
        #expect(nudgedOntoHalf > 0)
    }
}
