import Foundation
import Testing

/// Runs the built qgen binary, as a user would.
@Suite struct CLITests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let qgen = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("qgen").path

    struct Run: Sendable { var status: Int32; var stdout: String; var stderr: String; var pid: Int32 = 0 }

    func qgen(_ arguments: [String], in directory: URL) throws -> Run {
        try Self.run(Self.qgen, arguments, in: directory)
    }

    /// Runs a program to completion and collects what it printed.
    static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self),
                   pid: process.processIdentifier)
    }

    func scratch(model: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qgen-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try model.write(to: dir.appendingPathComponent("model.swift"), atomically: true, encoding: .utf8)
        return dir
    }

    static let good = """
        import QGen
        Model("tiny") {
            Input("x", shape: [2, 4], .uint8(scale: 0.02, zeroPoint: 128))
            Linear("fc", outFeatures: 2, weight: .float([1, 0, -1, 0.5, 0.25, 0, 0, 1]), bias: .float([0.1, -0.1]),
                   output: .uint8(scale: 0.05, zeroPoint: 128), activation: .relu)
        }
        """

    @Test func helpForEveryCommand() throws {
        let dir = FileManager.default.temporaryDirectory
        for args in [["--help"], ["emit", "--help"], ["verify", "--help"], ["explain", "--help"], ["calibrate", "--help"]] {
            let r = try qgen(args, in: dir)
            #expect(r.status == 0, "\(args)")
            #expect(r.stdout.contains("USAGE: qgen"), "\(args): \(r.stdout)")
        }
        #expect(try qgen(["emit", "--help"], in: dir).stdout.contains("singleRounding"))
    }

    /// `--report`, checked by hand: conv 2 channels x 16 pixels x 9 taps = 288 MACs, constants 18 int8
    /// weights + 2 int32 each of bias, multiplier and shift (per channel) = 42 bytes, output in the
    /// arena's first 2x4x4 = 32 bytes; Flatten aliases it; Linear 32 x 3 = 96 MACs, 96 + 3 x 12 = 132 bytes,
    /// into the caller's output. Code is measured with arm-none-eabi-gcc (installed by make setup).
    @Test func emitReportListsMACsMemoryAndFlash() throws {
        let dir = try scratch(model: """
            import QGen
            Model("rep") {
                Input("x", shape: [1, 1, 4, 4], .uint8(scale: 0.02, zeroPoint: 0))
                Conv2d("conv", outChannels: 2, kernel: 3, padding: 1, weight: .float(.values(Array(repeating: 0.1, count: 18))), output: .uint8(scale: 0.05, zeroPoint: 0))
                Flatten("flat")
                Linear("fc", outFeatures: 3, weight: .float(.values(Array(repeating: 0.01, count: 96))), output: .int8(scale: 0.1, zeroPoint: 0))
            }
            """)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try qgen(["emit", "model.swift", "-o", "rep.c", "--report"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(Array(lines.dropFirst(2).prefix(7)) == [
            "report for model 'rep': 3 layers",
            "layer  op       at             output shape  MACs  constants  output in",
            "conv   Conv2d   model.swift:4  [1, 2, 4, 4]   288         42  arena [0, 32)",
            "flat   Flatten  model.swift:5  [1, 32]          -          0  aliases its input",
            "fc     Linear   model.swift:6  [1, 3]          96        132  output",
            "total: 384 MACs",
            "RAM: arena 32 bytes (lower bound without in-place execution 32); the caller's input 16 and output 3 bytes",
        ])
        #expect(lines.last?.hasPrefix("flash: constants 174 bytes (") == true && lines.last?.contains("(arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -O2)") == true,
                "\(lines.last ?? "")")
        let none = try qgen(["emit", "model.swift", "-o", "rep.c", "--report", "--core", "none"], in: dir)
        #expect(none.stdout.hasSuffix("flash: constants 174 bytes; code not measured (--core none)\n"))
        let bad = try qgen(["emit", "model.swift", "-o", "rep.c", "--report", "--core", "cortex-a53"], in: dir)
        #expect(bad.status != 0 && bad.stderr.contains("--core takes one of cortex-m0, cortex-m0plus, cortex-m3, cortex-m4, cortex-m7, cortex-m23, cortex-m33, cortex-m55, cortex-m85 or none, got 'cortex-a53'"))
    }

    @Test func emitWritesTheSourceAndHeader() throws {
        let dir = try scratch(model: Self.good)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try qgen(["emit", "model.swift", "-o", "net.c", "--prefix", "net", "--scheme", "singleRounding"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        // Constants: 8 int8 weights, then 2 int32 each of bias, multiplier and shift (per channel): 8 + 3 · 8 = 32 bytes.
        #expect(r.stdout == "wrote net.c and net.h (1 layers, scheme singleRounding)\nmemory: arena 0 bytes (lower bound without in-place execution 0: the most bytes live at one layer), constants 32 bytes\n")
        let source = try String(contentsOf: dir.appendingPathComponent("net.c"), encoding: .utf8)
        #expect(source.contains("#include \"net.h\"") && source.contains("int net_run(const uint8_t *input, uint8_t *output, void *arena)"))
        #expect(source.contains("TFLITE_SINGLE_ROUNDING"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("net.h").path))
    }

    @Test func verifyReportsZeroMismatches() throws {
        let dir = try scratch(model: Self.good)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try qgen(["verify", "model.swift", "--inputs", "30", "--seed", "5"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("compared 120 output elements over 30 random inputs (seed 5): 0 mismatches"), "\(r.stdout)")
    }

    /// Without --inputs a small model gets 100 inputs and the plain line; an output scale so small that
    /// nearly every output clamps (at most 127 · 0.0005 = 0.064, against real outputs up to about 2.5)
    /// gets the note that random inputs saturate the model, which the good model's does not.
    @Test func verifyDefaultsAndExplainsALowSQNR() throws {
        let good = try scratch(model: Self.good)
        defer { try? FileManager.default.removeItem(at: good) }
        let r = try qgen(["verify", "model.swift"], in: good)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("compared 400 output elements over 100 random inputs (seed 1): 0 mismatches"), "\(r.stdout)")
        #expect(!r.stdout.contains("saturate"), "\(r.stdout)")
        let saturated = try scratch(model: Self.good.replacingOccurrences(of: "output: .uint8(scale: 0.05", with: "output: .uint8(scale: 0.0005"))
        defer { try? FileManager.default.removeItem(at: saturated) }
        let s = try qgen(["verify", "model.swift", "--inputs", "20"], in: saturated)
        #expect(s.status == 0, "\(s.stderr)")
        #expect(s.stdout.contains("dB (random inputs over the input type's whole range saturate a model calibrated on real data"), "\(s.stdout)")
    }

    @Test func aBadModelFailsWithItsLineAndWritesNothing() throws {
        let bad = Self.good.replacingOccurrences(of: "scale: 0.05", with: "scale: 0")
        let dir = try scratch(model: bad)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try qgen(["emit", "model.swift", "-o", "out.c"], in: dir)
        #expect(r.status == 1)
        #expect(r.stderr == "model.swift:4: error: layer 'fc' (Linear) output: scale must be a finite number > 0, got 0.0\n")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(left == ["model.swift"], "partial output: \(left)")
    }

    @Test func aSwiftCompileErrorIsShownWithItsLocation() throws {
        let dir = try scratch(model: Self.good.replacingOccurrences(of: "outFeatures: 2", with: "outFeatures: \"2\""))
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try qgen(["emit", "model.swift", "-o", "out.c"], in: dir)
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("error: model.swift does not compile:\n"))
        #expect(r.stderr.contains("model.swift:4:"), "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["model.swift"])
    }

    @Test func usageErrors() throws {
        let dir = try scratch(model: Self.good)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try qgen(["emit", "model.swift", "-o", "missing/out.c"], in: dir).stderr == "error: cannot write 'missing/out.c': the directory 'missing' does not exist\n")
        #expect(try qgen(["emit", "model.swift", "-o", "out.txt"], in: dir).stderr.hasPrefix("Error: --output must name a .c file, got 'out.txt'\n"))
        #expect(try qgen(["emit", "model.swift", "-o", "out.c", "--scheme", "nope"], in: dir).status != 0)
        #expect(try qgen(["emit", "absent.swift", "-o", "out.c"], in: dir).stderr == "error: absent.swift: no such file\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["model.swift"])
    }
}

/// The float options through the binary: accepted only for the float32 schemes, and visible in the C.
@Suite struct FloatOptionsCLITests {
    let cli = CLITests()

    @Test func floatRequantAndFloatIO() throws {
        let dir = try cli.scratch(model: CLITests.good)
        let ok = try cli.qgen(["emit", "model.swift", "-o", "net.c", "--scheme", "qnnpack", "--float-requant", "--float-io"], in: dir)
        #expect(ok.status == 0, "\(ok.stderr)")
        let source = try String(contentsOf: dir.appendingPathComponent("net.c"), encoding: .utf8)
        let header = try String(contentsOf: dir.appendingPathComponent("net.h"), encoding: .utf8)
        #expect(source.contains("static int32_t qgen_requantize(int32_t acc, float scale,"))
        #expect(source.contains("void tiny_quantize_input(const float *x, uint8_t *q)"))
        #expect(header.contains("void tiny_dequantize_output(const uint8_t *q, float *y);"))
        let refused = try cli.qgen(["emit", "model.swift", "-o", "other.c", "--float-requant"], in: dir)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("error: model 'tiny': --float-requant applies to the float32 schemes (fbgemm, qnnpack, onnxRuntime); tflite is integer arithmetic already"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("other.c").path))
        let scheme = try cli.qgen(["emit", "model.swift", "-o", "x.c", "--scheme", "fixedPoint(multiplierBits: 16, rounding: .halfEven)"], in: dir)
        #expect(scheme.status == 0 && scheme.stdout.contains("scheme fixedPoint(multiplierBits:16,rounding:halfEven)"), "\(scheme.stdout)\(scheme.stderr)")
        let bad = try cli.qgen(["emit", "model.swift", "-o", "y.c", "--scheme", "fbgem"], in: dir)
        #expect(bad.status != 0 && bad.stderr.contains("fbgem"))
    }
}
