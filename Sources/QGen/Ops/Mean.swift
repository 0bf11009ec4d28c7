/// The mean over `axes` (TFLite's MEAN; global average pooling is `Mean` over the spatial axes:
/// `[2, 3]` on NCHW, `[1, 2]` on NHWC). Axes count in the input's shape as written (negative ones
/// from the end) and must be adjacent. `keepDims` keeps each reduced axis with size 1.
public struct Mean: OpSpec {
    public var name: String
    /// The tensor it reads; nil reads the previous node's output.
    public var input: String?
    public var axes: [Int]
    public var keepDims: Bool
    public var output: QuantParams
    /// Under `fbgemm` and `qnnpack`: the ATen operator the PyTorch model called, since they round
    /// differently. nil is `.adaptiveAvgPool2d`; other schemes ignore it.
    public var atenOp: ATenMeanOp?
    /// The input's PyTorch memory format, which picks ATen's kernel for `atenOp: .mean` (see
    /// `MemoryFormat`); empty is contiguous.
    public var memoryFormats: [MemoryFormat]
    public var location: SourceLocation

    public init(_ name: String, input: String? = nil, axes: [Int], keepDims: Bool = true, output: QuantParams,
                atenOp: ATenMeanOp? = nil, memoryFormats: [MemoryFormat] = [], file: String = #filePath, line: Int = #line) {
        self.name = name
        self.input = input
        self.axes = axes
        self.keepDims = keepDims
        self.output = output
        self.atenOp = atenOp
        self.memoryFormats = memoryFormats
        self.location = SourceLocation(file: file, line: line)
    }

    public var inputs: [String] { input.map { [$0] } ?? [] }
    public var layerSpec: LayerSpec { .mean(self) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        input = try c.decodeIfPresent(String.self, forKey: .input)
        axes = try c.decode([Int].self, forKey: .axes)
        keepDims = try c.decode(Bool.self, forKey: .keepDims)
        output = try c.decode(QuantParams.self, forKey: .output)
        atenOp = try c.decodeIfPresent(ATenMeanOp.self, forKey: .atenOp)
        memoryFormats = try c.decodeIfPresent([MemoryFormat].self, forKey: .memoryFormats) ?? []
        location = try c.decode(SourceLocation.self, forKey: .location)
    }
}

/// The ATen operator behind a PyTorch mean of a quantized tensor.
public enum ATenMeanOp: String, Codable, Equatable, Sendable {
    /// `adaptive_avg_pool2d(x, 1)` (and `avg_pool2d` over the whole plane): the average
    /// requantized to `output`.
    case adaptiveAvgPool2d
    /// `torch.mean(x, dims)` / `x.mean(dims)`: the output keeps the input's scale and zero point
    /// (`output` must repeat them). Under `qnnpack` a uint8 mean over axes written `[2, 3]` of a
    /// 4-D tensor is QNNPACK's global average pool. Otherwise ATen averages the codes themselves,
    /// `nearbyint(float(Σ q) / n)`, over the innermost axes of a contiguous tensor, and for any
    /// other axes or a channels-last tensor it dequantizes, sums in binary32 in the order of its
    /// cascade sum, divides by n and quantizes again.
    case mean
}
