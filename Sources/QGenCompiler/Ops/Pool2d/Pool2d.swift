import QGen
import QGenArithmetic

// MaxPool2d / AvgPool2d: TFLite's MAX_POOL_2D and AVERAGE_POOL_2D int8 reference kernels
// (reference_integer_ops/pooling.h). For each output element the window is clipped to the input
// (padding takes no part); max starts from the type's lowest code; the average is
// `sum > 0 ? (sum + count/2) / count : (sum − count/2) / count` with C's truncating division
// (round half away from zero), then the activation's clamp. Input and output share one quantization.
// Under fbgemm and qnnpack the average is PyTorch's instead (PyTorchAverage.swift); max pooling is
// the same on every stack.

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
        if ceilMode && padding == nil { fail("ceilMode needs explicit padding (SAME already rounds up)") }
        if kind == .max && (countIncludePad || divisor != nil) {
            fail("countIncludePad and divisor are average pooling's; a maximum takes neither")
        }
        if countIncludePad && padding == nil { fail("countIncludePad needs explicit padding (PyTorch pads both sides alike)") }
        if let d = divisor, !(1...(1 << 24)).contains(d) { fail("divisor \(d) must be in 1...16777216") }
        if !MemoryFormats.check(memoryFormats, context, log: &log) { ok = false }
        if let output {
            if kind == .max { fail("MaxPool2d keeps its input's quantization; give no output:") }
            Resolver.checkActivationQuant(output, what: "\(what) output", at: at, log: &log)
            if output.dtype != source.quant.dtype {
                fail("its output is \(output.dtype) but its input \(source.producerText) is \(source.quant.dtype); pooling keeps the integer type")
            }
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
        return (.pool2d(ResolvedPool(kind: kind, geometry: geometry, activation: activation, ceilMode: ceilMode, countIncludePad: countIncludePad,
                                     divisor: divisor, memoryFormats: memoryFormats)),
                OutputType(shape: shape, layout: image.layout, quant: output ?? source.quant))
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

    /// The window of output row (or column) `o` along an axis of `input` elements with `pad` on
    /// each side: the input elements it covers, and its extent over the padded input (PyTorch's
    /// `count_include_pad` size; with ceil mode the last window may end past the padding and is cut
    /// there).
    static func window(_ o: Int, input: Int, kernel: Int, stride: Int, pad: Int) -> (covered: Int, extent: Int) {
        let start = o * stride - pad, end = min(start + kernel, input + pad)
        return (min(end, input) - max(start, 0), end - start)
    }

    /// Every output row's and every output column's window.
    var rowWindows: [(covered: Int, extent: Int)] {
        (0..<outHeight).map { Self.window($0, input: inHeight, kernel: kernelHeight, stride: strideHeight, pad: padTop) }
    }
    var columnWindows: [(covered: Int, extent: Int)] {
        (0..<outWidth).map { Self.window($0, input: inWidth, kernel: kernelWidth, stride: strideWidth, pad: padLeft) }
    }

    /// Calls `body(output, inputs, window)` for every output element in memory order, with the flat
    /// indices of the input elements its window covers and the window's channel, row and column.
    func forEachWindow(_ body: (_ output: Int, _ inputs: [Int], _ window: (c: Int, oy: Int, ox: Int)) -> Void) {
        let i = strides(height: inHeight, width: inWidth), o = strides(height: outHeight, width: outWidth)
        for n in 0..<batch { for c in 0..<channels { for oy in 0..<outHeight { for ox in 0..<outWidth {
            let y0 = oy * strideHeight - padTop, x0 = ox * strideWidth - padLeft
            var covered: [Int] = []
            for y in max(y0, 0)..<min(y0 + kernelHeight, inHeight) {
                for x in max(x0, 0)..<min(x0 + kernelWidth, inWidth) { covered.append(n * i.n + c * i.c + y * i.y + x * i.x) }
            }
            body(n * o.n + c * o.c + oy * o.y + ox * o.x, covered, (c, oy, ox))
        } } } }
    }
}

public struct ResolvedPool: Equatable, Codable, Sendable {
    public var kind: Pool2d.Kind
    public var geometry: PoolGeometry
    public var activation: Activation
    /// PyTorch's options (Pool2d).
    public var ceilMode: Bool
    public var countIncludePad: Bool
    public var divisor: Int?
    public var memoryFormats: [MemoryFormat]

    /// Whether count_include_pad or the divisor changes some window's divisor from the number of
    /// input elements it covers.
    var changesDivisors: Bool {
        if let d = divisor { return d != 1 || geometry.kernelHeight * geometry.kernelWidth != 1 }
        guard countIncludePad else { return false }
        return (geometry.rowWindows + geometry.columnWindows).contains { $0.covered != $0.extent }
    }
}

extension ResolvedPool: OpLowering {
    func lower(_ node: ResolvedNode, in model: ResolvedModel, log: inout DiagnosticLog) -> (LoweredOp, RealOp)? {
        // Max pooling is exact on every stack; averages round differently in PyTorch and ONNX Runtime.
        var pytorch: PyTorchAverage?, onnxRuntime: ONNXRuntimeAverage?
        let input = model.tensors[node.inputs[0]].quant, output = model.tensors[node.output].quant
        if output != input && model.scheme != .onnxRuntime {
            log.error("\(node.what): the \(model.scheme) scheme's average pooling keeps its input's quantization (scale \(input.scale), zero point \(input.zeroPoint)), as TFLite and PyTorch do; only ONNX Runtime's QLinearAveragePool (onnxRuntime) requantizes. Leave output: out", at: node.location)
            return nil
        }
        if kind == .average {
            switch model.scheme {
            case .fbgemm, .qnnpack:
                guard let stage = PyTorchAverage.lower(self, node, in: model, log: &log) else { return nil }
                pytorch = stage
            case .onnxRuntime:
                guard let stage = ONNXRuntimeAverage.lower(self, node, in: model, log: &log) else { return nil }
                onnxRuntime = stage
            default:
                if changesDivisors {
                    log.error("\(node.what): countIncludePad and divisor are PyTorch's (the fbgemm and qnnpack schemes); TFLite's average divides by the input elements a window covers. Pad the input with Pad instead, or choose fbgemm or qnnpack", at: node.location)
                    return nil
                }
            }
        }
        guard let clamp = ActivationRange(activation, output: model.tensors[node.output].quant, what: node.what, at: node.location, log: &log) else { return nil }
        return (.pool2d(LoweredPool(kind: kind, geometry: geometry, activationMin: clamp.min, activationMax: clamp.max, activationText: clamp.text,
                                    pytorch: pytorch, onnxRuntime: onnxRuntime)),
                .activation(activation))
    }
}

public struct LoweredPool: Equatable, Codable, Sendable {
    public var kind: Pool2d.Kind
    public var geometry: PoolGeometry
    public var activationMin: Int32
    public var activationMax: Int32
    public var activationText: String
    /// fbgemm and qnnpack: PyTorch's average (PyTorchAverage.swift) in place of TFLite's.
    public var pytorch: PyTorchAverage?
    /// onnxRuntime: ONNX Runtime's average (ONNXRuntimeAverage.swift).
    public var onnxRuntime: ONNXRuntimeAverage?
}

extension LoweredPool: LoweredKernel {
    /// TFLite's rounded division, or PyTorch's binary32 rounding of Σq − size · zp; before the clamp.
    func average(_ values: [Int32], at window: (c: Int, oy: Int, ox: Int)) -> Int64 {
        if let onnxRuntime { return onnxRuntime.code(values) }
        let sum = values.reduce(Int32(0), +), count = Int32(values.count)
        if let pytorch { return pytorch.code(sum - count * pytorch.zeroPoint, window.oy, window.ox) }
        return Int64(sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count)   // Swift's / truncates, as C's
    }

    public func run(_ inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [Int32] {
        let x = inputs[0]
        let lowest = Int32(model.tensors[node.output].dtype.range.lowerBound)
        var y = Array(repeating: Int32(0), count: model.tensors[node.output].count)
        geometry.forEachWindow { out, covered, window in
            let v = kind == .max ? Int64(covered.reduce(lowest) { max($0, x[$1]) }) : average(covered.map { x[$0] }, at: window)
            y[out] = Int32(min(max(v, Int64(activationMin)), Int64(activationMax)))
        }
        return y
    }

    public func explain(_ flat: Int, inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [String] {
        var lines: [String] = []
        let x = inputs[0]
        geometry.forEachWindow { out, covered, window in
            guard out == flat else { return }
            let values = covered.map { x[$0] }
            lines.append("window: \(covered.count) input elements (padding excluded) \(values.prefix(32).map(String.init).joined(separator: ", "))\(values.count > 32 ? ", ..." : "")")
            let sum = values.reduce(Int32(0), +), count = Int32(values.count)
            switch (kind, pytorch) {
            case (.max, _):
                lines.append("max = \(values.max() ?? 0)")
            case (.average, nil) where onnxRuntime != nil:
                let o = onnxRuntime!
                lines.append("ONNX Runtime's QLinearAveragePool in binary32: sum of s_x * (q - \(o.inputZeroPoint)) = \(values.reduce(Float(0)) { $0 + o.inputScale.value * Float($1 - o.inputZeroPoint) }); / \(o.kernelArea ?? values.count) / s_y \(o.outputScale.value) + zp_y \(o.outputZeroPoint.value), rounded half to even = \(average(values, at: window))")
            case (.average, nil):
                lines.append("sum = \(sum); TFLite's rounded division (sum ± count/2) / count, truncating = \(average(values, at: window))")
            case (.average, let p?):
                let k = p.divisorClass(window.oy, window.ox)
                lines.append("acc = sum \(sum) - \(count) * zp \(p.zeroPoint) = \(sum - count * p.zeroPoint); divisor \(p.divisors[k])")
                lines.append("\(p.engineText): m = \(p.multipliers[k].value), = \(average(values, at: window))")
            }
        }
        lines.append("clamp [\(activationMin), \(activationMax)] = \(run(inputs, node: node, in: model)[flat])")
        return lines
    }

    public func runReal(_ inputs: [[Double]], node: LoweredNode, real: RealModel) -> [Double] {
        guard case .activation(let activation)? = real.nodes[node.name] else { preconditionFailure("no real parameters for '\(node.name)'") }
        let x = inputs[0]
        var y = Array(repeating: 0.0, count: geometry.batch * geometry.channels * geometry.outHeight * geometry.outWidth)
        geometry.forEachWindow { out, covered, window in
            let values = covered.map { x[$0] }
            let divisor = pytorch.map { Double($0.divisors[$0.divisorClass(window.oy, window.ox)]) } ?? Double(onnxRuntime?.kernelArea ?? values.count)
            y[out] = activation.apply(kind == .max ? values.max()! : values.reduce(0, +) / divisor)
        }
        return y
    }

    public func emit(_ node: LoweredNode, in model: LoweredModel, options: EmitOptions) -> EmittedNode {
        let x = model.tensors[node.inputs[0]]
        let i = geometry.strides(height: geometry.inHeight, width: geometry.inWidth), o = geometry.strides(height: geometry.outHeight, width: geometry.outWidth)
        let names = EmittedNames.Layer(cName: node.cName)
        var arrays: [CArray] = []
        let stage = pytorch.map { emitStage($0, node: node, names: names, native: options.floatRequant, arrays: &arrays) }
        // The binary32 helpers the stage calls: native rounding, or the emulation's parts.
        let helpers: [String]
        if pytorch == nil && onnxRuntime == nil {
            helpers = []
        } else if options.floatRequant {
            helpers = [EmittedNode.floatRound]
        } else if onnxRuntime != nil {
            helpers = [EmittedNode.float32Core, EmittedNode.float32Add, EmittedNode.float32Div]
        } else {
            helpers = pytorch?.floatZeroPoint == nil ? [EmittedNode.float32Core] : [EmittedNode.float32Core, EmittedNode.float32Add]
        }
        let ort = onnxRuntime.map { o -> Pool2dKernel.ONNXRuntimeStage in
            .init(native: options.floatRequant, inputZeroPoint: o.inputZeroPoint,
                         inputScaleMantissa: o.inputScale.mantissa, inputScaleExponent: o.inputScale.exponent, inputScaleLiteral: Emitter.hexLiteral(o.inputScale.value),
                         outputScaleMantissa: o.outputScale.mantissa, outputScaleExponent: o.outputScale.exponent, outputScaleLiteral: Emitter.hexLiteral(o.outputScale.value),
                         zeroPointMantissa: o.outputZeroPoint.mantissa, zeroPointExponent: o.outputZeroPoint.exponent, zeroPointLiteral: Emitter.hexLiteral(o.outputZeroPoint.value),
                         countExpression: o.kernelArea.map(String.init) ?? "(y_end - y_start) * (x_end - x_start)",
                         countText: o.kernelArea.map { "the kernel's area \($0) (count_include_pad)" } ?? "the covered count")
        }
        return EmittedNode(arrays: arrays, kernel: Pool2dKernel(
            names: names, layerName: node.name, location: "\(node.location.fileName):\(node.location.line)",
            isMax: kind == .max, layout: geometry.layout.rawValue.uppercased(), type: x.dtype.rawValue, cType: Emitter.cType(x.dtype),
            lowest: x.dtype.range.lowerBound, geometry: geometry,
            inN: i.n, inC: i.c, inY: i.y, inX: i.x, outN: o.n, outC: o.c, outY: o.y, outX: o.x,
            activationText: activationText, activationMin: activationMin, activationMax: activationMax, pytorch: stage, onnxRuntime: ort),
            helpers: helpers)
    }

    /// PyTorch's rounding stage: its multipliers as constants when every window divides alike,
    /// else tables indexed by the output row's and column's class.
    private func emitStage(_ p: PyTorchAverage, node: LoweredNode, names: EmittedNames.Layer, native: Bool, arrays: inout [CArray]) -> Pool2dKernel.PyTorchStage {
        let classes = p.divisors.count
        var index = "0"
        if classes > 1 {
            func classArray(_ values: [Int], _ suffix: String, _ what: String) -> String {
                let name = "\(names.weights)_\(suffix)"
                arrays.append(CArray(name: name, cType: classes <= 256 ? "uint8_t" : "int32_t", comment: "\(node.name): each output \(what)'s divisor class",
                                     values: values.map(Int64.init), elementComments: nil))
                return name
            }
            let rows = classArray(p.rowClass, "row_class", "row"), columns = classArray(p.columnClass, "column_class", "column")
            index = p.columnClasses == 1 ? "\(rows)[oy]" : classes == p.columnClasses ? "\(columns)[ox]" : "\(rows)[oy] * \(p.columnClasses) + \(columns)[ox]"
        }
        /// The C expression of the multiplier's part: a constant, or a table read at `index`.
        func part(_ values: (Float32Parts) -> String, cType: String, suffix: String, what: String) -> String {
            if classes == 1 { return values(p.multipliers[0]) }
            let name = "\(names.weights)_\(suffix)"
            arrays.append(CArray(name: name, cType: cType, comment: "\(node.name): \(what) of each divisor class's multiplier (divisors \(p.divisors.map(String.init).joined(separator: ", ")))",
                                 values: cType == "float" ? [] : p.multipliers.map { Int64(values($0))! }, elementComments: nil,
                                 literals: cType == "float" ? p.multipliers.map(values) : nil))
            return "\(name)[\(index)]"
        }
        let mantissa = native ? "" : part({ String($0.mantissa) }, cType: "int32_t", suffix: "mantissas", what: "the mantissa")
        let exponent = native ? "" : part({ String($0.exponent) }, cType: "int32_t", suffix: "exponents", what: "the exponent")
        let literal = native ? part({ Emitter.hexLiteral($0.value) }, cType: "float", suffix: "multipliers", what: "the binary32 value") : ""
        let described = p.divisors.enumerated().map { k, d in "1/\(d): \(p.multipliers[k].value)" }
        return .init(zeroPoint: p.zeroPoint, engineText: p.engineText, native: native,
                     multipliersText: classes == 1 ? "the constant \(described[0])" : "tables by output row and column (\(described.joined(separator: ", ")))",
                     multiplierMantissa: mantissa, multiplierExponent: exponent, multiplierLiteral: literal,
                     floatZeroPoint: p.floatZeroPoint.map { .init(mantissa: $0.mantissa, exponent: $0.exponent, literal: Emitter.hexLiteral($0.value)) })
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
    /// fbgemm and qnnpack averages: PyTorch's rounding stage.
    var pytorch: PyTorchStage?
    /// onnxRuntime averages: ONNX Runtime's binary32 average.
    var onnxRuntime: ONNXRuntimeStage?

    struct ONNXRuntimeStage: Sendable {
        var native: Bool
        var inputZeroPoint: Int32
        var inputScaleMantissa: Int32
        var inputScaleExponent: Int32
        var inputScaleLiteral: String
        var outputScaleMantissa: Int32
        var outputScaleExponent: Int32
        var outputScaleLiteral: String
        var zeroPointMantissa: Int32
        var zeroPointExponent: Int32
        var zeroPointLiteral: String
        /// The C expression of the window's divisor.
        var countExpression: String
        var countText: String
    }

    struct PyTorchStage: Sendable {
        struct ZeroPoint: Sendable {
            var mantissa: Int32
            var exponent: Int32
            var literal: String
        }
        var zeroPoint: Int32
        var engineText: String
        var native: Bool
        var multipliersText: String
        /// C expressions of the window's multiplier (emulated: mantissa and exponent; native: the float).
        var multiplierMantissa: String
        var multiplierExponent: String
        var multiplierLiteral: String
        /// The contiguous path: float(zp), added before rounding.
        var floatZeroPoint: ZeroPoint?
    }
}
