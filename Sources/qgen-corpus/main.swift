import Foundation
import QGenArithmetic
import QGenCompiler
import QGenRandom
import QGenReference

// qgen-corpus DIR [COUNT] [SEED]: writes the emitted C of COUNT seeded random models and graphs (every scheme)
// to DIR/<name>/<name>.c/.h (and DIR/<name>_native/ with --float-requant for the float32 schemes),
// and DIR/<name>/expected.txt: the Swift integer reference's checksum
// over the inputs Tools/harness/targets_main.c generates. make check-targets compiles each file with
// gcc, clang and tcc and for Cortex-M cores, and compares all of them with that checksum.

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: qgen-corpus DIR [COUNT] [SEED]\n".utf8))
    exit(2)
}
let directory = URL(fileURLWithPath: arguments[1])
let count = arguments.count > 2 ? Int(arguments[2]) ?? 24 : 24
let seed = arguments.count > 3 ? UInt64(arguments[3]) ?? 20261122 : 20261122

/// The harness's input generator (Tools/harness/targets_main.c): a 32-bit LCG; each input value is
/// the top byte of the next state, as uint8, or minus 128 for int8.
struct HarnessInputs {
    var state: UInt32 = 12345
    mutating func next() -> UInt32 {
        state = state &* 1664525 &+ 1013904223
        return state
    }
}

/// The harness's checksum: over every output byte of every run, `check = check * 31 + byte`.
func checksum(_ model: LoweredModel, runs: Int) -> UInt32 {
    var inputs = HarnessInputs()
    var check: UInt32 = 0
    for _ in 0..<runs {
        let x = (0..<model.input.count).map { _ -> Int32 in
            let byte = Int32(inputs.next() >> 24)
            return model.input.dtype == .int8 ? byte - 128 : byte
        }
        for y in IntegerReference.run(model, input: x) { check = check &* 31 &+ UInt32(UInt8(truncatingIfNeeded: y)) }
    }
    return check
}

var generator = RandomModels(seed: seed, cycleSchemes: true)
var written = 0, index = 0
while written < count {
    index += 1
    // Every other model is a random graph of every op (branches, NCHW and NHWC).
    let spec = index % 2 == 0 ? generator.graph(index: index) : generator.model(index: index)
    guard let result = try? Pipeline.compile(spec, options: CompileOptions(fileStem: "random\(index)")) else { continue }
    let dir = directory.appendingPathComponent("random\(index)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try result.output.source.write(to: dir.appendingPathComponent(result.output.sourceName), atomically: true, encoding: .utf8)
    try result.output.header.write(to: dir.appendingPathComponent(result.output.headerName), atomically: true, encoding: .utf8)
    let runs = 8
    try "\(runs) \(checksum(result.lowered, runs: runs))\n".write(to: dir.appendingPathComponent("expected.txt"), atomically: true, encoding: .utf8)
    print("random\(index): \(result.lowered.scheme), \(result.lowered.nodes.map(\.kindName).joined(separator: "+"))")
    // The float32 schemes also with --float-requant (native binary32): the same checksum. --float-io
    // too, so that its functions are compiled (-Werror) by every host compiler and for every core.
    if result.lowered.scheme.family == .float32,
       let native = try? Pipeline.compile(spec, options: CompileOptions(fileStem: "random\(index)_native", floatRequant: true, floatIO: true)) {
        let nativeDir = directory.appendingPathComponent("random\(index)_native")
        try FileManager.default.createDirectory(at: nativeDir, withIntermediateDirectories: true)
        try native.output.source.write(to: nativeDir.appendingPathComponent(native.output.sourceName), atomically: true, encoding: .utf8)
        try native.output.header.write(to: nativeDir.appendingPathComponent(native.output.headerName), atomically: true, encoding: .utf8)
        try "\(runs) \(checksum(native.lowered, runs: runs))\n".write(to: nativeDir.appendingPathComponent("expected.txt"), atomically: true, encoding: .utf8)
    }
    written += 1
}
