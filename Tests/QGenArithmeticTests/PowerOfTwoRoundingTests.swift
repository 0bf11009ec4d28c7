import Testing
import QGenArithmetic

@Suite struct PowerOfTwoRoundingTests {
    @Test func documentedTable() {
        // Hand-computed: 5/2 = 2.5, -5/2 = -2.5, 6/4 = 1.5, -10/4 = -2.5.
        let rows: [(Int64, Int, Int64, Int64, Int64, Int64)] = [
            (5, 1, 2, 3, 3, 2), (-5, 1, -3, -2, -3, -2), (6, 2, 1, 2, 2, 2), (-10, 2, -3, -2, -3, -2),
            (-1, 62, -1, 0, 0, 0), (7, 0, 7, 7, 7, 7),
        ]
        for (v, n, floor, up, away, even) in rows {
            #expect(PowerOfTwoRounding.floorDivide(v, byPowerOfTwo: n) == floor, "floor \(v) >> \(n)")
            #expect(PowerOfTwoRounding.roundHalfUp(v, byPowerOfTwo: n) == up, "half up \(v) / 2^\(n)")
            #expect(PowerOfTwoRounding.roundHalfAwayFromZero(v, byPowerOfTwo: n) == away, "away \(v) / 2^\(n)")
            #expect(PowerOfTwoRounding.roundHalfToEven(v, byPowerOfTwo: n) == even, "even \(v) / 2^\(n)")
        }
    }

    @Test func exhaustiveSmallDomainAgainstOracle() {
        for n in 0...12 {
            for v in Int64(-20_000)...20_000 {
                let d = Oracle.pow2(n)
                #expect(Int128(PowerOfTwoRounding.floorDivide(v, byPowerOfTwo: n)) == Oracle.round(Int128(v) * 2 - (d - 1), over: 2 * d, ties: .up) || n == 0)
                if n > 0 {
                    let up = PowerOfTwoRounding.roundHalfUp(v, byPowerOfTwo: n)
                    let away = PowerOfTwoRounding.roundHalfAwayFromZero(v, byPowerOfTwo: n)
                    let even = PowerOfTwoRounding.roundHalfToEven(v, byPowerOfTwo: n)
                    if Int128(up) != Oracle.round(Int128(v), over: d, ties: .up)
                        || Int128(away) != Oracle.round(Int128(v), over: d, ties: .awayFromZero)
                        || Int128(even) != Oracle.round(Int128(v), over: d, ties: .even) {
                        Issue.record("v=\(hex(v)) n=\(n): up \(up) away \(away) even \(even)")
                        return
                    }
                }
            }
        }
    }

    @Test func edgeValuesNearTheDomainLimits() {
        var values: [Int64] = []
        for i in 0...61 { for k: Int64 in [-2, -1, 0, 1, 2] { values.append((Int64(1) << Int64(i)) + k); values.append(-(Int64(1) << Int64(i)) + k) } }
        for v in values where v.magnitude < (UInt64(1) << 62) {
            for n in 1...62 {
                let d = Oracle.pow2(n)
                let up = PowerOfTwoRounding.roundHalfUp(v, byPowerOfTwo: n)
                let away = PowerOfTwoRounding.roundHalfAwayFromZero(v, byPowerOfTwo: n)
                #expect(Int128(up) == Oracle.round(Int128(v), over: d, ties: .up), "up v=\(hex(v)) n=\(n)")
                #expect(Int128(away) == Oracle.round(Int128(v), over: d, ties: .awayFromZero), "away v=\(hex(v)) n=\(n)")
            }
        }
    }
}
