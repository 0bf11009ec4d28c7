import QGen

// Conv2d on NCHW activations with OIHW weights, PyTorch's semantics (padding reads the input zero
// point, real 0). The output stage and constants are the multiply-accumulate family's.

extension Conv2d: ResolvableOp {
    static var kindName: String { "Conv2d" }

    func resolve(_ context: ResolveContext, log: inout DiagnosticLog) -> (ResolvedOp, OutputType)? {
        let what = context.what, at = context.location
        let source = context.inputs[0]
        let inputShape = source.shape
        var ok = true
        func fail(_ message: String) {
            log.error("\(what): \(message)", at: at)
            ok = false
        }
        guard inputShape.count == 4 else {
            fail("needs a [N, C, H, W] input, but \(source.producerText) produces \(inputShape)")
            return nil
        }
        guard source.layout != .nhwc else {
            fail("reads \(source.producerText), an NHWC tensor; Conv2d takes NCHW input (declare the Input with layout: .nchw)")
            return nil
        }
        let (batch, inC, inH, inW) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        for (label, size, minimum) in [("kernel", kernel, 1), ("stride", stride, 1), ("padding", padding, 0), ("dilation", dilation, 1)] {
            if size.elementCount != 2 { fail("\(label) must be one integer or [height, width], got \(size.elementCount) values") }
            if size.height < minimum || size.width < minimum || size.height > SizeLimits.maxDimension || size.width > SizeLimits.maxDimension {
                fail("\(label) must be in \(minimum)...\(SizeLimits.maxDimension), got \(size)")
            }
        }
        if outChannels < 1 || outChannels > SizeLimits.maxDimension { fail("outChannels must be in 1...\(SizeLimits.maxDimension), got \(outChannels)") }
        if groups < 1 {
            fail("groups must be ≥ 1, got \(groups)")
        } else if inC % groups != 0 || outChannels % groups != 0 {
            fail("groups = \(groups) must divide both the input channels (\(inC), from \(source.producerText)) and outChannels (\(outChannels))")
        }
        Resolver.checkOutput(output, activation: activation, what: what, at: at, log: &log)
        guard ok else { return nil }
        let extentH = dilation.height * (kernel.height - 1) + 1
        let extentW = dilation.width * (kernel.width - 1) + 1
        let paddedH = inH + 2 * padding.height, paddedW = inW + 2 * padding.width
        guard extentH <= paddedH && extentW <= paddedW else {
            fail("kernel \(kernel) with dilation \(dilation) spans \(extentH)×\(extentW), larger than the padded input \(paddedH)×\(paddedW) (\(source.producerText) produces \(inputShape))")
            return nil
        }
        let outH = (paddedH - extentH) / stride.height + 1
        let outW = (paddedW - extentW) / stride.width + 1
        guard SizeLimits.check(what: what, at: at, ("output", [batch, outChannels, outH, outW]),
                               ("weight", [outChannels, inC / groups, kernel.height, kernel.width]), log: &log) else { return nil }
        let geometry = Conv2dGeometry(
            batch: batch, inChannels: inC, inHeight: inH, inWidth: inW, outChannels: outChannels, outHeight: outH, outWidth: outW,
            kernelHeight: kernel.height, kernelWidth: kernel.width, strideHeight: stride.height, strideWidth: stride.width,
            padHeight: padding.height, padWidth: padding.width, dilationHeight: dilation.height, dilationWidth: dilation.width,
            groups: groups)
        guard let mac = MACResolver(baseDirectory: context.baseDirectory, what: what, at: at)
            .resolve(geometry: .conv2d(geometry), weight: weight, bias: bias, activation: activation, log: &log) else { return nil }
        return (.multiplyAccumulate(mac), OutputType(shape: [batch, outChannels, outH, outW], layout: .nchw, quant: output))
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

    public var inChannelsPerGroup: Int { inChannels / groups }
    public var outChannelsPerGroup: Int { outChannels / groups }

    var outputChannels: Int { outChannels }
    var tapsPerOutput: Int { inChannelsPerGroup * kernelHeight * kernelWidth }
    var weightShape: [Int] { [outChannels, inChannelsPerGroup, kernelHeight, kernelWidth] }
    var weightLayoutText: String { "[outChannels, inChannels / groups, kH, kW]" }
    var outputCount: Int { batch * outChannels * outHeight * outWidth }
    func outputChannel(of flat: Int) -> Int { (flat / (outHeight * outWidth)) % outChannels }

    /// Taps in weight order: input channel of the group, then ky, kx.
    func forEachTap(of flat: Int, _ body: (_ input: Int?, _ weight: Int) -> Void) {
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

    var channelVariable: String { "oc" }

    func kernel(_ common: KernelCommon, saturatesPairs: Bool) -> any KernelContext {
        Conv2dKernel(common: common, geometry: self, hasPadding: padHeight > 0 || padWidth > 0,
                     inChannelsPerGroup: inChannelsPerGroup, outChannelsPerGroup: outChannelsPerGroup,
                     inPlaneSize: inHeight * inWidth, kernelSize: kernelHeight * kernelWidth)
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
}
