/// Which input and weight elements feed one output element: the one definition of a layer's
/// connectivity that the integer reference, the float reference and `qgen explain` share (the
/// emitted C spells the same loops out in its kernel templates).
extension LayerGeometry {
    /// Number of output elements (`[N, F]` or NCHW).
    @inlinable public var outputCount: Int {
        switch self {
        case .linear(let g): return g.batch * g.outFeatures
        case .conv2d(let g): return g.batch * g.outChannels * g.outHeight * g.outWidth
        }
    }

    /// The output channel (feature) of output element `flat`.
    @inlinable public func outputChannel(of flat: Int) -> Int {
        switch self {
        case .linear(let g): return flat % g.outFeatures
        case .conv2d(let g): return (flat / (g.outHeight * g.outWidth)) % g.outChannels
        }
    }

    /// Calls `body(input, weight)` for every tap of output element `flat`, in the order of the
    /// weight tensor (Linear: k; Conv2d: input channel of the group, then ky, kx). `input` is the
    /// flat index into the layer's input, or nil for a padding tap (which reads the input zero
    /// point, real 0); `weight` is the flat index into the weights in PyTorch layout.
    @inlinable public func forEachTap(of flat: Int, _ body: (_ input: Int?, _ weight: Int) -> Void) {
        switch self {
        case .linear(let g):
            let n = flat / g.outFeatures, o = flat % g.outFeatures
            for k in 0..<g.inFeatures { body(n * g.inFeatures + k, o * g.inFeatures + k) }
        case .conv2d(let g):
            let ox = flat % g.outWidth, oy = (flat / g.outWidth) % g.outHeight
            let oc = (flat / (g.outWidth * g.outHeight)) % g.outChannels, n = flat / (g.outWidth * g.outHeight * g.outChannels)
            let icpg = g.inChannelsPerGroup, group = oc / g.outChannelsPerGroup
            for ic in 0..<icpg {
                let plane = (n * g.inChannels + group * icpg + ic) * g.inHeight
                for ky in 0..<g.kernelHeight {
                    let iy = oy * g.strideHeight - g.padHeight + ky * g.dilationHeight
                    for kx in 0..<g.kernelWidth {
                        let ix = ox * g.strideWidth - g.padWidth + kx * g.dilationWidth
                        let inside = iy >= 0 && iy < g.inHeight && ix >= 0 && ix < g.inWidth
                        body(inside ? (plane + iy) * g.inWidth + ix : nil, ((oc * icpg + ic) * g.kernelHeight + ky) * g.kernelWidth + kx)
                    }
                }
            }
        }
    }
}
