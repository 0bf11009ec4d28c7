/// 2-D max or average pooling over each channel, TFLite's MAX_POOL_2D / AVERAGE_POOL_2D: the
/// window counts only the input elements it covers (padding is neither a maximum candidate nor
/// part of an average's count). The output keeps the input's quantization (TFLite requires it), so
/// it takes no `output:`. Written `MaxPool2d(…)` and `AvgPool2d(…)`.
public struct Pool2d: OpSpec {
    public enum Kind: String, Codable, Sendable { case max, average }

    public var kind: Kind
    public var name: String
    /// The tensor it reads; nil reads the previous node's output.
    public var input: String?
    public var kernel: Size2
    /// Defaults to the kernel size (PyTorch's and Keras's default).
    public var stride: Size2
    public var padding: Padding
    public var activation: Activation
    /// Max pooling only: output sizes rounded up, PyTorch's `ceil_mode=True`
    /// (`ceil((H + 2p − k) / s) + 1`, less one when the last window would start past the input and
    /// its leading padding); the last window is clipped to the input.
    public var ceilMode: Bool
    public var location: SourceLocation

    public init(_ kind: Kind, _ name: String, input: String? = nil, kernel: some Size2Convertible, stride: (any Size2Convertible)? = nil,
                padding: some PaddingConvertible = 0, activation: Activation = .none, ceilMode: Bool = false,
                file: String = #filePath, line: Int = #line) {
        self.kind = kind
        self.name = name
        self.input = input
        self.kernel = kernel.size2
        self.stride = stride?.size2 ?? kernel.size2
        self.padding = padding.padding
        self.activation = activation
        self.ceilMode = ceilMode
        self.location = SourceLocation(file: file, line: line)
    }

    public var inputs: [String] { input.map { [$0] } ?? [] }
    public var layerSpec: LayerSpec { .pool2d(self) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(Kind.self, forKey: .kind)
        name = try c.decode(String.self, forKey: .name)
        input = try c.decodeIfPresent(String.self, forKey: .input)
        kernel = try c.decode(Size2.self, forKey: .kernel)
        stride = try c.decode(Size2.self, forKey: .stride)
        padding = try c.decode(Padding.self, forKey: .padding)
        activation = try c.decode(Activation.self, forKey: .activation)
        ceilMode = try c.decodeIfPresent(Bool.self, forKey: .ceilMode) ?? false
        location = try c.decode(SourceLocation.self, forKey: .location)
    }
}

/// Max pooling (TFLite's MAX_POOL_2D): the largest code in each window. `ceilMode: true` rounds
/// output sizes up as PyTorch's `ceil_mode=True` does.
public func MaxPool2d(_ name: String, input: String? = nil, kernel: some Size2Convertible, stride: (any Size2Convertible)? = nil,
                      padding: some PaddingConvertible = 0, activation: Activation = .none, ceilMode: Bool = false,
                      file: String = #filePath, line: Int = #line) -> Pool2d {
    Pool2d(.max, name, input: input, kernel: kernel, stride: stride, padding: padding, activation: activation, ceilMode: ceilMode, file: file, line: line)
}

/// Average pooling (TFLite's AVERAGE_POOL_2D): the sum of the codes in each window divided by
/// their count, rounded half away from zero.
public func AvgPool2d(_ name: String, input: String? = nil, kernel: some Size2Convertible, stride: (any Size2Convertible)? = nil,
                      padding: some PaddingConvertible = 0, activation: Activation = .none, file: String = #filePath, line: Int = #line) -> Pool2d {
    Pool2d(.average, name, input: input, kernel: kernel, stride: stride, padding: padding, activation: activation, file: file, line: line)
}
