import Testing
import QGenArithmetic

@Suite struct RequantizationSchemeTests {
    /// TFLM's known pathology (requant.md §10.1 item 7): m = 0.25 (M = 2^30, shift −1),
    /// x = 1, 5, −2, −6 gives 1, 2, −1, −2 under double rounding and 0, 1, 0, −1 under single rounding.
    @Test func tflmQuarterMultiplierCases() {
        let quarter = QuantizedMultiplier(real: 0.25)
        #expect(quarter == QuantizedMultiplier(mantissa: 1 << 30, shift: -1))
        let xs: [Int32] = [1, 5, -2, -6]
        #expect(xs.map { RequantizationScheme.tflite.scale($0, by: quarter) } == [1, 2, -1, -2])
        #expect(xs.map { RequantizationScheme.singleRounding.scale($0, by: quarter) } == [0, 1, 0, -1])
    }

    @Test func exhaustiveInt16AccumulatorsAgainstOracle() {
        let multipliers: [QuantizedMultiplier] = [
            .init(mantissa: 1 << 30, shift: -1), .init(mantissa: 1 << 30, shift: -31), .init(mantissa: 1_717_986_918, shift: -3),
            .init(mantissa: Int32.max, shift: 0), .init(mantissa: 1 << 30, shift: 14), .init(mantissa: 1_395_864_371, shift: -7),
            .init(mantissa: 0, shift: 0), .init(mantissa: 1_073_741_825, shift: -20),
        ]
        for m in multipliers {
            for acc in Int32(Int16.min)...Int32(Int16.max) {
                let d = RequantizationScheme.tflite.scale(acc, by: m)
                let s = RequantizationScheme.singleRounding.scale(acc, by: m)
                if Int128(d) != Oracle.doubleRounding(acc, m) || Int128(s) != Oracle.singleRounding(acc, m) {
                    Issue.record("acc=\(hex(acc)) m=\(m): double \(d) (oracle \(Oracle.doubleRounding(acc, m))), single \(s) (oracle \(Oracle.singleRounding(acc, m)))")
                    return
                }
            }
        }
    }

    @Test func edgeAccumulatorsAgainstOracle() {
        var accs: [Int32] = [.min, .max, 0, 1, -1]
        for i in 0...30 { for k: Int64 in [-3, -1, 0, 1, 3] {
            for base in [Int64(1) << Int64(i), -(Int64(1) << Int64(i))] {
                if let v = Int32(exactly: base + k) { accs.append(v) }
            }
        } }
        for shift in Int32(-31)...0 {
            for mantissa: Int32 in [1 << 30, (1 << 30) + 1, Int32.max, 1_500_000_001] {
                let m = QuantizedMultiplier(mantissa: mantissa, shift: shift)
                for acc in accs {
                    #expect(Int128(RequantizationScheme.tflite.scale(acc, by: m)) == Oracle.doubleRounding(acc, m), "double acc=\(hex(acc)) m=\(m)")
                    #expect(Int128(RequantizationScheme.singleRounding.scale(acc, by: m)) == Oracle.singleRounding(acc, m), "single acc=\(hex(acc)) m=\(m)")
                }
            }
        }
    }

    @Test func seededRandomAgainstOracle() {
        var rng = SeededGenerator(seed: 0xA11CE)
        var differ = 0
        let n = 200_000
        for _ in 0..<n {
            let shift = Int32.random(in: -31...0, using: &rng)
            let m = QuantizedMultiplier(mantissa: Int32.random(in: (1 << 30)...Int32.max, using: &rng), shift: shift)
            let acc = Int32.random(in: -1_000_000...1_000_000, using: &rng)
            let d = RequantizationScheme.tflite.scale(acc, by: m), s = RequantizationScheme.singleRounding.scale(acc, by: m)
            if Int128(d) != Oracle.doubleRounding(acc, m) || Int128(s) != Oracle.singleRounding(acc, m) {
                Issue.record("acc=\(hex(acc)) m=\(m)"); return
            }
            if d != s { differ += 1 }
        }
        // The two schemes are distinct contracts: they must disagree somewhere on random data.
        #expect(differ > 0)
    }

    @Test func leftShiftsForMultipliersAboveOne() {
        let three = QuantizedMultiplier(real: 3.0)
        for acc in Int32(-1000)...1000 {
            #expect(RequantizationScheme.tflite.scale(acc, by: three) == acc * 3)
            #expect(RequantizationScheme.singleRounding.scale(acc, by: three) == acc * 3)
        }
    }

    /// requant.md §10.1 item 7: m = 0.25 on 1, 5, −2, −6 (exact products 0.25, 1.25, −0.5, −1.5).
    @Test func singleRoundingTieRules() {
        let quarter = QuantizedMultiplier(mantissa: 1 << 30, shift: -1)
        let accs: [Int32] = [1, 5, -2, -6]
        #expect(accs.map { RequantizationScheme.singleRounding($0, quarter, rounding: .halfUp) } == [0, 1, 0, -1])
        #expect(accs.map { RequantizationScheme.singleRounding($0, quarter, rounding: .halfAwayFromZero) } == [0, 1, -1, -2])
        #expect(accs.map { RequantizationScheme.singleRounding($0, quarter, rounding: .halfEven) } == [0, 1, 0, -2])
        // shift 31 (n = 0): the exact product, no rounding.
        #expect(RequantizationScheme.singleRounding(-7, QuantizedMultiplier(mantissa: 3, shift: 31), rounding: .halfEven) == -21)
    }

    @Test func schemeSpellingsRoundTrip() {
        let schemes: [RequantizationScheme] = [.tflite, .singleRounding, .fbgemm(saturatingPairs: false), .fbgemm(saturatingPairs: true), .qnnpack,
                                               .fbgemm(avx512: true), .fbgemm(saturatingPairs: true, avx512: true), .onnxRuntime, .powerOfTwo(rounding: .halfUp, tolerance: 1.0 / 256), .powerOfTwo(rounding: .halfEven, tolerance: 0.01),
                                               .fixedPoint(multiplierBits: 16, rounding: .halfAwayFromZero)]
        for s in schemes { #expect(RequantizationScheme(parsing: s.description) == s, "\(s)") }
        #expect(RequantizationScheme(parsing: "fixedPoint(multiplierBits: 16, rounding: .halfEven)") == .fixedPoint(multiplierBits: 16, rounding: .halfEven))
        #expect(RequantizationScheme(parsing: "powerOfTwo") == .powerOfTwo(rounding: .halfUp, tolerance: 1.0 / 256))
        #expect(RequantizationScheme(parsing: "fbgemm(avx512, saturatingPairs)") == .fbgemm(saturatingPairs: true, avx512: true))
        #expect(RequantizationScheme(parsing: "fbgemm(avx512:false)") == .fbgemm())
        // ATen's vectorized loop steps 2 · Vectorized<quint8>::size() codes: 2 · 32 (AVX2), 2 · 64 (AVX512).
        #expect(RequantizationScheme.fbgemm().elementwiseVectorBlock == 64)
        #expect(RequantizationScheme.fbgemm(avx512: true).elementwiseVectorBlock == 128)
        #expect(RequantizationScheme.qnnpack.elementwiseVectorBlock == nil)
        // Vectorized<float>::size(): 8 floats in 256-bit AVX2 registers, 16 in 512-bit AVX512 ones.
        #expect(RequantizationScheme.fbgemm().atenFloatLanes == 8)
        #expect(RequantizationScheme.fbgemm(saturatingPairs: true, avx512: true).atenFloatLanes == 16)
        #expect(RequantizationScheme.qnnpack.atenFloatLanes == 8)
        for bad in ["fbgem", "fixedPoint(multiplierBits:33,rounding:halfUp)", "fixedPoint(multiplierBits:16)", "powerOfTwo(tolerance:-1)",
                    "tflite(x)", "fbgemm(saturatingPairs:maybe)", "fbgemm(avx2)", "qnnpack(rounding:halfUp)"] {
            #expect(RequantizationScheme(parsing: bad) == nil, "\(bad)")
        }
    }

    /// Float32Parts carries float32 constants into the C as exact integer pairs.
    @Test func float32PartsAreExact() {
        // Normal, the largest, the smallest normal, the smallest subnormal, a negative subnormal.
        for v: Float in [1, -1, 0.1, .greatestFiniteMagnitude, .leastNormalMagnitude, .leastNonzeroMagnitude, -Float(bitPattern: 0x0002_B8F1),
                         0.0073559997, 1072.31885] {
            let p = Float32Parts(v)
            #expect(p.value == v, "\(v)")
            #expect(p.mantissa.magnitude >= 1 << 23 && p.mantissa.magnitude < 1 << 24, "\(v)")
        }
        #expect(Float32Parts(0.5) == Float32Parts(mantissa: 1 << 23, exponent: -24))
    }
}
