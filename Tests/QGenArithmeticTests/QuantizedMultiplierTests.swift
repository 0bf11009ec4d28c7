import Foundation
import Testing
import QGenArithmetic

@Suite struct QuantizedMultiplierTests {
    @Test(arguments: [
        // (real, mantissa, shift): hand-computed from frexp and round(q · 2^31).
        (0.5, Int32(1 << 30), Int32(0)),
        (0.25, 1 << 30, -1),
        (1.0, 1 << 30, 1),
        (0.75, 1_610_612_736, 0),
        (3.0, 1_610_612_736, 2),
        (1.0 - 0x1p-33, 1 << 30, 1),     // q·2^31 = 2^31 − 0.25 rounds to 2^31: halved, shift + 1
        (0x1p-32, 1 << 30, -31),          // smallest multiplier that survives
        (0.1, 1_717_986_918, -3),         // 0.1 = 0.8·2^-3; 0.8·2^31 = 1717986918.4
    ])
    func tfliteTable(real: Double, mantissa: Int32, shift: Int32) {
        let m = QuantizedMultiplier(real: real)
        #expect(m.mantissa == mantissa && m.shift == shift, "\(real) -> \(m)")
        #expect(!m.isFlushedToZero)
    }

    @Test func zeroAndTinyMultipliers() {
        #expect(QuantizedMultiplier(real: 0) == QuantizedMultiplier(mantissa: 0, shift: 0))
        let tiny = QuantizedMultiplier(real: 0x1p-40)
        #expect(tiny.mantissa == 0 && tiny.shift == 0 && tiny.isFlushedToZero)
        #expect(QuantizedMultiplier(real: 0x1.fffp-33).isFlushedToZero)
    }

    @Test func mantissaIsWithinHalfAnUnitOfTheRealValue() {
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<100_000 {
            let real = Double.random(in: -30...10, using: &rng)
            let r = exp2(real)
            let m = QuantizedMultiplier(real: r)
            let value = Double(m.mantissa) * exp2(Double(m.shift) - 31)
            #expect(m.mantissa >= 1 << 30)
            #expect(abs(value - r) <= r * 0x1p-31 * 1.0000001, "\(r) -> \(m)")
        }
    }

}
