/// A (height, width) pair for kernel size, stride, padding and dilation. An integer literal means
/// the same value for both (`3`), an array literal gives them separately (`[3, 5]`).
public struct Size2: Codable, Equatable, Sendable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral, CustomStringConvertible {
    public var height: Int
    public var width: Int

    public init(_ height: Int, _ width: Int) {
        self.height = height
        self.width = width
    }

    public init(integerLiteral value: Int) { self.init(value, value) }

    /// `[h, w]`; any other count is kept as given (height = first, width = last) and the compiler
    /// reports it, so a typo reaches the user as a diagnostic rather than a crash.
    public init(arrayLiteral elements: Int...) {
        self.init(elements.first ?? 0, elements.last ?? 0)
        elementCount = elements.count
    }

    /// The number of elements the user wrote (2 unless written as an array literal).
    public var elementCount: Int = 2

    public var description: String { height == width ? "\(height)" : "[\(height), \(width)]" }
}

/// What `kernel:`, `stride:`, `padding:` and `dilation:` take: an `Int` (literal or variable) for
/// both dimensions, an `[Int]` `[height, width]`, or a `Size2`.
public protocol Size2Convertible {
    var size2: Size2 { get }
}

extension Int: Size2Convertible {
    public var size2: Size2 { Size2(self, self) }
}

extension Array: Size2Convertible where Element == Int {
    /// `[h, w]`; any other count is kept (height = first, width = last) for the compiler to report.
    public var size2: Size2 {
        var size = Size2(first ?? 0, last ?? 0)
        size.elementCount = count
        return size
    }
}

extension Size2: Size2Convertible {
    public var size2: Size2 { self }
}
