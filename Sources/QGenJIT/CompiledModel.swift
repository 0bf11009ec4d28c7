import Foundation

/// An emitted model (`<prefix>.c` + `<prefix>.h`) compiled by libtcc and ready to run.
public final class CompiledModel: @unchecked Sendable {
    public typealias RunFunction = @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Int32

    public let module: TCCModule
    private let runFunction: RunFunction
    public let inputCount: Int
    public let outputCount: Int
    public let inputIsSigned: Bool
    public let outputIsSigned: Bool
    public let arenaSize: Int

    public struct MissingSymbol: Error, CustomStringConvertible {
        public var name: String
        public var description: String { "the compiled C has no function '\(name)'" }
    }

    public init(source: String, sourceName: String, header: String, headerName: String, runSymbol: String,
                inputCount: Int, outputCount: Int, inputIsSigned: Bool, outputIsSigned: Bool, arenaSize: Int) throws {
        module = try TCCModule(source: source, fileName: sourceName, headers: [headerName: header])
        guard let run = module.function(runSymbol, as: RunFunction.self) else { throw MissingSymbol(name: runSymbol) }
        runFunction = run
        self.inputCount = inputCount
        self.outputCount = outputCount
        self.inputIsSigned = inputIsSigned
        self.outputIsSigned = outputIsSigned
        self.arenaSize = arenaSize
    }

    /// Runs the model; values are given and returned as Int32 of the input/output type's range.
    /// Returns nil when the C function reports an error status.
    public func run(_ input: [Int32]) -> [Int32]? {
        precondition(input.count == inputCount)
        var inBytes = input.map { inputIsSigned ? UInt8(bitPattern: Int8($0)) : UInt8($0) }
        var outBytes = [UInt8](repeating: 0xA5, count: outputCount)
        var arena = [UInt8](repeating: 0x5A, count: max(arenaSize, 1))
        let status = withExtendedLifetime(module) {
            inBytes.withUnsafeMutableBytes { i in
                outBytes.withUnsafeMutableBytes { o in
                    arena.withUnsafeMutableBytes { a in runFunction(i.baseAddress, o.baseAddress, a.baseAddress) }
                }
            }
        }
        guard status == 0 else { return nil }
        return outBytes.map { outputIsSigned ? Int32(Int8(bitPattern: $0)) : Int32($0) }
    }

    /// Calls the run function with raw pointers (for tests of its argument checks).
    public func runRaw(input: UnsafeRawPointer?, output: UnsafeMutableRawPointer?, arena: UnsafeMutableRawPointer?) -> Int32 {
        withExtendedLifetime(module) { runFunction(input, output, arena) }
    }
}
