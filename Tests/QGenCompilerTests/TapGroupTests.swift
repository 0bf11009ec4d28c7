import QGenArithmetic
import Testing
@testable import QGenCompiler

/// The references' tap groups (`forEachTapGroup`) against the one definition of connectivity
/// (`forEachTap`): every output element once, with the same (input, weight) pairs, padding taps
/// left out.
@Suite struct TapGroupTests {
    /// Every non-padding tap of every output element, as sorted (input, weight) pairs.
    private static func taps(_ g: MACGeometry, flat: Int) -> [[Int]] {
        var pairs: [[Int]] = []
        g.forEachTap(of: flat) { i, k in if let i { pairs.append([i, k]) } }
        return pairs.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// Each output element's (input, weight) pairs and channel as the tap groups give them; nil for
    /// an element no group or two groups give.
    private static func groups(_ g: MACGeometry) -> [(pairs: [[Int]], channel: Int)?] {
        var result: [(pairs: [[Int]], channel: Int)?] = Array(repeating: nil, count: g.outputCount)
        var seen = Array(repeating: 0, count: g.outputCount)
        g.forEachTapGroup { group in
            for j in 0..<group.channels {
                var pairs: [[Int]] = []
                for r in group.runs {
                    for t in 0..<r.count { pairs.append([r.input + t * r.inputStride, r.weight + j * group.weightStride + t * r.weightStride]) }
                }
                let flat = group.firstOutput + j * group.outputStride
                seen[flat] += 1
                result[flat] = (pairs.sorted { $0.lexicographicallyPrecedes($1) }, group.firstChannel + j)
            }
        }
        return zip(result, seen).map { $1 == 1 ? $0 : nil }
    }

    private static func check(_ geometry: MACGeometry, _ comment: Comment) {
        for (flat, given) in groups(geometry).enumerated() {
            #expect(given?.pairs == taps(geometry, flat: flat), "\(comment), output \(flat)")
            #expect(given?.channel == geometry.outputChannel(of: flat), "\(comment), output \(flat)")
        }
    }

    @Test func convolutionTapGroupsVisitTheInsideTaps() {
        var rng = SeededGenerator(seed: 11)
        for trial in 0..<400 {
            let groups = [1, 1, 2, 3][trial % 4], depthwise = trial % 5 == 0
            let icpg = depthwise ? 1 : Int.random(in: 1...4, using: &rng)
            let inChannels = depthwise ? Int.random(in: 1...5, using: &rng) : icpg * groups
            let g = depthwise ? inChannels : groups
            let ocpg = Int.random(in: 1...3, using: &rng)
            let kh = Int.random(in: 1...4, using: &rng), kw = Int.random(in: 1...4, using: &rng)
            let sh = Int.random(in: 1...3, using: &rng), sw = Int.random(in: 1...3, using: &rng)
            let dh = Int.random(in: 1...2, using: &rng), dw = Int.random(in: 1...2, using: &rng)
            let ph = Int.random(in: 0...2, using: &rng), pw = Int.random(in: 0...3, using: &rng)
            let ih = Int.random(in: 1...7, using: &rng), iw = Int.random(in: 1...7, using: &rng)
            let oh = max(1, (ih + 2 * ph - dh * (kh - 1) - 1) / sh + 1), ow = max(1, (iw + 2 * pw - dw * (kw - 1) - 1) / sw + 1)
            let geometry = MACGeometry.conv2d(Conv2dGeometry(
                batch: 1 + trial % 2, inChannels: inChannels, inHeight: ih, inWidth: iw, outChannels: ocpg * g, outHeight: oh, outWidth: ow,
                kernelHeight: kh, kernelWidth: kw, strideHeight: sh, strideWidth: sw, padHeight: ph, padWidth: pw,
                dilationHeight: dh, dilationWidth: dw, groups: g, layout: trial % 3 == 0 ? .nchw : .nhwc))
            Self.check(geometry, "trial \(trial), \(geometry)")
        }
    }

    @Test func linearIsOneRunPerRow() {
        let geometry = MACGeometry.linear(LinearGeometry(batch: 2, inFeatures: 5, outFeatures: 3))
        Self.check(geometry, "linear")
        var groups: [TapGroup] = []
        geometry.forEachTapGroup { groups.append($0) }
        #expect(groups.map(\.runs) == [[TapRun(input: 0, weight: 0, count: 5, inputStride: 1, weightStride: 1)],
                                        [TapRun(input: 5, weight: 0, count: 5, inputStride: 1, weightStride: 1)]])
        #expect(groups.map(\.firstOutput) == [0, 3] && groups.allSatisfy { $0.weightStride == 5 && $0.channels == 3 })
    }
}
