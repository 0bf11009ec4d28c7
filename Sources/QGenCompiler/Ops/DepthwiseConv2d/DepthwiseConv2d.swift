import QGen

// DepthwiseConv2d: a convolution with one group per input channel (Conv2d's geometry with
// groups = C, outChannels = C · depthMultiplier); its 1HWC weights are reordered to the kernel's
// OHWI (NHWC) or OIHW (NCHW) at resolution. The integer sums equal TFLite's DEPTHWISE_CONV_2D.

extension DepthwiseConv2d: ResolvableOp {
    var kindName: String { "DepthwiseConv2d" }

    func resolve(_ context: ResolveContext, log: inout DiagnosticLog) -> (ResolvedOp, OutputType)? {
        ConvolutionResolver(context: context, kernel: kernel, stride: stride, padding: padding, dilation: dilation,
                            weight: weight, bias: bias, batchNorm: batchNorm, output: output, activation: activation)
            .resolve(outChannels: 0, groups: nil, weightLayout: weightLayout, depthMultiplier: depthMultiplier, log: &log)
    }
}
