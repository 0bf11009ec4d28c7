import Foundation
import QGen
import QGenArithmetic
import QGenCompiler
import QGenJIT
import QGenVerify

// make bench: the figures of qgen's performance, measured here (never asserted by tests).
//   1. time to emit a model with about 1M parameters (resolve + lower + emit + render);
//   2. libtcc compile time of that model's C;
//   3. throughput of the emitted tiny_cnn compiled with cc -O2 (MAC/s).

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

var rng = SeededGenerator(seed: 1)
// conv 3→64 (3×3), conv 64→64 (3×3), Linear 64·8·8 → 240: 1,728 + 36,864 + 983,040 ≈ 1.02M weights.
let bigSpec = ModelSpec(name: "big", layers: [
    Input("x", shape: [1, 3, 8, 8], .uint8(scale: 1.0 / 255, zeroPoint: 0)).layerSpec,
    Conv2d("c1", outChannels: 64, kernel: 3, padding: 1, weight: .float(.values((0..<1728).map { _ in Double.random(in: -0.5...0.5, using: &rng) })),
           output: .uint8(scale: 0.02, zeroPoint: 0), activation: .relu).layerSpec,
    Conv2d("c2", outChannels: 64, kernel: 3, padding: 1, weight: .float(.values((0..<36864).map { _ in Double.random(in: -0.1...0.1, using: &rng) })),
           output: .uint8(scale: 0.02, zeroPoint: 0), activation: .relu).layerSpec,
    Linear("fc", outFeatures: 240, weight: .float(.values((0..<983_040).map { _ in Double.random(in: -0.02...0.02, using: &rng) })),
           output: .int8(scale: 0.05, zeroPoint: 0)).layerSpec,
], location: SourceLocation(file: "bench.swift", line: 1))
let parameters = 1728 + 36864 + 983_040

var result: Pipeline.Result?
let emitTimes = try (0..<3).map { _ in try seconds { result = try Pipeline.compile(bigSpec, options: CompileOptions()) } }
let big = result!
print(String(format: "emit a %d-parameter model (resolve, lower, emit, render): %.3f s (median of 3); C source %.1f MB",
             parameters, median(emitTimes), Double(big.output.source.utf8.count) / 1e6))
let tccTimes = try (0..<3).map { _ in try seconds { _ = try Verifier.compile(big.output, model: big.lowered) } }
print(String(format: "libtcc compile + relocate of that C: %.3f s (median of 3)", median(tccTimes)))

// tiny_cnn with cc -O2: a timing harness around the emitted C.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let generated = root.appendingPathComponent("Generated/tiny_cnn")
let work = FileManager.default.temporaryDirectory.appendingPathComponent("qgen-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: work) }
let exe = work.appendingPathComponent("tiny_cnn_bench").path
let cc = Process()
cc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
cc.arguments = ["cc", "-std=c99", "-O2", "-I", generated.path, generated.appendingPathComponent("tiny_cnn.c").path,
                root.appendingPathComponent("Tools/harness/bench_tiny_cnn.c").path, "-o", exe]
try cc.run()
cc.waitUntilExit()
guard cc.terminationStatus == 0 else { print("cc failed"); exit(1) }
let run = Process()
run.executableURL = URL(fileURLWithPath: exe)
let pipe = Pipe()
run.standardOutput = pipe
try run.run()
let data = pipe.fileHandleForReading.readDataToEndOfFile()
run.waitUntilExit()
let line = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
let parts = line.split(separator: " ")
let spec = try ModelLoader.load(path: root.appendingPathComponent("Examples/tiny_cnn/model.swift").path)
let tiny = try Pipeline.compile(spec, options: CompileOptions(baseDirectory: root.appendingPathComponent("Examples/tiny_cnn")))
let macs = tiny.lowered.layers.map(\.geometry.multiplyAccumulates).reduce(0, +)
if parts.count == 2, let runs = Double(parts[0]), let secs = Double(parts[1]) {
    let perRun = secs / runs
    print(String(format: "tiny_cnn (cc -O2): %d MACs per inference, %.1f us per inference, %.2f GMAC/s", macs, perRun * 1e6, Double(macs) / perRun / 1e9))
} else {
    print("unexpected harness output: \(line)")
}
