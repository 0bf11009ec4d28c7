/// The four-row reduction of the multiply-accumulate kernels (Templates/helpers_dot.mustache): the
/// activations are widened into a stack buffer of `qgen_mac_<type>_t` (int16 unless the target has a
/// uint8 x int8 dot product), then `qgen_dot4_<type>` sums four weight rows against it at once.
enum DotReduction {
    static let helper = "helpers_dot"
    /// The buffer's bound in values: 1 KB of stack with int16 values.
    static let maxBufferValues = 512

    /// How a reduction over `count` contiguous values is cut into buffer-sized chunks: the whole when it
    /// fits, else equal chunks of a divisor of `count` that is at least a quarter of the bound (so that
    /// every call has the same constant length, which compilers vectorize without a remainder even at
    /// -O2), else full chunks and a shorter last one.
    struct Chunks: Equatable, Sendable {
        var size: Int
        var uniform: Bool

        /// `limit`: the most values of a chunk (the buffer's bound, or fewer when each counts for several).
        init(count: Int, limit: Int = DotReduction.maxBufferValues) {
            if count <= limit {
                (size, uniform) = (count, true)
            } else if let divisor = stride(from: limit, through: max(1, limit / 4), by: -1).first(where: { count % $0 == 0 }) {
                (size, uniform) = (divisor, true)
            } else {
                (size, uniform) = (limit, false)
            }
        }

        /// The C expression of the chunk starting at `start` (a loop variable)'s length in a reduction of `count`.
        func lengthExpression(count: Int, start: String) -> String {
            uniform ? "\(size)" : "(\(count) - \(start) < \(size) ? \(count) - \(start) : \(size))"
        }
    }
}

/// A kernel context that may call `qgen_dot4_<type>` or `qgen_requantize_tile_<type>` (helpers_dot).
protocol DotReducing {
    /// The input type ("uint8", "int8") of the reduction it calls, or nil when it calls none.
    var dotInputType: String? { get }
    /// The output type of the tile output stage it calls on Helium targets, or nil when it calls none.
    var tileOutputType: String? { get }
    /// Whether it needs helpers_dot's target macros (QGEN_X86_MADD and the others) even when it calls
    /// neither helper.
    var usesTargetPaths: Bool { get }
}

extension DotReducing {
    var tileOutputType: String? { nil }
    var usesTargetPaths: Bool { false }
}
