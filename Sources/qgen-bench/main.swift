import Foundation
import QGen
import QGenArithmetic
import QGenCompiler
import QGenJIT
import QGenVerify

// make bench: the figures of qgen's performance, measured here (never asserted by tests).
//   1. time to emit a model with about 10M parameters (resolve + lower + emit + render);
//   2. libtcc compile time of that model's C;
//   3. throughput of the emitted tiny_cnn compiled with cc -O2 (MAC/s);
//   4. the cost of each scheme's output stage, integer-only and with --float-requant;
//   5. single-layer throughput of the kernels (issue 11's shapes) with portable cc -O2 and -O3 -march=native,
//      and callgrind's instructions per MAC at -O2;
//   6. a naive TFLite-Micro-style kernel on the same shapes, and qgen's speed-up over it;
//   7. ONNX Runtime on the same shapes (when the engine venv exists), and qgen's time against it;
//   8. the MLPerf-Tiny-class networks on Cortex-M4 and M55 under QEMU: instructions per inference,
//      flash, and the arena against its lower bound and TFLite Micro's.

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

var rng = SeededGenerator(seed: 1)
// conv 3→64 (3×3), conv 64→64 (3×3), Linear 64·8·8 → 2,500: 1,728 + 36,864 + 10,240,000 ≈ 10.3M weights.
let bigSpec = ModelSpec(name: "big", layers: [
    Input("x", shape: [1, 3, 8, 8], .uint8(scale: 1.0 / 255, zeroPoint: 0)).layerSpec,
    Conv2d("c1", outChannels: 64, kernel: 3, padding: 1, weight: .float(.values((0..<1728).map { _ in Double.random(in: -0.5...0.5, using: &rng) })),
           output: .uint8(scale: 0.02, zeroPoint: 0), activation: .relu).layerSpec,
    Conv2d("c2", outChannels: 64, kernel: 3, padding: 1, weight: .float(.values((0..<36864).map { _ in Double.random(in: -0.1...0.1, using: &rng) })),
           output: .uint8(scale: 0.02, zeroPoint: 0), activation: .relu).layerSpec,
    Flatten("flat").layerSpec,
    Linear("fc", outFeatures: 2500, weight: .float(.values((0..<10_240_000).map { _ in Double.random(in: -0.02...0.02, using: &rng) })),
           output: .int8(scale: 0.05, zeroPoint: 0)).layerSpec,
], location: SourceLocation(file: "bench.swift", line: 1))
let parameters = 1728 + 36864 + 10_240_000

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

/// Writes the model's C into its own directory under `work` (named `name`) and returns the directory
/// and the -D macros the harnesses take (targets_main.c's set plus RUNS).
func writeModel(_ result: Pipeline.Result, name: String, runs: Int) throws -> (dir: URL, defines: [String]) {
    let dir = work.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try result.output.source.write(to: dir.appendingPathComponent(result.output.sourceName), atomically: true, encoding: .utf8)
    try result.output.header.write(to: dir.appendingPathComponent(result.output.headerName), atomically: true, encoding: .utf8)
    let m = result.lowered, macro = m.cPrefix.uppercased()
    return (dir, ["-I", dir.path, "-DMODEL_HEADER=\"\(result.output.headerName)\"", "-DRUN=\(m.cPrefix)_run",
                  "-DINPUT_T=\(m.input.dtype == .int8 ? "int8_t" : "uint8_t")", "-DOUTPUT_T=\(m.output.dtype == .int8 ? "int8_t" : "uint8_t")",
                  "-DINPUT_SIZE=\(macro)_INPUT_SIZE", "-DOUTPUT_SIZE=\(macro)_OUTPUT_SIZE", "-DARENA_SIZE=\(macro)_ARENA_SIZE", "-DRUNS=\(runs)"])
}

/// The emitted C built with cc and `flags` around Tools/harness/bench_model.c (`batches` batches of `runs`
/// inferences, the fastest printed): the
/// executable's path, or nil when cc fails.
func buildHarness(_ result: Pipeline.Result, name: String, runs: Int, batches: Int = 5, flags: [String]) throws -> String? {
    let (dir, defines) = try writeModel(result, name: name, runs: runs)
    let exe = dir.appendingPathComponent("bench").path
    let built = try run("/usr/bin/env", ["cc", "-std=c99", "-DBATCHES=\(batches)"] + flags + defines + [dir.appendingPathComponent(result.output.sourceName).path,
                                         root.appendingPathComponent("Tools/harness/bench_model.c").path, "-o", exe])
    return built == nil ? nil : exe
}

/// Seconds per inference of the emitted C compiled with cc (-O2 by default) around Tools/harness/bench_model.c:
/// the fastest of five batches of `runs`.
func compileAndTime(_ result: Pipeline.Result, runs: Int, flags: [String] = ["-O2"]) throws -> Double? {
    guard let exe = try buildHarness(result, name: result.lowered.cPrefix + flags.joined(), runs: runs, flags: flags) else { return nil }
    return try timeHarness(exe)
}

/// Seconds per inference that a harness built by `buildHarness` prints (its fastest batch).
func timeHarness(_ exe: String) throws -> Double? {
    guard let text = try run(exe) else { return nil }
    let fields = text.split(whereSeparator: \.isWhitespace)
    guard fields.count == 2, let n = Double(fields[0]), let s = Double(fields[1]) else { return nil }
    return s / n
}

/// Instructions per inference of the emitted C (cc -O2 around Tools/harness/bench_model.c) counted by
/// callgrind: the difference between 3 runs and 1, halved, so that start-up is not counted. Nil
/// without valgrind.
func callgrindInstructions(_ result: Pipeline.Result) throws -> Double? {
    var counts: [Double] = []
    for runs in [1, 3] {
        guard let exe = try buildHarness(result, name: "\(result.lowered.cPrefix)-callgrind-\(runs)", runs: runs, batches: 1, flags: ["-O2"]) else { return nil }
        // callgrind prints its totals to stderr ("Collected : N"); --callgrind-out-file keeps no file.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", exe]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0, let line = text.split(separator: "\n").first(where: { $0.contains("Collected :") }),
              let n = line.split(separator: " ").last.flatMap({ Double($0) }) else { return nil }
        counts.append(n)
    }
    return (counts[1] - counts[0]) / 2
}

// 3. tiny_cnn with cc -O2.
let spec = try ModelLoader.load(path: root.appendingPathComponent("Examples/tiny_cnn/model.swift").path)
let tiny = try Pipeline.compile(spec, options: CompileOptions(baseDirectory: root.appendingPathComponent("Examples/tiny_cnn")))
let macs = tiny.lowered.nodes.compactMap { $0.mac?.geometry.multiplyAccumulates }.reduce(0, +)
if let perRun = try compileAndTime(tiny, runs: 400) {
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
        ? Linear("fc", outFeatures: 8, weight: .int8(.values(heavyWeights), scales: [0.01], zeroPoints: [0]), bias: .float(.values(Array(repeating: 0.1, count: 8))),
                 output: .uint8(scale: 0.3, zeroPoint: 128)).layerSpec
        : Conv2d("conv", outChannels: 8, kernel: 1, weight: .int8(.values(heavyWeights), scales: [0.01], zeroPoints: [0]),
                 bias: .float(.values(Array(repeating: 0.1, count: 8))), output: .uint8(scale: 0.3, zeroPoint: 128)).layerSpec
    let input = asLinear ? Input("x", shape: [1024, 8], .uint8(scale: 0.05, zeroPoint: 0)).layerSpec
                             : Input("x", shape: [1, 8, 32, 32], .uint8(scale: 0.05, zeroPoint: 0)).layerSpec
    let name = "heavy_" + String(scheme.prefix { $0.isLetter }) + (asLinear ? "_linear" : "")
    let spec = ModelSpec(name: name, layers: [input, layer], requantization: Requantization(name: scheme), location: SourceLocation(file: "bench.swift", line: 2))
    let float32 = RequantizationScheme(parsing: scheme)?.family == .float32
    for native in float32 ? [false, true] : [false] {
        let compiled = try Pipeline.compile(spec, options: CompileOptions(prefix: name + (native ? "_native" : ""), floatRequant: native))
        let label = (scheme + (native ? " --float-requant" : "")).padding(toLength: 48, withPad: " ", startingAt: 0)
        if let t = try compileAndTime(compiled, runs: 400) {
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
        Conv2d("conv", outChannels: 32, kernel: 3, padding: 1, weight: .int8(.values(randomWeights(32 * 32 * 9)), scales: perChannel(32), zeroPoints: Array(repeating: 0, count: 32)),
               output: .uint8(scale: 0.5, zeroPoint: 7)).layerSpec]),
    ("depthwise 3x3, 96 ch, 56x56, pad 1", [
        Input("x", shape: [1, 96, 56, 56], .uint8(scale: 0.05, zeroPoint: 3)).layerSpec,
        Conv2d("dw", outChannels: 96, kernel: 3, padding: 1, groups: 96, weight: .int8(.values(randomWeights(96 * 9)), scales: perChannel(96), zeroPoints: Array(repeating: 0, count: 96)),
               output: .uint8(scale: 0.2, zeroPoint: 7)).layerSpec]),
    ("pointwise 1x1, 96->24, 56x56", [
        Input("x", shape: [1, 96, 56, 56], .uint8(scale: 0.05, zeroPoint: 3)).layerSpec,
        Conv2d("pw", outChannels: 24, kernel: 1, weight: .int8(.values(randomWeights(96 * 24)), scales: perChannel(24), zeroPoints: Array(repeating: 0, count: 24)),
               output: .uint8(scale: 0.5, zeroPoint: 7)).layerSpec]),
    ("NHWC conv 3x3, 32->32, 56x56, pad 1", [
        Input("x", shape: [1, 56, 56, 32], layout: .nhwc, .uint8(scale: 0.05, zeroPoint: 3)).layerSpec,
        Conv2d("conv", outChannels: 32, kernel: 3, padding: 1, weight: .int8(.values(randomWeights(32 * 32 * 9)), scales: perChannel(32), zeroPoints: Array(repeating: 0, count: 32)),
               output: .uint8(scale: 0.5, zeroPoint: 7)).layerSpec]),
    ("NHWC depthwise 3x3, 96 ch, 56x56, pad 1", [
        Input("x", shape: [1, 56, 56, 96], layout: .nhwc, .uint8(scale: 0.05, zeroPoint: 3)).layerSpec,
        Conv2d("dw", outChannels: 96, kernel: 3, padding: 1, groups: 96, weight: .int8(.values(randomWeights(96 * 9)), scales: perChannel(96), zeroPoints: Array(repeating: 0, count: 96)),
               output: .uint8(scale: 0.2, zeroPoint: 7)).layerSpec]),
    ("NHWC pointwise 1x1, 96->24, 56x56", [
        Input("x", shape: [1, 56, 56, 96], layout: .nhwc, .uint8(scale: 0.05, zeroPoint: 3)).layerSpec,
        Conv2d("pw", outChannels: 24, kernel: 1, weight: .int8(.values(randomWeights(96 * 24)), scales: perChannel(24), zeroPoints: Array(repeating: 0, count: 24)),
               output: .uint8(scale: 0.5, zeroPoint: 7)).layerSpec]),
    ("Linear 1024->1000", [
        Input("x", shape: [1, 1024], .uint8(scale: 0.05, zeroPoint: 3)).layerSpec,
        Linear("fc", outFeatures: 1000, weight: .int8(.values(randomWeights(1024 * 1000)), scales: perChannel(1000), zeroPoints: Array(repeating: 0, count: 1000)),
               output: .uint8(scale: 0.5, zeroPoint: 7)).layerSpec]),
]
var portableNHWC: [String: Double] = [:], nativeExecutables: [String: String] = [:]
print("single layers (uint8, per-channel int8 weights, tflite; NCHW as PyTorch/ONNX tensors, NHWC as TFLite's), GMAC/s:")
for (index, (label, specs)) in layers.enumerated() {
    let spec = ModelSpec(name: "layer\(index)", layers: specs, location: SourceLocation(file: "bench.swift", line: 3))
    let compiled = try Pipeline.compile(spec, options: CompileOptions())
    let layerMACs = compiled.lowered.nodes.compactMap { $0.mac?.geometry.multiplyAccumulates }.reduce(0, +)
    let runs = max(20, 2_000_000_000 / max(layerMACs, 1) / 20)
    var figures: [String] = [], gmacs: [String: Double] = [:]
    var nativeExe: String?
    for flags in [["-O2"], ["-O3", "-march=native"]] {
        if let exe = try buildHarness(compiled, name: compiled.lowered.cPrefix + flags.joined(), runs: runs, flags: flags),
           let t = try timeHarness(exe) {
            figures.append(String(format: "%@ %.2f", flags.joined(separator: " "), Double(layerMACs) / t / 1e9))
            gmacs[flags[0]] = Double(layerMACs) / t / 1e9
            if flags[0] == "-O3" { nativeExe = exe }
        } else {
            figures.append("\(flags.joined(separator: " ")) cc failed")
        }
    }
    if let instructions = try callgrindInstructions(compiled) {
        figures.append(String(format: "%.2f instructions/MAC at -O2 (callgrind)", instructions / Double(layerMACs)))
    }
    print("  " + label.padding(toLength: 41, withPad: " ", startingAt: 0) + figures.joined(separator: ", ") + String(format: "  (%d MACs)", layerMACs))
    if label.hasPrefix("NHWC ") || label.hasPrefix("Linear") {
        let key = label.hasPrefix("NHWC ") ? String(label.dropFirst(5)) : label
        portableNHWC[key] = gmacs["-O2"]
        nativeExecutables[key] = nativeExe
    }
}

// 6. The same shapes through a naive TFLite-Micro-style reference kernel (Tools/harness/bench_tflm_style.c:
//    NHWC, a bounds test per tap, MultiplyByQuantizedMultiplier per output, shapes read at run time as TFLM
//    reads them, and once more FullyConnected with constant shapes), cc -O2, against qgen's NHWC kernels
//    (and Linear) at -O2.
let yardstick = work.appendingPathComponent("tflm_style").path
if try run("/usr/bin/env", ["cc", "-std=c99", "-O2", root.appendingPathComponent("Tools/harness/bench_tflm_style.c").path, "-o", yardstick]) != nil,
   let text = try run(yardstick) {
    print("naive TFLM-style kernels (NHWC, cc -O2), GMAC/s, and qgen's speed-up at -O2:")
    for line in text.split(separator: "\n") {
        let parts = line.split(separator: "\t")
        guard parts.count == 2, let naive = Double(parts[1]) else { continue }
        let label = String(parts[0])
        // "Linear 1024->1000, constant shapes" compares with the same qgen figure as "Linear 1024->1000".
        let key = label.components(separatedBy: ", constant shapes")[0]
        let ratio = portableNHWC[key].map { String(format: "qgen %.2f, %.1fx", $0, $0 / naive) } ?? "no qgen figure"
        print("  " + label.padding(toLength: 41, withPad: " ", startingAt: 0) + String(format: "%.2f   ", naive) + ratio)
    }
} else {
    print("naive TFLM-style kernels: cc or the run failed")
}

// 7. ONNX Runtime (1 thread, its Python API) on the same shapes: Tools/engines/bench_onnxruntime.py in the
//    engine venv, which CI never has. Its per-call overhead is measured on a one-Identity graph; qgen's
//    NHWC kernels (and Linear) at -O3 -march=native are compared with ORT's time with and without it.
let venvPython = root.appendingPathComponent(".venv-engines/bin/python").path
if FileManager.default.isExecutableFile(atPath: venvPython) {
    // Five rounds, each ORT's script then qgen's -O3 executables again, so that the two are timed side by
    // side; each keeps its fastest time (a busy machine only ever adds time).
    var ort: [String: (seconds: Double, overhead: Double, macs: Double)] = [:], labels: [String] = [], version = "onnxruntime"
    var qgenSeconds: [String: Double] = [:]
    for _ in 0..<5 {
        guard let text = try run(venvPython, [root.appendingPathComponent("Tools/engines/bench_onnxruntime.py").path]) else { continue }
        let lines = text.split(separator: "\n")
        version = lines.first.map(String.init) ?? version
        for line in lines.dropFirst() {
            let parts = line.split(separator: "\t")
            guard parts.count == 4, let t = Double(parts[1]), let overhead = Double(parts[2]), let macs = Double(parts[3]) else { continue }
            let label = String(parts[0])
            if ort[label] == nil { labels.append(label) }
            ort[label] = (min(t, ort[label]?.seconds ?? t), min(overhead, ort[label]?.overhead ?? overhead), macs)
        }
        for (label, exe) in nativeExecutables {
            if let t = try timeHarness(exe) { qgenSeconds[label] = min(t, qgenSeconds[label] ?? t) }
        }
    }
    print("\(version) (1 thread, Python API), GMAC/s with its per-call overhead and without; qgen -O3 -march=native and its time over ORT's")
    print("(fastest of five rounds each, timed alternately):")
    for label in labels {
        guard let (t, overhead, macs) = ort[label] else { continue }
        var text = "  " + label.padding(toLength: 41, withPad: " ", startingAt: 0)
            + String(format: "%.2f (%.1f us), %.2f without the %.1f us overhead", macs / t / 1e9, t * 1e6, macs / (t - overhead) / 1e9, overhead * 1e6)
        if let qgenTime = qgenSeconds[label] {
            text += String(format: "; qgen %.2f, %.2fx ORT's time (%.2fx without the overhead)", macs / qgenTime / 1e9, qgenTime / t, qgenTime / (t - overhead))
        }
        print(text)
    }
    if labels.isEmpty { print("ONNX Runtime: Tools/engines/bench_onnxruntime.py failed") }
} else {
    print("ONNX Runtime: skipped (no .venv-engines; Tools/engines/setup_venv.sh makes it)")
}

// 8. The MLPerf-Tiny-class networks of issue 9 (Tests/Fixtures/tflite/net_*.tflite, TensorFlow's converter,
//    int8) imported by qgen: executed instructions per inference on Cortex-M4 (mps2-an386) and M55
//    (mps3-an547), arm-none-eabi-gcc -O2, counted under qemu-system-arm -icount shift=0 by
//    Tools/harness/bench_cortex_m.c; flash as arm-none-eabi-size of the model's object for each core
//    (code + constants); the arena against the lower bound without in-place execution and against
//    TFLite Micro's (networks.json: its RecordingMicroAllocator's total and the head that holds the
//    activations).
struct NetworkFixture: Decodable {
    struct Entry: Decodable { var file: String; var tfliteMicroArena: Int?; var tfliteMicroArenaHead: Int? }
    var cases: [Entry]
}
let networksDirectory = root.appendingPathComponent("Tests/Fixtures/tflite")
// Each core with its FPU and hard-float ABI, as make check-targets builds it (on the M55 that also
// turns on Helium, MVE, which compilers use for the portable reductions).
let cortexM = [("cortex-m4", "mps2-an386", "link_bench_mps2.ld", ["-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"]),
               ("cortex-m55", "mps3-an547", "link_bench_mps3.ld", ["-mfloat-abi=hard", "-mfpu=auto"])]
if try run("/usr/bin/env", ["arm-none-eabi-gcc", "--version"]) == nil || run("/usr/bin/env", ["qemu-system-arm", "--version"]) == nil {
    print("MLPerf-Tiny-class networks: skipped (arm-none-eabi-gcc or qemu-system-arm missing; make setup installs them)")
} else {
    let fixture = try JSONDecoder().decode(NetworkFixture.self, from: Data(contentsOf: networksDirectory.appendingPathComponent("networks.json")))
    print("MLPerf-Tiny-class networks (int8, tflite scheme; arm-none-eabi-gcc -O2; QEMU -icount): MACs, instructions per inference and per MAC,")
    print("flash (code + constants), arena vs its lower bound without in-place execution vs TFLite Micro's (activations head / total):")
    for entry in fixture.cases where ["net_autoencoder", "net_ds_cnn", "net_mobilenet_v1_025", "net_resnet8", "net_mobilenet_v2_035"].contains(String(entry.file.dropLast(7))) {
        let spec = try TFLiteImporter.load(path: networksDirectory.appendingPathComponent(entry.file).path)
        let compiled = try Pipeline.compile(spec, options: CompileOptions(fileStem: "net"))
        let m = compiled.lowered
        let netMACs = m.nodes.compactMap { $0.mac?.geometry.multiplyAccumulates }.reduce(0, +)
        let (dir, defines) = try writeModel(compiled, name: "net-" + entry.file, runs: 1)
        let source = dir.appendingPathComponent(compiled.output.sourceName).path
        var figures: [String] = [], flash: [String] = [], checksums: Set<String> = []
        for (cpu, board, script, abi) in cortexM {
            let flags = ["-mcpu=\(cpu)", "-mthumb"] + abi + ["-std=c99", "-ffreestanding", "-nostdlib", "-O2", "-I", root.appendingPathComponent("Tools/cortex-m").path]
            let object = dir.appendingPathComponent("\(cpu).o").path, elf = dir.appendingPathComponent("\(cpu).elf").path
            if try run("/usr/bin/env", ["arm-none-eabi-gcc"] + flags + defines + ["-c", source, "-o", object]) != nil,
               let size = try run("/usr/bin/env", ["arm-none-eabi-size", object]),
               let row = size.split(separator: "\n").dropFirst().first {
                let fields = row.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
                if fields.count >= 2 { flash.append("\(cpu.dropFirst(7)) \(fields[0] + fields[1])") }
            }
            guard try run("/usr/bin/env", ["arm-none-eabi-gcc"] + flags + defines + ["-T", root.appendingPathComponent("Tools/cortex-m/\(script)").path,
                  root.appendingPathComponent("Tools/cortex-m/startup.c").path, root.appendingPathComponent("Tools/cortex-m/semihost.c").path, source,
                  root.appendingPathComponent("Tools/harness/bench_cortex_m.c").path, "-lgcc", "-o", elf]) != nil else {
                figures.append("\(cpu): build failed"); continue
            }
            // QEMU writes semihosting output to its stderr.
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["timeout", "600", "qemu-system-arm", "-M", board, "-icount", "shift=0", "-nographic", "-monitor", "none", "-serial", "none",
                           "-semihosting-config", "enable=on,target=native", "-kernel", elf]
            let err = Pipe()
            p.standardError = err
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            let parts = text.split(whereSeparator: \.isWhitespace)
            guard p.terminationStatus == 0, parts.count == 2, let instructions = Double(parts[0]) else {
                figures.append("\(cpu): run failed (\(text.prefix(80)))"); continue
            }
            checksums.insert(String(parts[1]))
            figures.append(String(format: "%@ %.2fM (%.2f/MAC)", String(cpu.dropFirst(7)), instructions / 1e6, instructions / Double(max(netMACs, 1))))
        }
        let tflm = entry.tfliteMicroArenaHead.map { head in "TFLM \(head) / \(entry.tfliteMicroArena ?? 0)" } ?? "TFLM n/a"
        print("  " + String(entry.file.dropLast(7).dropFirst(4)).padding(toLength: 18, withPad: " ", startingAt: 0)
              + String(format: "%.2fM MACs; ", Double(netMACs) / 1e6) + figures.joined(separator: ", ")
              + (checksums.count > 1 ? " (OUTPUTS DIFFER)" : "") + "; flash " + flash.joined(separator: ", ")
              + " (constants \(compiled.constantBytes)); arena \(m.arenaSize) (in place), without in-place \(m.arenaLowerBound) at least, \(tflm)")
    }
}
