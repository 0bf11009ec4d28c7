import Testing
import QGenArithmetic

@Suite struct GemmlowpTests {
    @Test func srdhmTiesGoTowardPlusInfinity() {
        // requant.md §1.2: SRDHM(-1, 2^30) = round(-0.5) = 0, SRDHM(-5, 2^30) = round(-2.5) = -2.
        #expect(Gemmlowp.saturatingRoundingDoublingHighMul(-1, 1 << 30) == 0)
        #expect(Gemmlowp.saturatingRoundingDoublingHighMul(-5, 1 << 30) == -2)
        #expect(Gemmlowp.saturatingRoundingDoublingHighMul(5, 1 << 30) == 3)
        #expect(Gemmlowp.saturatingRoundingDoublingHighMul(.min, .min) == .max)
    }

    @Test func rdbpotTiesGoAwayFromZero() {
        #expect(Gemmlowp.roundingDivideByPOT(5, 1) == 3)
        #expect(Gemmlowp.roundingDivideByPOT(-5, 1) == -3)
        #expect(Gemmlowp.roundingDivideByPOT(-6, 2) == -2)
        #expect(Gemmlowp.roundingDivideByPOT(-7, 0) == -7)
        #expect(Gemmlowp.roundingDivideByPOT(.min, 31) == -1)
    }

    @Test func seededRandomAgainstOracle() {
        var rng = SeededGenerator(seed: 0x5EED_0001)
        for _ in 0..<200_000 {
            let a = Int32.random(in: .min ... .max, using: &rng)
            let b = Int32.random(in: .min ... .max, using: &rng)
            guard !(a == .min && b == .min) else { continue }
            let expected = Oracle.round(Int128(a) * Int128(b), over: Oracle.pow2(31), ties: .up)
            let got = Gemmlowp.saturatingRoundingDoublingHighMul(a, b)
            if Int128(got) != expected { Issue.record("SRDHM(\(hex(a)), \(hex(b))) = \(got), oracle \(expected)"); return }
            let e = Int32.random(in: 0...31, using: &rng)
            let r = Gemmlowp.roundingDivideByPOT(a, e)
            let re = Oracle.round(Int128(a), over: Oracle.pow2(Int(e)), ties: .awayFromZero)
            if Int128(r) != re { Issue.record("RDBPOT(\(hex(a)), \(e)) = \(r), oracle \(re)"); return }
        }
    }
}
