import QGen

// Conv2d on NCHW activations with OIHW weights (PyTorch) or NHWC with OHWI weights (TFLite); padding
// reads the input zero point (real 0). The output stage and constants are the multiply-accumulate family's.

extension Conv2d: ResolvableOp {
    var kindName: String { "Conv2d" }

    func resolve(_ context: ResolveContext, log: inout DiagnosticLog) -> (ResolvedOp, OutputType)? {
        ConvolutionResolver(context: context, kernel: kernel, stride: stride, padding: padding, dilation: dilation,
                            weight: weight, bias: bias, batchNorm: batchNorm, output: output, activation: activation)
            .resolve(outChannels: outChannels, groups: groups, weightLayout: weightLayout, log: &log)
    }
}

/// What Conv2d and DepthwiseConv2d share: the checks of the window, the output shape (explicit or
/// SAME padding), the weights in any layout permuted to the kernel's, the bias.
struct ConvolutionResolver {
    var context: ResolveContext
    var kernel: Size2
    var stride: Size2
    var padding: Padding
    var dilation: Size2
    var weight: Weights
    var bias: Bias?
    var batchNorm: BatchNorm?
    var output: QuantParams
    var activation: Activation

    /// `groups` nil means depthwise (`outChannels` is then the depth multiplier's product).
    func resolve(outChannels: Int, groups: Int?, weightLayout: WeightLayout?, depthMultiplier: Int? = nil,
                 log: inout DiagnosticLog) -> (ResolvedOp, OutputType)? {
        let what = context.what, at = context.location
        let source = context.inputs[0]
        var ok = true
        func fail(_ message: String) {
            log.error("\(what): \(message)", at: at)
            ok = false
        }
        guard let image = ImageShape(source) else {
            fail("needs a [N, C, H, W] input, but \(source.producerText) produces \(source.shape)")
            return nil
        }
        let inC = image.channels
        let padding = self.padding.explicitSize
        for (label, size, minimum) in [("kernel", kernel, 1), ("stride", stride, 1), ("padding", padding, 0), ("dilation", dilation, 1)] {
            guard let size else { continue }
            if size.elementCount != 2 { fail("\(label) must be one integer or [height, width], got \(size.elementCount) values") }
            if size.height < minimum || size.width < minimum || size.height > SizeLimits.maxDimension || size.width > SizeLimits.maxDimension {
                fail("\(label) must be in \(minimum)...\(SizeLimits.maxDimension), got \(size)")
            }
        }
        var outChannels = outChannels, groups = groups ?? inC
        if let multiplier = depthMultiplier {
            if multiplier < 1 || multiplier > SizeLimits.maxDimension { fail("depthMultiplier must be in 1...\(SizeLimits.maxDimension), got \(multiplier)") }
            outChannels = inC * max(multiplier, 1)
            groups = inC
        }
        if outChannels < 1 || outChannels > SizeLimits.maxDimension { fail("outChannels must be in 1...\(SizeLimits.maxDimension), got \(outChannels)") }
        if groups < 1 {
            fail("groups must be ≥ 1, got \(groups)")
        } else if inC % groups != 0 || outChannels % groups != 0 {
            fail("groups = \(groups) must divide both the input channels (\(inC), from \(source.producerText)) and outChannels (\(outChannels))")
        }
        let given = weightLayout ?? (depthMultiplier != nil ? (image.layout == .nhwc ? .oneHWC : .oihw) : (image.layout == .nhwc ? .ohwi : .oihw))
        if given == .oneHWC && depthMultiplier == nil {
            fail("weightLayout 1hwc is DEPTHWISE_CONV_2D's; give Conv2d weights as oihw or ohwi, or use DepthwiseConv2d")
        }
        Resolver.checkOutput(output, activation: activation, what: what, at: at, log: &log)
        guard ok else { return nil }
        guard let rows = WindowAxis(input: image.height, kernel: kernel.height, stride: stride.height, dilation: dilation.height, padding: padding?.height),
              let columns = WindowAxis(input: image.width, kernel: kernel.width, stride: stride.width, dilation: dilation.width, padding: padding?.width) else {
            let extentH = dilation.height * (kernel.height - 1) + 1, extentW = dilation.width * (kernel.width - 1) + 1
            let paddedH = image.height + 2 * (padding?.height ?? 0), paddedW = image.width + 2 * (padding?.width ?? 0)
            fail("kernel \(kernel) with dilation \(dilation) spans \(extentH)×\(extentW), larger than the padded input \(paddedH)×\(paddedW) (\(source.producerText) produces \(source.shape))")
            return nil
        }
        let outShape = image.layout == .nhwc ? [image.batch, rows.output, columns.output, outChannels] : [image.batch, outChannels, rows.output, columns.output]
        let givenShape = given.shape(out: outChannels, in: inC / groups, height: kernel.height, width: kernel.width)
        guard SizeLimits.check(what: what, at: at, ("output", outShape), ("weight", givenShape), log: &log) else { return nil }
        let geometry = Conv2dGeometry(
            batch: image.batch, inChannels: inC, inHeight: image.height, inWidth: image.width, outChannels: outChannels,
            outHeight: rows.output, outWidth: columns.output,
            kernelHeight: kernel.height, kernelWidth: kernel.width, strideHeight: stride.height, strideWidth: stride.width,
            padHeight: rows.padBefore, padWidth: columns.padBefore, dilationHeight: dilation.height, dilationWidth: dilation.width,
            groups: groups, layout: image.layout)
        let resolver = MACResolver(baseDirectory: context.baseDirectory, what: what, at: at)
        guard var mac = resolver.resolve(geometry: .conv2d(geometry), weight: weight, weightShape: givenShape, weightLayoutText: given.shapeText,
                                         bias: bias, activation: activation, log: &log)
        else { return nil }
        mac.weights.values = given.permute(mac.weights.values, to: geometry.weightLayout, out: outChannels, in: inC / groups, height: kernel.height, width: kernel.width)
        if let batchNorm, !resolver.fold(batchNorm, into: &mac, rule: .convolution, log: &log) { return nil }
        return (.multiplyAccumulate(mac), OutputType(shape: outShape, layout: image.layout, quant: output))
    }
}

/// A 4-D activation read in its layout.
struct ImageShape {
    var batch: Int
    var channels: Int
    var height: Int
    var width: Int
    var layout: Layout

    init?(_ tensor: ResolvedTensor) {
        guard tensor.shape.count == 4, let layout = tensor.layout else { return nil }
        let s = tensor.shape
        self.layout = layout
        (batch, channels, height, width) = layout == .nhwc ? (s[0], s[3], s[1], s[2]) : (s[0], s[1], s[2], s[3])
    }
}

extension WeightLayout {
    /// How messages describe the layout's shape.
    var shapeText: String {
        switch self {
        case .oihw: return "[outChannels, inChannels / groups, kH, kW]"
        case .ohwi: return "[outChannels, kH, kW, inChannels / groups] (OHWI)"
        case .oneHWC: return "[1, kH, kW, channels * depthMultiplier] (1HWC)"
        }
    }

    /// The shape of a convolution's weights in this layout (`in` is 1 for 1HWC).
    func shape(out: Int, in inPerGroup: Int, height: Int, width: Int) -> [Int] {
        switch self {
        case .oihw: return [out, inPerGroup, height, width]
        case .ohwi: return [out, height, width, inPerGroup]
        case .oneHWC: return [1, height, width, out]
        }
    }

    /// The offset of weight (o, i, y, x) in this layout.
    func offset(_ o: Int, _ i: Int, _ y: Int, _ x: Int, out: Int, in inPerGroup: Int, height: Int, width: Int) -> Int {
        switch self {
        case .oihw: return ((o * inPerGroup + i) * height + y) * width + x
        case .ohwi: return ((o * height + y) * width + x) * inPerGroup + i
        case .oneHWC: return (y * width + x) * out + o
        }
    }

    /// `values` in this layout, reordered into `target`.
    func permute(_ values: [Double], to target: WeightLayout, out: Int, in inPerGroup: Int, height: Int, width: Int) -> [Double] {
        guard target != self else { return values }
        var result = values
        for o in 0..<out { for i in 0..<inPerGroup { for y in 0..<height { for x in 0..<width {
            result[target.offset(o, i, y, x, out: out, in: inPerGroup, height: height, width: width)]
                = values[offset(o, i, y, x, out: out, in: inPerGroup, height: height, width: width)]
        } } } }
        return result
    }
}

public struct Conv2dGeometry: Equatable, Codable, Sendable, MACShape {
    public var batch: Int
    public var inChannels: Int
    public var inHeight: Int
    public var inWidth: Int
    public var outChannels: Int
    public var outHeight: Int
    public var outWidth: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideHeight: Int
    public var strideWidth: Int
    public var padHeight: Int
    public var padWidth: Int
    public var dilationHeight: Int
    public var dilationWidth: Int
    public var groups: Int
    /// The activations' layout; the weights are OIHW for NCHW, OHWI for NHWC.
    public var layout: Layout

    var weightLayout: WeightLayout { layout == .nhwc ? .ohwi : .oihw }

    public var inChannelsPerGroup: Int { inChannels / groups }
    public var outChannelsPerGroup: Int { outChannels / groups }

    var outputChannels: Int { outChannels }
    var tapsPerOutput: Int { inChannelsPerGroup * kernelHeight * kernelWidth }
    var weightShape: [Int] {
        layout == .nhwc ? [outChannels, kernelHeight, kernelWidth, inChannelsPerGroup] : [outChannels, inChannelsPerGroup, kernelHeight, kernelWidth]
    }
    var weightLayoutName: String { layout == .nhwc ? "OHWI, TFLite layout" : "PyTorch layout" }
    var outputCount: Int { batch * outChannels * outHeight * outWidth }
    func outputChannel(of flat: Int) -> Int { layout == .nhwc ? flat % outChannels : (flat / (outHeight * outWidth)) % outChannels }

    /// Taps in weight order: NCHW input channel of the group, then ky, kx; NHWC ky, kx, then channel.
    func forEachTap(of flat: Int, _ body: (_ input: Int?, _ weight: Int) -> Void) {
        if layout == .nhwc { return forEachTapNHWC(of: flat, body) }
        let ox = flat % outWidth, oy = (flat / outWidth) % outHeight
        let oc = (flat / (outWidth * outHeight)) % outChannels, n = flat / (outWidth * outHeight * outChannels)
        let icpg = inChannelsPerGroup, group = oc / outChannelsPerGroup
        for ic in 0..<icpg {
            let plane = (n * inChannels + group * icpg + ic) * inHeight
            for ky in 0..<kernelHeight {
                let iy = oy * strideHeight - padHeight + ky * dilationHeight
                for kx in 0..<kernelWidth {
                    let ix = ox * strideWidth - padWidth + kx * dilationWidth
                    let inside = iy >= 0 && iy < inHeight && ix >= 0 && ix < inWidth
                    body(inside ? (plane + iy) * inWidth + ix : nil, ((oc * icpg + ic) * kernelHeight + ky) * kernelWidth + kx)
                }
            }
        }
    }

    private func forEachTapNHWC(of flat: Int, _ body: (_ input: Int?, _ weight: Int) -> Void) {
        let oc = flat % outChannels, ox = (flat / outChannels) % outWidth
        let oy = (flat / (outChannels * outWidth)) % outHeight, n = flat / (outChannels * outWidth * outHeight)
        let icpg = inChannelsPerGroup, first = oc / outChannelsPerGroup * icpg
        for ky in 0..<kernelHeight {
            let iy = oy * strideHeight - padHeight + ky * dilationHeight
            for kx in 0..<kernelWidth {
                let ix = ox * strideWidth - padWidth + kx * dilationWidth
                let inside = iy >= 0 && iy < inHeight && ix >= 0 && ix < inWidth
                let pixel = ((n * inHeight + iy) * inWidth + ix) * inChannels + first
                let tap = ((oc * kernelHeight + ky) * kernelWidth + kx) * icpg
                for ic in 0..<icpg { body(inside ? pixel + ic : nil, tap + ic) }
            }
        }
    }

    /// The kernel rows (or columns) `k` whose input coordinate `o·stride − pad + k·dilation` lies in
    /// `0..<size` (a contiguous range, the coordinate grows with `k`).
    private static func insideTaps(_ o: Int, stride: Int, pad: Int, dilation: Int, kernel: Int, size: Int) -> Range<Int> {
        let origin = o * stride - pad
        var first = 0
        while first < kernel && origin + first * dilation < 0 { first += 1 }
        var end = first
        while end < kernel && origin + end * dilation < size { end += 1 }
        return first..<end
    }

    /// Per pixel and convolution group: runs over the group's input channels, or along the kernel
    /// row where that is longer (depthwise).
    func forEachTapGroup(_ body: (TapGroup) -> Void) {
        let nhwc = layout == .nhwc
        let icpg = inChannelsPerGroup, ocpg = outChannelsPerGroup, taps = kernelHeight * kernelWidth
        let inputPerChannel = nhwc ? 1 : inHeight * inWidth, weightPerChannel = nhwc ? 1 : taps
        let inputPerColumn = dilationWidth * (nhwc ? inChannels : 1), weightPerColumn = nhwc ? icpg : 1
        var runs: [TapRun] = []
        for n in 0..<batch { for oy in 0..<outHeight { for ox in 0..<outWidth {
            let rows = Self.insideTaps(oy, stride: strideHeight, pad: padHeight, dilation: dilationHeight, kernel: kernelHeight, size: inHeight)
            let columns = Self.insideTaps(ox, stride: strideWidth, pad: padWidth, dilation: dilationWidth, kernel: kernelWidth, size: inWidth)
            let y0 = oy * strideHeight - padHeight, x0 = ox * strideWidth - padWidth
            for group in 0..<groups {
                let first = group * icpg, oc0 = group * ocpg
                // Flat input and weight (of channel oc0) index of tap (ky, kx, ic).
                func input(_ ky: Int, _ kx: Int, _ ic: Int) -> Int {
                    let iy = y0 + ky * dilationHeight, ix = x0 + kx * dilationWidth
                    return nhwc ? ((n * inHeight + iy) * inWidth + ix) * inChannels + first + ic : ((n * inChannels + first + ic) * inHeight + iy) * inWidth + ix
                }
                func weight(_ ky: Int, _ kx: Int, _ ic: Int) -> Int {
                    weightLayout.offset(oc0, ic, ky, kx, out: outChannels, in: icpg, height: kernelHeight, width: kernelWidth)
                }
                runs.removeAll(keepingCapacity: true)
                if !rows.isEmpty && !columns.isEmpty {
                    if icpg >= columns.count {
                        for ky in rows { for kx in columns {
                            runs.append(TapRun(input: input(ky, kx, 0), weight: weight(ky, kx, 0), count: icpg, inputStride: inputPerChannel, weightStride: weightPerChannel))
                        } }
                    } else {
                        for ky in rows { for ic in 0..<icpg {
                            runs.append(TapRun(input: input(ky, columns.lowerBound, ic), weight: weight(ky, columns.lowerBound, ic), count: columns.count,
                                               inputStride: inputPerColumn, weightStride: weightPerColumn))
                        } }
                    }
                }
                let firstOutput = nhwc ? ((n * outHeight + oy) * outWidth + ox) * outChannels + oc0 : ((n * outChannels + oc0) * outHeight + oy) * outWidth + ox
                body(TapGroup(runs: runs, firstChannel: oc0, channels: ocpg, firstOutput: firstOutput,
                              outputStride: nhwc ? 1 : outHeight * outWidth, weightStride: icpg * taps))
            }
        } } }
    }

    var channelVariable: String { "oc" }

    /// FBGEMM reduces a convolution over its im2col row, NHWC order (ky, kx, ic) within the group,
    /// whose adjacent pairs `fbgemm(saturatingPairs)` saturates: for NCHW taps (enumerated ic, ky,
    /// kx) the tap indices in that order.
    var fbgemmTapOrder: [Int]? {
        guard layout != .nhwc else { return nil }
        let taps = kernelHeight * kernelWidth
        return (0..<kernelHeight).flatMap { ky in
            (0..<kernelWidth).flatMap { kx in (0..<inChannelsPerGroup).map { ic in ic * taps + ky * kernelWidth + kx } }
        }
    }

    /// A depthwise convolution on NHWC (one input channel per output channel): its kernel runs over the
    /// channels of a pixel, with the weights packed [ky][kx][c] so that both operands are contiguous.
    var isDepthwiseNHWC: Bool { layout == .nhwc && groups == inChannels && outChannels == inChannels }

    /// Output channels per tile of the NHWC kernels (the depthwise one's are wider): the kernel's
    /// accumulators and InPlace's model of its accesses both read it.
    var nhwcTileChannels: Int {
        isDepthwiseNHWC ? min(outChannels, Conv2dNHWCKernel.maxDepthwiseTile) : min(outChannelsPerGroup, Conv2dKernel.maxTileWidth)
    }

    var packedWeightOrder: [Int]? {
        guard isDepthwiseNHWC else { return nil }
        let taps = kernelHeight * kernelWidth
        return (0..<taps).flatMap { tap in (0..<outChannels).map { c in c * taps + tap } }
    }

    var packedWeightText: String? {
        isDepthwiseNHWC ? "[\(kernelHeight)][\(kernelWidth)][\(outChannels)] (depthwise, packed tap-major for the kernel)" : nil
    }

    /// An NCHW convolution whose output channels per group fill the four-row reduction runs the
    /// gathered-window kernel too (its window in the OIHW weights' order, ic then ky, kx); a depthwise
    /// or nearly depthwise one keeps the row kernel, and so does `fbgemm(saturatingPairs)`, whose pairs
    /// follow FBGEMM's im2col order.
    func gathersWindow(saturatesPairs: Bool) -> Bool {
        layout == .nhwc || (!saturatesPairs && outChannelsPerGroup >= 4 && kernelHeight * kernelWidth <= DotReduction.maxBufferValues)
    }

    func kernel(_ common: KernelCommon, saturatesPairs: Bool) -> any KernelContext {
        let hasPadding = padHeight > 0 || padWidth > 0 || needsBottomRightPadding
        if gathersWindow(saturatesPairs: saturatesPairs) {
            let taps = kernelHeight * kernelWidth, icpg = inChannelsPerGroup, nhwc = layout == .nhwc
            // NHWC: whole taps while they fit the buffer (the largest divisor of the taps that does, so that
            // every chunk has the same constant length), else one tap in chunks of its channels. NCHW: chunks
            // of whole channels (all their taps).
            let channels = nhwc ? DotReduction.Chunks(count: icpg) : DotReduction.Chunks(count: icpg, limit: DotReduction.maxBufferValues / taps)
            let tapsPerChunk = !nhwc ? taps : channels.size < icpg ? 1
                : (1...taps).last { taps % $0 == 0 && $0 * icpg <= DotReduction.maxBufferValues } ?? 1
            let chunkChannels = channels.lengthExpression(count: icpg, start: "j0")
            let vnni = VNNIPointwise(self, common: common, hasPadding: hasPadding, saturatesPairs: saturatesPairs)
            let madd = isDepthwiseNHWC ? nil : MaddConvolution(self, common: common, saturatesPairs: saturatesPairs)
            var common = common
            // NCHW outputs of a tile are a plane apart: the scalar output stage.
            if !nhwc { common.tileRequantize = false }
            let inputPixel = "((n * \(inHeight) + iy) * \(inWidth) + ix) * \(inChannels) + g * \(icpg)"
            let inputPlane = { (j: String) in "((n * \(inChannels) + g * \(icpg) + \(j)) * \(inHeight) + iy) * \(inWidth) + ix" }
            return Conv2dNHWCKernel(common: common, geometry: self, hasPadding: hasPadding,
                                    inChannelsPerGroup: icpg, outChannelsPerGroup: outChannelsPerGroup,
                                    depthwise: isDepthwiseNHWC, tileChannels: nhwcTileChannels,
                                    taps: taps, tapsPerChunk: tapsPerChunk, channelsPerChunk: channels.size, chunkChannels: chunkChannels,
                                    chunkValues: channels.uniform ? "\(tapsPerChunk * channels.size)" : nhwc ? chunkChannels : "\(chunkChannels) * \(taps)",
                                    windowSize: taps * icpg, windowBufferSize: tapsPerChunk * channels.size,
                                    rowChannelIndex: common.channelIndex == "0" ? "0" : "oc + j",
                                    tapTerms: isDepthwiseNHWC ? (0..<taps).map { Conv2dNHWCKernel.TapTerm(index: $0, weightOffset: $0 * outChannels) } : [],
                                    vnni: vnni, signedInput: common.inputType == DType.int8.rawValue,
                                    madd: madd, maddDepthwise: isDepthwiseNHWC ? MaddDepthwise(self, common: common) : nil,
                                    x86Path: vnni != nil || madd != nil,
                                    channelsFirst: !nhwc, windowOrder: nhwc ? "ky, kx, ic" : "ic, ky, kx",
                                    chunkSlot: nhwc ? "at + j" : "j * \(taps) + t",
                                    chunkInputIndex: nhwc ? "\(inputPixel) + j0 + j" : inputPlane("j0 + j"),
                                    chunkWeightOffset: nhwc ? "t0 * \(icpg) + j0" : "j0 * \(taps)",
                                    windowSlot: nhwc ? "t * \(icpg) + j" : "j * \(taps) + t",
                                    inputIndex: nhwc ? "\(inputPixel) + j" : inputPlane("j"),
                                    outputIndex: nhwc ? "((n * \(outHeight) + oy) * \(outWidth) + ox) * \(outChannels) + oc"
                                        : "((n * \(outChannels) + oc) * \(outHeight) + oy) * \(outWidth) + ox")
        }
        return Conv2dKernel(common: common, geometry: self, hasPadding: hasPadding,
                     inChannelsPerGroup: inChannelsPerGroup, outChannelsPerGroup: outChannelsPerGroup,
                     inPlaneSize: inHeight * inWidth, kernelSize: kernelHeight * kernelWidth, saturatesPairs: saturatesPairs,
                     tileWidth: min(outWidth, Conv2dKernel.maxTileWidth))
    }
}

extension Conv2dGeometry {
    /// Whether the last window reaches past the input's bottom or right edge (SAME padding).
    var needsBottomRightPadding: Bool {
        (outHeight - 1) * strideHeight - padHeight + (kernelHeight - 1) * dilationHeight >= inHeight
            || (outWidth - 1) * strideWidth - padWidth + (kernelWidth - 1) * dilationWidth >= inWidth
    }
}

/// Templates/kernel_conv2d_nhwc.mustache: the gathered-window kernels, channel-innermost over NHWC data and OHWI
/// weights, or over NCHW data and OIHW weights with each pixel's window gathered from the planes (`channelsFirst`).
struct Conv2dNHWCKernel: KernelContext, DotReducing {
    var template: String { "kernel_conv2d_nhwc" }
    var common: KernelCommon
    var geometry: Conv2dGeometry
    var hasPadding: Bool
    var inChannelsPerGroup: Int
    var outChannelsPerGroup: Int
    /// One input channel per output channel: a pixel's channels in tiles of `tileChannels` int32
    /// accumulators, weights packed [ky][kx][c], a pointer per tap.
    var depthwise: Bool
    /// Output channels per tile: their int32 accumulators on the stack, then the tile's output stage.
    var tileChannels: Int
    /// Kernel taps (ky, kx) per output. Each pixel's window (OHWI order, padded taps reading the input
    /// zero point) is gathered into a stack buffer of `windowBufferSize` values and reduced in chunks:
    /// `tapsPerChunk` taps of `channelsPerChunk` channels (`chunkChannels`: the C length of the channel
    /// chunk at `j0`; `chunkValues`: of the whole chunk), at most DotReduction.maxBufferValues.
    var taps: Int
    var tapsPerChunk: Int
    var channelsPerChunk: Int
    var chunkChannels: String
    var chunkValues: String
    var windowSize: Int
    var windowBufferSize: Int
    /// Row `j` of a group of four channels' per-channel index (weight zero points).
    var rowChannelIndex: String
    /// Depthwise: one term per tap of each channel's sum, written out (tap pointer, packed weights' row).
    var tapTerms: [TapTerm]

    /// The x86 AVX512-VNNI matrix product of a 1x1 convolution (QGEN_X86_VNNI), when the layer allows it.
    var vnni: VNNIPointwise?
    var signedInput: Bool
    /// The x86 AVX2 paths (QGEN_X86_MADD): the int16-pair matrix product of the other convolutions, when
    /// the layer allows it, and the tap-pair depthwise kernel.
    var madd: MaddConvolution?
    var maddDepthwise: MaddDepthwise?
    /// Whether the non-depthwise kernel has an x86 path before its portable one (`#if` ... `#else`).
    var x86Path: Bool
    /// NCHW data and OIHW weights (the window in `windowOrder`): C expressions of a chunk's window slot
    /// (`chunkSlot`, for channel j of the chunk at j0 and tap t), its input index and its first weight;
    /// the whole window's slot and input index (the x86 matrix product, channel j of the group); an
    /// output index (channel oc).
    var channelsFirst: Bool
    var windowOrder: String
    var chunkSlot: String
    var chunkInputIndex: String
    var chunkWeightOffset: String
    var windowSlot: String
    var inputIndex: String
    var outputIndex: String

    var dotInputType: String? { depthwise ? nil : common.inputType }
    var tileOutputType: String? { common.tileRequantize ? common.outputType : nil }
    var usesTargetPaths: Bool { x86Path || maddDepthwise != nil }

    struct TapTerm: Equatable, Sendable {
        var index: Int
        var weightOffset: Int
    }

    /// Depthwise tiles are wider than the other kernels' (a tile of 96 channels ran 1.4x faster than
    /// 64 + 32 at -O3 on x86, whose vectorized loops then need no remainder): 640 bytes of stack.
    static let maxDepthwiseTile = 128
}

/// A 1x1 NHWC convolution as a matrix product on x86's VPDPBUSD (kernel_conv2d_nhwc, QGEN_X86_VNNI): the
/// weights of a block of `vnniBlock` output channels repacked on the stack as [k / 4][channel][4], four
/// pixels at a time. Only where that computes what the portable kernel does: no padding, one group, no
/// weight zero point, channels a multiple of 4 (whole groups of four bytes), not FBGEMM's pair-saturating
/// sums, not written over its input (InPlace.swift models the portable kernel's order), enough pixels to
/// pay for the repacking, and at most 32 KB of repacked weights.
struct VNNIPointwise: Equatable, Sendable {
    var vnniQuads: Int
    var vnniVectors: Int
    var vnniBlock: Int
    var vnniPackedBytes: Int
    var vnniPixels: Int

    static let maxPackedBytes = 32 * 1024

    init?(_ g: Conv2dGeometry, common: KernelCommon, hasPadding: Bool, saturatesPairs: Bool) {
        guard g.layout == .nhwc, g.kernelHeight == 1, g.kernelWidth == 1, !hasPadding, g.groups == 1, !common.hasWeightZeroPoint, !saturatesPairs,
              !common.writesOverItsInput, g.inChannels % 4 == 0, g.outHeight * g.outWidth >= 16 else { return nil }
        vnniVectors = min(4, (g.outChannels + 15) / 16)
        vnniBlock = 16 * vnniVectors
        vnniQuads = g.inChannels / 4
        vnniPackedBytes = g.inChannels * vnniBlock
        vnniPixels = g.outHeight * g.outWidth
        guard vnniPackedBytes <= Self.maxPackedBytes else { return nil }
    }
}

/// A gathered-window convolution (NHWC other than depthwise, or NCHW) as a matrix product of int16 pairs on x86's VPMADDWD
/// (kernel_conv2d_nhwc, QGEN_X86_MADD, AVX2): per group and block of `maddBlock` output channels (8 per
/// vector, up to 4 vectors) the weights, less their zero point, repacked on the stack as int16
/// [k / 2][channel][2]; per pixel the group's window widened to int16 and reduced one broadcast pair
/// at a time into `maddVectors` vectors of int32 accumulators. Exact like the portable kernel (every
/// pair sum of 8-bit values times weights less a zero point is far inside int32, and int32 sums in any
/// order are the same when no partial sum overflows, which the lowering proves), so it is used
/// wherever it computes the same thing: not FBGEMM's pair-saturating sums, not written over its input
/// unless one block covers the layer (then its pixel order is the portable kernel's), enough pixels to
/// pay for the repacking, and at most 32 KB of repacked weights (narrower blocks for long windows).
struct MaddConvolution: Equatable, Sendable {
    var maddPairs: Int
    var maddBlock: Int
    var maddVectors: Int
    var maddPackedBytes: Int
    var maddOddWindow: Bool

    static let maxPackedBytes = 32 * 1024

    init?(_ g: Conv2dGeometry, common: KernelCommon, saturatesPairs: Bool) {
        let window = g.kernelHeight * g.kernelWidth * g.inChannelsPerGroup
        maddPairs = (window + 1) / 2
        maddOddWindow = window % 2 == 1
        var vectors = min(4, (g.outChannelsPerGroup + 7) / 8)
        // int16 [pairs][block][2]: 4 bytes per pair and channel.
        while vectors > 1 && 4 * maddPairs * 8 * vectors > Self.maxPackedBytes { vectors -= 1 }
        maddVectors = vectors
        maddBlock = 8 * vectors
        maddPackedBytes = 4 * maddPairs * maddBlock
        let blocks = g.groups * ((g.outChannelsPerGroup + maddBlock - 1) / maddBlock)
        guard !saturatesPairs, maddPackedBytes <= Self.maxPackedBytes, g.outHeight * g.outWidth >= 16,
              !common.writesOverItsInput || blocks == 1 else { return nil }
    }
}

/// The NHWC depthwise kernel on x86's VPMADDWD (kernel_conv2d_nhwc, QGEN_X86_MADD, AVX2): the taps in
/// pairs (`maddTaps` pointers, the last odd one repeated with a zero weight), the weights less their
/// zero point repacked on the stack as int16 [tap / 2][channel][2]. Same tiles and order as the portable
/// kernel, so in place too; at most 32 KB of repacked weights (a 3x3 kernel: 1,638 channels).
struct MaddDepthwise: Equatable, Sendable {
    var maddTapPairs: Int
    var maddTaps: Int
    var maddOddTap: Bool
    var maddPackedBytes: Int
    /// The intrinsic that widens interleaved input bytes to int16 (zero- or sign-extending).
    var maddWiden: String

    init?(_ g: Conv2dGeometry, common: KernelCommon) {
        let taps = g.kernelHeight * g.kernelWidth
        maddTapPairs = (taps + 1) / 2
        maddTaps = 2 * maddTapPairs
        maddOddTap = taps % 2 == 1
        maddPackedBytes = maddTaps * g.outChannels * 2
        maddWiden = common.inputType == DType.int8.rawValue ? "_mm256_cvtepi8_epi16" : "_mm256_cvtepu8_epi16"
        guard maddPackedBytes <= MaddConvolution.maxPackedBytes else { return nil }
    }
}

/// Templates/kernel_conv2d.mustache.
struct Conv2dKernel: KernelContext {
    var template: String { "kernel_conv2d" }
    var common: KernelCommon
    var geometry: Conv2dGeometry
    var hasPadding: Bool
    // Derived sizes the template needs as stored values (templates see stored properties only).
    var inChannelsPerGroup: Int
    var outChannelsPerGroup: Int
    var inPlaneSize: Int
    var kernelSize: Int
    /// `fbgemm(saturatingPairs)`: FBGEMM's im2col order (ky, kx, ic) with int16-saturated pairs.
    var saturatesPairs: Bool
    /// Output columns accumulated together (an int32 array on the stack): the row, up to maxTileWidth.
    var tileWidth: Int

    static let maxTileWidth = 64
}
