import QGen

/// The largest model qgen accepts, stated once. Shapes are computed with overflow-checked
/// arithmetic against these limits before anything is allocated, so an absurd shape is an error
/// with its model.swift line, never a trap, an allocation failure or C that overflows.
///
/// Why 2^28: every index and loop bound in the emitted kernels is an `int32_t` expression whose
/// value stays below the element count of a tensor (or below a padded image extent, which is at
/// most 3 · 2^28), so 2^28 leaves int32 a margin of 8; and 256 MiB is far beyond what an INT8
/// microcontroller or accelerator holds, while `qgen verify` can still run such a model.
public enum SizeLimits {
    /// Elements of one tensor: the model input, every layer output, every weight tensor.
    public static let maxTensorElements = 1 << 28
    /// Bytes of the arena (`<PREFIX>_ARENA_SIZE`).
    public static let maxArenaBytes = 1 << 28
    /// Any one kernel size, stride, padding or dilation, channel or feature count.
    public static let maxDimension = 1 << 28

    /// The limit as users read it in messages.
    public static let tensorLimitText = "268435456 (2^28)"

    /// The product of `dimensions`, or nil when it overflows `Int` or exceeds `maxTensorElements`.
    public static func elementCount(_ dimensions: [Int]) -> Int? {
        var count = 1
        for d in dimensions {
            guard d >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, product <= maxTensorElements else { return nil }
            count = product
        }
        return count
    }
}

extension SizeLimits {
    /// Logs an error for the first tensor (`role`, shape) beyond the element limit; true when all fit.
    static func check(what: String, at: SourceLocation, _ tensors: (String, [Int])..., log: inout DiagnosticLog) -> Bool {
        for (role, shape) in tensors where elementCount(shape) == nil {
            log.error("\(what): the \(role) tensor \(shape) has more than \(tensorLimitText) elements, qgen's limit for one tensor", at: at)
            return false
        }
        return true
    }
}
