import Foundation
import QGen
import QGenArithmetic
import QGenCompiler
import QGenJIT
import QGenVerify

// make bench: the figures of qgen's performance, measured here (never asserted by tests).
//   1. time to emit a model with about 1M parameters (resolve + lower + emit + render);
//   2. libtcc compile time of that model's C;
//   3. throughput of the emitted tiny_cnn compiled with cc -O2 (MAC/s);
//   4. the cost of each scheme's output stage, integer-only and with --float-requant;
//   5. single-layer throughput of the kernels (issue 11's shapes) with portable cc -O2 and -O3 -march=native;
//   6. a naive TFLite-Micro-style kernel on the same shapes, and qgen's speed-up over it.

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
    Flatten("flat").layerSpec,
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

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let work = FileManager.default.temporaryDirectory.appendingPathComponent("qgen-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: work) }

/// Runs `executable` with `arguments`; its standard output, or nil when it exits with a failure.
func run(_ executable: String, _ arguments: [String] = []) throws -> String? {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    return p.terminationStatus == 0 ? text : nil
}

/// Seconds per inference of the emitted C compiled with cc -O2 around Tools/harness/bench_model.c.
func compileAndTime(_ result: Pipeline.Result, runs: Int, flags: [String] = ["-O2"]) throws -> Double? {
    let dir = work.appendingPathComponent(result.lowered.cPrefix)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try result.output.source.write(to: dir.appendingPathComponent(result.output.sourceName), atomically: true, encoding: .utf8)
    try result.output.header.write(to: dir.appendingPathComponent(result.output.headerName), atomically: true, encoding: .utf8)
    let m = result.lowered, macro = m.cPrefix.uppercased()
    let exe = dir.appendingPathComponent("bench").path
    let built = try run("/usr/bin/env", ["cc", "-std=c99"] + flags + ["-I", dir.path, "-DMODEL_HEADER=\"\(result.output.headerName)\"", "-DRUN=\(m.cPrefix)_run",
                       "-DINPUT_T=\(m.input.dtype == .int8 ? "int8_t" : "uint8_t")", "-DOUTPUT_T=\(m.output.dtype == .int8 ? "int8_t" : "uint8_t")",
                       "-DINPUT_SIZE=\(macro)_INPUT_SIZE", "-DOUTPUT_SIZE=\(macro)_OUTPUT_SIZE",
                       "-DARENA_SIZE=\(macro)_ARENA_SIZE", "-DRUNS=\(runs)", dir.appendingPathComponent(result.output.sourceName).path,
                       root.appendingPathComponent("Tools/harness/bench_model.c").path, "-o", exe])
    guard built != nil, let text = try run(exe) else { return nil }
    let fields = text.split(whereSeparator: \.isWhitespace)
    guard fields.count == 2, let n = Double(fields[0]), let s = Double(fields[1]) else { return nil }
    return s / n
}

// 3. tiny_cnn with cc -O2.
let spec = try ModelLoader.load(path: root.appendingPathComponent("Examples/tiny_cnn/model.swift").path)
let tiny = try Pipeline.compile(spec, options: CompileOptions(baseDirectory: root.appendingPathComponent("Examples/tiny_cnn")))
let macs = tiny.lowered.nodes.compactMap { $0.mac?.geometry.multiplyAccumulates }.reduce(0, +)
if let perRun = try compileAndTime(tiny, runs: 2000) {
    print(String(format: "tiny_cnn (cc -O2): %d MACs per inference, %.1f us per inference, %.2f GMAC/s", macs, perRun * 1e6, Double(macs) / perRun / 1e9))
} else {
    print("tiny_cnn: cc failed")
}

// 4. Cost of each scheme's output stage: a requantization-heavy layer (1x1 Conv2d 8→8 on 32x32, 8 taps
//    per output, uint8 in and out). The float32 schemes run their integer-only binary32 emulation, and
//    with --float-requant native float.
var weights = SeededGenerator(seed: 5)
let heavyWeights = (0..<64).map { _ in Double(Int.random(in: -128...127, using: &weights)) }
print("output stage cost per scheme (1x1 Conv2d 8->8 on 32x32, 8192 outputs of 8 taps, cc -O2):")
// liteRT differs from tflite in Linear only (its double output stage), so both run as the Linear too.
for (scheme, asLinear) in [("tflite", false), ("singleRounding", false), ("fixedPoint(multiplierBits:16,rounding:halfEven)", false),
                           ("powerOfTwo(rounding:halfUp,tolerance:0.5)", false), ("fbgemm", false), ("fbgemm(saturatingPairs)", true), ("qnnpack", false),
                           ("onnxRuntime", false), ("tflite", true), ("liteRT", true)] {
    let layer: LayerSpec = asLinear
        ? Linear("fc", outFeatures: 8, weight: .quantized(.values(heavyWeights), scales: [0.01], zeroPoints: [0]), bias: .float(.values(Array(repeating: 0.1, count: 8))),
                 output: .uint8(scale: 0.3, zeroPoint: 128)).layerSpec
        : Conv2d("conv", outChannels: 8, kernel: 1, weight: .quantized(.values(heavyWeights), scales: [0.01], zeroPoints: [0]),
                 bias: .float(.values(Array(repeating: 0.1, count: 8))), output: .uint8(scale: 0.3, zeroPoint: 128)).layerSpec
    let input = asLinear ? Input("x", shape: [1024, 8], .uint8(scale: 0.05, zeroPoint: 0)).layerSpec
                             : Input("x", shape: [1, 8, 32, 32], .uint8(scale: 0.05, zeroPoint: 0)).layerSpec
    let name = "heavy_" + String(scheme.prefix { $0.isLetter }) + (asLinear ? "_linear" : "")
    let spec = ModelSpec(name: name, layers: [input, layer], requantization: Requantization(name: scheme), location: SourceLocation(file: "bench.swift", line: 2))
    let float32 = RequantizationScheme(parsing: scheme)?.family == .float32
    for native in float32 ? [false, true] : [false] {
        let compiled = try Pipeline.compile(spec, options: CompileOptions(prefix: name + (native ? "_native" : ""), floatRequant: native))
        let label = (scheme + (native ? " --float-requant" : "")).padding(toLength: 48, withPad: " ", startingAt: 0)
        if let t = try compileAndTime(compiled, runs: 2000) {
            print("  " + label + String(format: "%7.1f us per inference, %5.2f ns per output", t * 1e6, t * 1e9 / 8192)
                  + (asLinear ? " (as a [1024, 8] Linear)" : ""))
        } else {
            print("  \(label): cc failed")
        }
    }
}

// 5. Single layers (uint8 activations, per-channel int8 weights, tflite's output stage; NCHW as qgen
//    stores PyTorch/ONNX tensors, NHWC as TFLite's), in GMAC/s: cc -O2 (portable) and cc -O3 -march=native.
@MainActor func randomWeights(_ count: Int) -> [Double] { (0..<count).map { _ in Double(Int.random(in: -127...127, using: &weights)) } }
@MainActor func perChannel(_ channels: Int) -> [Double] { (0..<channels).map { _ in Double.random(in: 0.002...0.004, using: &weights) } }
let layers: [(String, [LayerSpec])] = [
    ("conv 3x3, 32->32, 56x56, pad 1", [
        Input("x", shape: [1, 32, 56, 56], .uint8(scale: 0.05, zeroPoint: 3)).layerSpec,
        Conv2d("conv", outChannels: 32, kernel: 3, padding: 1, weight: .quantized(.values(randomWeights(32 * 32 * 9)), scales: perChannel(32), zeroPoints: Array(repeating: 0, count: 32)),
               output: .uint8(scale: 0.5, zeroPoint: 7)).layerSpec]),
    ("depthwise 3x3, 96 ch, 56x56, pad 1", [
        Input("x", shape: [1, 96, 56, 56], .uint8(scale: 0.05, zeroPoint: 3)).layerSpec,
        Conv2d("dw", outChannels: 96, kernel: 3, padding: 1, groups: 96, weight: .quantized(.values(randomWeights(96 * 9)), scales: perChannel(96), zeroPoints: Array(repeating: 0, count: 96)),
               output: .uint8(scale: 0.2, zeroPoint: 7)).layerSpec]),
    ("pointwise 1x1, 96->24, 56x56", [
        Input("x", shape: [1, 96, 56, 56], .uint8(scale: 0.05, zeroPoint: 3)).layerSpec,
        Conv2d("pw", outChannels: 24, kernel: 1, weight: .quantized(.values(randomWeights(96 * 24)), scales: perChannel(24), zeroPoints: Array(repeating: 0, count: 24)),
               output: .uint8(scale: 0.5, zeroPoint: 7)).layerSpec]),
    ("NHWC conv 3x3, 32->32, 56x56, pad 1", [
        Input("x", shape: [1, 56, 56, 32], layout: .nhwc, .uint8(scale: 0.05, zeroPoint: 3)).layerSpec,
        Conv2d("conv", outChannels: 32, kernel: 3, padding: 1, weight: .quantized(.values(randomWeights(32 * 32 * 9)), scales: perChannel(32), zeroPoints: Array(repeating: 0, count: 32)),
               output: .uint8(scale: 0.5, zeroPoint: 7)).layerSpec]),
    ("NHWC depthwise 3x3, 96 ch, 56x56, pad 1", [
        Input("x", shape: [1, 56, 56, 96], layout: .nhwc, .uint8(scale: 0.05, zeroPoint: 3)).layerSpec,
        Conv2d("dw", outChannels: 96, kernel: 3, padding: 1, groups: 96, weight: .quantized(.values(randomWeights(96 * 9)), scales: perChannel(96), zeroPoints: Array(repeating: 0, count: 96)),
               output: .uint8(scale: 0.2, zeroPoint: 7)).layerSpec]),
    ("NHWC pointwise 1x1, 96->24, 56x56", [
        Input("x", shape: [1, 56, 56, 96], layout: .nhwc, .uint8(scale: 0.05, zeroPoint: 3)).layerSpec,
        Conv2d("pw", outChannels: 24, kernel: 1, weight: .quantized(.values(randomWeights(96 * 24)), scales: perChannel(24), zeroPoints: Array(repeating: 0, count: 24)),
               output: .uint8(scale: 0.5, zeroPoint: 7)).layerSpec]),
    ("Linear 1024->1000", [
        Input("x", shape: [1, 1024], .uint8(scale: 0.05, zeroPoint: 3)).layerSpec,
        Linear("fc", outFeatures: 1000, weight: .quantized(.values(randomWeights(1024 * 1000)), scales: perChannel(1000), zeroPoints: Array(repeating: 0, count: 1000)),
               output: .uint8(scale: 0.5, zeroPoint: 7)).layerSpec]),
]
var portableNHWC: [String: Double] = [:]
print("single layers (uint8, per-channel int8 weights, tflite; NCHW as PyTorch/ONNX tensors, NHWC as TFLite's), GMAC/s:")
for (index, (label, specs)) in layers.enumerated() {
    let spec = ModelSpec(name: "layer\(index)", layers: specs, location: SourceLocation(file: "bench.swift", line: 3))
    let compiled = try Pipeline.compile(spec, options: CompileOptions())
    let layerMACs = compiled.lowered.nodes.compactMap { $0.mac?.geometry.multiplyAccumulates }.reduce(0, +)
    let runs = max(20, 2_000_000_000 / max(layerMACs, 1) / 4)
    var figures: [String] = [], portable: [Double] = []
    for flags in [["-O2"], ["-O3", "-march=native"]] {
        if let t = try compileAndTime(compiled, runs: runs, flags: flags) {
            figures.append(String(format: "%@ %.2f", flags.joined(separator: " "), Double(layerMACs) / t / 1e9))
            if flags == ["-O2"] { portable.append(Double(layerMACs) / t / 1e9) }
        } else {
            figures.append("\(flags.joined(separator: " ")) cc failed")
        }
    }
    print("  " + label.padding(toLength: 41, withPad: " ", startingAt: 0) + figures.joined(separator: ", ") + String(format: "  (%d MACs)", layerMACs))
    if let gmacs = portable.last, label.hasPrefix("NHWC ") || label.hasPrefix("Linear") {
        portableNHWC[label.hasPrefix("NHWC ") ? String(label.dropFirst(5)) : label] = gmacs
    }
}

// 6. The same shapes through a naive TFLite-Micro-style reference kernel (Tools/harness/bench_tflm_style.c:
//    NHWC, a bounds test per tap, MultiplyByQuantizedMultiplier per output), cc -O2, against qgen's NHWC
//    kernels (and Linear) at -O2.
let yardstick = work.appendingPathComponent("tflm_style").path
if try run("/usr/bin/env", ["cc", "-std=c99", "-O2", root.appendingPathComponent("Tools/harness/bench_tflm_style.c").path, "-o", yardstick]) != nil,
   let text = try run(yardstick) {
    print("naive TFLM-style kernels (NHWC, cc -O2), GMAC/s, and qgen's speed-up at -O2:")
    for line in text.split(separator: "\n") {
        let parts = line.split(separator: "\t")
        guard parts.count == 2, let naive = Double(parts[1]) else { continue }
        let label = String(parts[0])
        let ratio = portableNHWC[label].map { String(format: "qgen %.2f, %.1fx", $0, $0 / naive) } ?? "no qgen figure"
        print("  " + label.padding(toLength: 41, withPad: " ", startingAt: 0) + String(format: "%.2f   ", naive) + ratio)
    }
} else {
    print("naive TFLM-style kernels: cc or the run failed")
}
