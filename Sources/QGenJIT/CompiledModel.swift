import Foundation

/// An emitted model (`<prefix>.c` + `<prefix>.h`) compiled by libtcc and ready to run.
public final class CompiledModel: @unchecked Sendable {
    /// `int <prefix>_run(const T *input, U *output, void *arena)` of a one-input, one-output model.
    public typealias RunFunction = @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Int32
    /// The shim qgen appends for the JIT: `int qgen_jit_run(void *const *buffers, void *arena)`,
    /// which passes `buffers` (the inputs, then the outputs) to the run function.
    typealias ShimFunction = @convention(c) (UnsafePointer<UnsafeMutableRawPointer?>?, UnsafeMutableRawPointer?) -> Int32

    /// One model input or output: its element count and type (int8, uint8 or int16).
    public struct Boundary: Sendable {
        public var count: Int
        public var isSigned: Bool
        public var bytes: Int
        public init(count: Int, isSigned: Bool, bytes: Int = 1) {
            self.count = count
            self.isSigned = isSigned
            self.bytes = bytes
        }
        var cType: String { bytes == 2 ? "int16_t" : isSigned ? "int8_t" : "uint8_t" }

        func encode(_ values: [Int32]) -> [UInt8] {
            bytes == 2 ? values.flatMap { v in withUnsafeBytes(of: Int16(v)) { Array($0) } }
                : values.map { isSigned ? UInt8(bitPattern: Int8($0)) : UInt8($0) }
        }

        func decode(_ p: UnsafeMutableRawPointer) -> [Int32] {
            if bytes == 2 { return (0..<count).map { Int32(p.load(fromByteOffset: 2 * $0, as: Int16.self)) } }
            let b = p.assumingMemoryBound(to: UInt8.self)
            return (0..<count).map { isSigned ? Int32(Int8(bitPattern: b[$0])) : Int32(b[$0]) }
        }
    }

    public let module: TCCModule
    private let runFunction: RunFunction?
    private let shim: ShimFunction
    public let inputs: [Boundary]
    public let outputs: [Boundary]
    public let arenaSize: Int

    public struct MissingSymbol: Error, CustomStringConvertible {
        public var name: String
        public var description: String { "the compiled C has no function '\(name)'" }
    }

    /// `defines`: `-D` options for tcc (`QGEN_MAC_8BIT=1` selects the emitted C's 8-bit reduction path).
    public init(source: String, sourceName: String, header: String, headerName: String, runSymbol: String,
                inputs: [Boundary], outputs: [Boundary], arenaSize: Int, defines: [String] = []) throws {
        let casts = inputs.enumerated().map { "(const \($1.cType) *)buffers[\($0)]" }
            + outputs.enumerated().map { "(\($1.cType) *)buffers[\(inputs.count + $0)]" }
        let shimSource = """

            int qgen_jit_run(void *const *buffers, void *arena);
            int qgen_jit_run(void *const *buffers, void *arena)
            {
                return \(runSymbol)(\((casts + ["arena"]).joined(separator: ", ")));
            }

            """
        module = try TCCModule(source: source + shimSource, fileName: sourceName, headers: [headerName: header],
                               options: (["-Wall", "-Werror"] + defines.map { "-D" + $0 }).joined(separator: " "))
        guard let shim = module.function("qgen_jit_run", as: ShimFunction.self) else { throw MissingSymbol(name: "qgen_jit_run") }
        guard let run = module.function(runSymbol, as: RunFunction.self) else { throw MissingSymbol(name: runSymbol) }
        self.shim = shim
        // The three-pointer signature is the run function's only for one input and one output.
        runFunction = inputs.count == 1 && outputs.count == 1 ? run : nil
        self.inputs = inputs
        self.outputs = outputs
        self.arenaSize = arenaSize
    }

    /// Runs the model on one value array per input (Int32 within each input type's range) and
    /// returns one per output. Returns nil when the C function reports an error status.
    public func run(inputs values: [[Int32]]) -> [[Int32]]? {
        precondition(values.count == inputs.count && zip(values, inputs).allSatisfy { $0.count == $1.count })
        let bytes: [[UInt8]] = zip(values, inputs).map { v, b in b.encode(v) }
            + outputs.map { [UInt8](repeating: 0xA5, count: $0.count * $0.bytes) }
        let pointers: [UnsafeMutableRawPointer] = bytes.map { b in
            let p = UnsafeMutableRawPointer.allocate(byteCount: max(b.count, 1), alignment: 16)
            b.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: b.count) }
            return p
        }
        defer { pointers.forEach { $0.deallocate() } }
        var arena = [UInt8](repeating: 0x5A, count: max(arenaSize, 1))
        let table: [UnsafeMutableRawPointer?] = pointers
        let status: Int32 = withExtendedLifetime(module) {
            table.withUnsafeBufferPointer { t in arena.withUnsafeMutableBytes { a in shim(t.baseAddress, a.baseAddress) } }
        }
        guard status == 0 else { return nil }
        return outputs.enumerated().map { k, b in b.decode(pointers[inputs.count + k]) }
    }

    /// Runs a one-input, one-output model.
    public func run(_ input: [Int32]) -> [Int32]? {
        precondition(inputs.count == 1 && outputs.count == 1, "run(_:) is for one input and one output; use run(inputs:)")
        return run(inputs: [input])?.first
    }

    /// Calls the run function of a one-input, one-output model with raw pointers (for tests of its
    /// argument checks).
    public func runRaw(input: UnsafeRawPointer?, output: UnsafeMutableRawPointer?, arena: UnsafeMutableRawPointer?) -> Int32 {
        guard let runFunction else { preconditionFailure("runRaw is for one input and one output") }
        return withExtendedLifetime(module) { runFunction(input, output, arena) }
    }
}
