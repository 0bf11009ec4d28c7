import QGen

// MaxPool2d / AvgPool2d: TFLite's MAX_POOL_2D and AVERAGE_POOL_2D int8 reference kernels
// (reference_integer_ops/pooling.h). For each output element the window is clipped to the input
// (padding takes no part); max starts from the type's lowest code; the average is
// `sum > 0 ? (sum + count/2) / count : (sum − count/2) / count` with C's truncating division
// (round half away from zero), then the activation's clamp. Input and output share one quantization.

extension Pool2d: ResolvableOp {
    var kindName: String { kind == .max ? "MaxPool2d" : "AvgPool2d" }

    func resolve(_ context: ResolveContext, log: inout DiagnosticLog) -> (ResolvedOp, OutputType)? {
        let what = context.what, at = context.location
        let source = context.inputs[0]
        var ok = true
        func fail(_ message: String) {
            log.error("\(what): \(message)", at: at)
            ok = false
        }
        guard let image = ImageShape(source) else {
            fail("needs a 4-D input ([N, C, H, W] or [N, H, W, C]), but \(source.producerText) produces \(source.shape)")
            return nil
        }
        let padding = self.padding.explicitSize
        for (label, size, minimum) in [("kernel", kernel, 1), ("stride", stride, 1), ("padding", padding, 0)] {
            guard let size else { continue }
            if size.elementCount != 2 { fail("\(label) must be one integer or [height, width], got \(size.elementCount) values") }
            if size.height < minimum || size.width < minimum || size.height > SizeLimits.maxDimension || size.width > SizeLimits.maxDimension {
                fail("\(label) must be in \(minimum)...\(SizeLimits.maxDimension), got \(size)")
            }
        }
        if let padding, ok, padding.height >= kernel.height || padding.width >= kernel.width {
            fail("padding \(padding) must be smaller than the kernel \(kernel), or a window could cover padding only")
        }
        if ceilMode && (kind != .max || padding == nil) {
            fail(kind != .max ? "ceilMode applies to MaxPool2d (an average's window count would change); round the output down, or pad explicitly"
                              : "ceilMode needs explicit padding (SAME already rounds up)")
        }
        if case .clamp(let lo, let hi) = activation, !(lo.isFinite && hi.isFinite && lo < hi) {
            fail("clamp(min: \(lo), max: \(hi)) needs finite bounds with min < max")
        }
        guard ok else { return nil }
        guard var rows = WindowAxis(input: image.height, kernel: kernel.height, stride: stride.height, dilation: 1, padding: padding?.height),
              var columns = WindowAxis(input: image.width, kernel: kernel.width, stride: stride.width, dilation: 1, padding: padding?.width) else {
            fail("kernel \(kernel) is larger than the padded input (\(source.producerText) produces \(source.shape))")
            return nil
        }
        if ceilMode {
            rows.roundUp(input: image.height, kernel: kernel.height, stride: stride.height)
            columns.roundUp(input: image.width, kernel: kernel.width, stride: stride.width)
        }
        let geometry = PoolGeometry(batch: image.batch, channels: image.channels, inHeight: image.height, inWidth: image.width,
                                    outHeight: rows.output, outWidth: columns.output, kernelHeight: kernel.height, kernelWidth: kernel.width,
                                    strideHeight: stride.height, strideWidth: stride.width, padTop: rows.padBefore, padLeft: columns.padBefore,
                                    layout: image.layout)
        let shape = image.layout == .nhwc ? [image.batch, rows.output, columns.output, image.channels] : [image.batch, image.channels, rows.output, columns.output]
        return (.pool2d(ResolvedPool(kind: kind, geometry: geometry, activation: activation)), OutputType(shape: shape, layout: image.layout, quant: source.quant))
    }
}

/// Which input elements each pooling window covers.
public struct PoolGeometry: Equatable, Codable, Sendable {
    public var batch, channels, inHeight, inWidth, outHeight, outWidth: Int
    public var kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padLeft: Int
    public var layout: Layout

    /// Element strides of (n, c, y, x) in a tensor of `height × width` in this layout.
    func strides(height: Int, width: Int) -> (n: Int, c: Int, y: Int, x: Int) {
        layout == .nhwc ? (height * width * channels, 1, width * channels, channels) : (channels * height * width, height * width, width, 1)
    }

    /// Calls `body(n, c, oy, ox, inputs)` for every output element in memory order, with the flat
    /// indices of the input elements its window covers.
    func forEachWindow(_ body: (_ output: Int, _ inputs: [Int]) -> Void) {
        let i = strides(height: inHeight, width: inWidth), o = strides(height: outHeight, width: outWidth)
        for n in 0..<batch { for c in 0..<channels { for oy in 0..<outHeight { for ox in 0..<outWidth {
            let y0 = oy * strideHeight - padTop, x0 = ox * strideWidth - padLeft
            var covered: [Int] = []
            for y in max(y0, 0)..<min(y0 + kernelHeight, inHeight) {
                for x in max(x0, 0)..<min(x0 + kernelWidth, inWidth) { covered.append(n * i.n + c * i.c + y * i.y + x * i.x) }
            }
            body(n * o.n + c * o.c + oy * o.y + ox * o.x, covered)
        } } } }
    }
}

public struct ResolvedPool: Equatable, Codable, Sendable {
    public var kind: Pool2d.Kind
    public var geometry: PoolGeometry
    public var activation: Activation
}

extension ResolvedPool: OpLowering {
    func lower(_ node: ResolvedNode, in model: ResolvedModel, log: inout DiagnosticLog) -> (LoweredOp, RealOp)? {
        // Max pooling is exact on every stack; averages round differently in PyTorch and ONNX Runtime.
        if kind == .average && !SchemeSupport.requireFixedPoint(node, scheme: model.scheme, what: "average pooling, which rounds differently,", log: &log) {
            return nil
        }
        guard let clamp = ActivationRange(activation, output: model.tensors[node.output].quant, what: node.what, at: node.location, log: &log) else { return nil }
        return (.pool2d(LoweredPool(kind: kind, geometry: geometry, activationMin: clamp.min, activationMax: clamp.max, activationText: clamp.text)),
                .activation(activation))
    }
}

public struct LoweredPool: Equatable, Codable, Sendable {
    public var kind: Pool2d.Kind
    public var geometry: PoolGeometry
    public var activationMin: Int32
    public var activationMax: Int32
    public var activationText: String
}

extension LoweredPool: LoweredKernel {
    public func run(_ inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [Int32] {
        let x = inputs[0]
        let lowest = Int32(model.tensors[node.output].dtype.range.lowerBound)
        var y = Array(repeating: Int32(0), count: model.tensors[node.output].count)
        geometry.forEachWindow { out, covered in
            var v: Int32
            switch kind {
            case .max:
                v = covered.reduce(lowest) { max($0, x[$1]) }
            case .average:
                let sum = covered.reduce(Int32(0)) { $0 + x[$1] }, count = Int32(covered.count)
                v = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count   // Swift's / truncates, as C's
            }
            y[out] = min(max(v, activationMin), activationMax)
        }
        return y
    }

    public func explain(_ flat: Int, inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [String] {
        var lines: [String] = []
        let x = inputs[0]
        geometry.forEachWindow { out, covered in
            guard out == flat else { return }
            let values = covered.map { x[$0] }
            lines.append("window: \(covered.count) input elements (padding excluded) \(values.prefix(32).map(String.init).joined(separator: ", "))\(values.count > 32 ? ", ..." : "")")
            switch kind {
            case .max:
                lines.append("max = \(values.max() ?? 0)")
            case .average:
                let sum = values.reduce(Int32(0), +), count = Int32(values.count)
                let v = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count
                lines.append("sum = \(sum); TFLite's rounded division (sum ± count/2) / count, truncating = \(v)")
            }
        }
        lines.append("clamp [\(activationMin), \(activationMax)] = \(run(inputs, node: node, in: model)[flat])")
        return lines
    }

    public func runReal(_ inputs: [[Double]], node: LoweredNode, real: RealModel) -> [Double] {
        guard case .activation(let activation)? = real.nodes[node.name] else { preconditionFailure("no real parameters for '\(node.name)'") }
        let x = inputs[0]
        var y = Array(repeating: 0.0, count: geometry.batch * geometry.channels * geometry.outHeight * geometry.outWidth)
        geometry.forEachWindow { out, covered in
            let values = covered.map { x[$0] }
            y[out] = activation.apply(kind == .max ? values.max()! : values.reduce(0, +) / Double(values.count))
        }
        return y
    }

    public func emit(_ node: LoweredNode, in model: LoweredModel, options: EmitOptions) -> EmittedNode {
        let x = model.tensors[node.inputs[0]]
        let i = geometry.strides(height: geometry.inHeight, width: geometry.inWidth), o = geometry.strides(height: geometry.outHeight, width: geometry.outWidth)
        return EmittedNode(arrays: [], kernel: Pool2dKernel(
            names: EmittedNames.Layer(cName: node.cName), layerName: node.name, location: "\(node.location.fileName):\(node.location.line)",
            isMax: kind == .max, layout: geometry.layout.rawValue.uppercased(), type: x.dtype.rawValue, cType: Emitter.cType(x.dtype),
            lowest: x.dtype.range.lowerBound, geometry: geometry,
            inN: i.n, inC: i.c, inY: i.y, inX: i.x, outN: o.n, outC: o.c, outY: o.y, outX: o.x,
            activationText: activationText, activationMin: activationMin, activationMax: activationMax))
    }
}

/// Templates/kernel_pool2d.mustache.
struct Pool2dKernel: KernelContext {
    var template: String { "kernel_pool2d" }
    var names: EmittedNames.Layer
    var layerName: String
    var location: String
    var isMax: Bool
    var layout: String
    var type: String
    var cType: String
    var lowest: Int
    var geometry: PoolGeometry
    /// Element strides of n, c, y, x in the input and output.
    var inN, inC, inY, inX, outN, outC, outY, outX: Int
    var activationText: String
    var activationMin: Int32
    var activationMax: Int32
}
