/// In-place execution: a node whose input dies at it may write its output over that input, with the
/// output starting `shift` bytes below the input, when its kernel never reads an input byte after
/// writing over it (every arena tensor has 1-byte elements). The arena plan then places the two
/// tensors together (`ArenaPlan.Link`), so the node needs max(output, shift + input) bytes instead of
/// output + input.
///
/// The shift comes from the kernel's order of accesses, modelled here step by step exactly as the
/// template runs them. The NHWC convolution kernels (Templates/kernel_conv2d_nhwc.mustache) write
/// their output contiguously in steps (one output pixel's tile of channels), each step reading its
/// input before writing. Before step t the kernel has written the first w(t) output bytes; a read of
/// input byte r is safe when input base + r >= output base + w(t), that is when shift >= w(t) - r. So
/// the smallest safe shift is the largest w(t) - minRead(t) over the steps (0 if none is positive).
/// Examples: a 3x3 depthwise convolution with stride 1 and padding 1 reads one row and one pixel ahead
/// of what it writes, so its output sits (W + 1) * C bytes below its input (TinyEngine's row buffer,
/// without a buffer); a stride-2 one needs a shift of at most a few pixels; a 1x1 convolution that
/// expands channels has its input end at the output's end.
enum InPlace {
    /// Which of `node`'s inputs (positions in `node.inputs`) its output may be written over, and the
    /// shift in bytes; nil when its kernel is not one whose accesses are modelled. The elementwise
    /// kernels (Add and Sub under every scheme, the lookup tables, Quantize) read element i of each
    /// input and then write element i of an output of the same size: shift 0, over either input.
    static func candidates(of node: ResolvedNode) -> (inputs: [Int], shift: Int)? {
        switch node.op {
        case .multiplyAccumulate(let mac):
            guard case .conv2d(let g) = mac.geometry, g.layout == .nhwc else { return nil }
            return ([0], g.isDepthwiseNHWC ? depthwiseShift(g) : convolutionShift(g))
        case .add:
            return ([0, 1], 0)
        case .lookup, .quantize:
            return ([0], 0)
        default:
            return nil
        }
    }

    /// The input pixels (flat NHWC pixel index) of output pixel (n, oy, ox)'s window that lie inside
    /// the input: the smallest one, or nil when every tap is padding.
    private static func firstInputPixel(_ g: Conv2dGeometry, n: Int, oy: Int, ox: Int) -> Int? {
        var first: Int?
        for ky in 0..<g.kernelHeight {
            let iy = oy * g.strideHeight + ky * g.dilationHeight - g.padHeight
            guard iy >= 0 && iy < g.inHeight else { continue }
            for kx in 0..<g.kernelWidth {
                let ix = ox * g.strideWidth + kx * g.dilationWidth - g.padWidth
                guard ix >= 0 && ix < g.inWidth else { continue }
                let pixel = (n * g.inHeight + iy) * g.inWidth + ix
                first = min(first ?? pixel, pixel)
            }
        }
        return first
    }

    /// Depthwise kernel: per output pixel, tiles of `tileChannels` channels; a tile reads channels
    /// [c0, end) of the window's pixels (the tap pointers), then writes the same channels of the pixel.
    private static func depthwiseShift(_ g: Conv2dGeometry) -> Int {
        let c = g.outChannels, tile = g.nhwcTileChannels
        var shift = 0
        forEachOutputPixel(g) { q, n, oy, ox in
            guard let first = firstInputPixel(g, n: n, oy: oy, ox: ox) else { return }
            for c0 in stride(from: 0, to: c, by: tile) {
                shift = max(shift, (q * c + c0) - (first * c + c0))
            }
        }
        return shift
    }

    /// The other NHWC kernel: per output pixel, per group, tiles of output channels; a tile reads the
    /// group's input channels of the window's pixels (gathered, or the pixel itself for a 1x1 kernel),
    /// then writes the tile.
    private static func convolutionShift(_ g: Conv2dGeometry) -> Int {
        let icpg = g.inChannelsPerGroup, ocpg = g.outChannelsPerGroup, tile = g.nhwcTileChannels
        var shift = 0
        forEachOutputPixel(g) { q, n, oy, ox in
            guard let first = firstInputPixel(g, n: n, oy: oy, ox: ox) else { return }
            for group in 0..<g.groups {
                for c0 in stride(from: group * ocpg, to: (group + 1) * ocpg, by: tile) {
                    shift = max(shift, (q * g.outChannels + c0) - (first * g.inChannels + group * icpg))
                }
            }
        }
        return shift
    }

    private static func forEachOutputPixel(_ g: Conv2dGeometry, _ body: (_ q: Int, _ n: Int, _ oy: Int, _ ox: Int) -> Void) {
        var q = 0
        for n in 0..<g.batch {
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    body(q, n, oy, ox)
                    q += 1
                }
            }
        }
    }
}
