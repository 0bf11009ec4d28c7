/// The integer geometry of a multiply-accumulate op (no real values): which input and weight
/// elements feed each output element. Shared by the resolved and lowered payloads; each op's own
/// geometry type (Ops/<Op>/) defines it, this enum only delegates.
public enum MACGeometry: Equatable, Codable, Sendable {
    case linear(LinearGeometry)
    case conv2d(Conv2dGeometry)

    /// The op's geometry behind the case (the one switch over multiply-accumulate ops).
    var shape: any MACShape {
        switch self {
        case .linear(let g): return g
        case .conv2d(let g): return g
        }
    }

    public var outputChannels: Int { shape.outputChannels }
    /// Number of input taps that contribute to one output element.
    public var tapsPerOutput: Int { shape.tapsPerOutput }
    /// The weight tensor's shape in its layout (`weightLayoutText`).
    public var weightShape: [Int] { shape.weightShape }
    public var multiplyAccumulates: Int { shape.outputCount * shape.tapsPerOutput }
    /// Number of output elements.
    public var outputCount: Int { shape.outputCount }
    /// The output channel (feature) of output element `flat`.
    public func outputChannel(of flat: Int) -> Int { shape.outputChannel(of: flat) }

    /// Calls `body(input, weight)` for every tap of output element `flat`, in the order of the
    /// weight tensor. `input` is the flat index into the op's input, or nil for a padding tap
    /// (which reads the input zero point, real 0); `weight` is the flat index into the weights.
    /// The one definition of connectivity that the integer reference, the float reference and
    /// `qgen explain` share (the emitted C spells the same loops out in its kernel template).
    public func forEachTap(of flat: Int, _ body: (_ input: Int?, _ weight: Int) -> Void) { shape.forEachTap(of: flat, body) }

    /// Calls `body` once for each group of output elements that read the same input taps with
    /// their own weights (a pixel's output channels in one convolution group; a Linear row's
    /// features), every output element in exactly one group. The references' fast path: the
    /// non-padding taps as strided runs, found once per pixel instead of once per element.
    public func forEachTapGroup(_ body: (TapGroup) -> Void) { shape.forEachTapGroup(body) }

    /// For each position of FBGEMM's reduction, the index of the tap `forEachTap` gives there
    /// (nil: the same order).
    public var fbgemmTapOrder: [Int]? { shape.fbgemmTapOrder }
}

/// `count` taps of one output element: input `input + t·inputStride` times weight
/// `weight + t·weightStride` for t in 0..<count (flat indices into the op's input and weights).
public struct TapRun: Equatable, Sendable {
    public var input: Int
    public var weight: Int
    public var count: Int
    public var inputStride: Int
    public var weightStride: Int
}

/// Output elements that read the same input taps: channel `firstChannel + j` (j < `channels`) is
/// output element `firstOutput + j·outputStride` and reads the taps of `runs` with each weight
/// index moved by `j·weightStride`. Padding taps are left out (they read the input zero point and
/// add 0).
public struct TapGroup: Sendable {
    public var runs: [TapRun]
    public var firstChannel: Int
    public var channels: Int
    public var firstOutput: Int
    public var outputStride: Int
    public var weightStride: Int
}

/// What each multiply-accumulate op's geometry defines.
protocol MACShape: Sendable {
    var outputChannels: Int { get }
    var tapsPerOutput: Int { get }
    var weightShape: [Int] { get }
    /// How comments name the layout of `weightShape`: `PyTorch layout`, `OHWI, TFLite layout`.
    var weightLayoutName: String { get }
    var outputCount: Int { get }
    func outputChannel(of flat: Int) -> Int
    func forEachTap(of flat: Int, _ body: (_ input: Int?, _ weight: Int) -> Void)
    func forEachTapGroup(_ body: (TapGroup) -> Void)
    /// The C loop variable that holds the output channel in the kernel template (`o`, `oc`).
    var channelVariable: String { get }
    /// The op's kernel context around the fields every multiply-accumulate kernel shares.
    func kernel(_ common: KernelCommon, saturatesPairs: Bool) -> any KernelContext
    /// The order of `forEachTap`'s taps in FBGEMM's reduction (nil: the same order).
    var fbgemmTapOrder: [Int]? { get }
    /// The order in which the kernel reads the weights, if it is not `weightShape`'s: element i of
    /// the emitted array is weight `packedWeightOrder[i]` (nil: the weights as they are).
    var packedWeightOrder: [Int]? { get }
    /// How comments name the emitted weights' order when it is packed.
    var packedWeightText: String? { get }
}

extension MACShape {
    var fbgemmTapOrder: [Int]? { nil }
    var packedWeightOrder: [Int]? { nil }
    var packedWeightText: String? { nil }
}
