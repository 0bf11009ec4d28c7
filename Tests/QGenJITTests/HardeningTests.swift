import Foundation
import Testing
import QGen
import QGenArithmetic
import QGenCompiler
import QGenJIT
import QGenReference
import QGenVerify

/// Bad or hostile input: user strings that try to leave their C comment, names that collide with
/// what the emitted C declares, shapes beyond qgen's limits, absurd values. Each gets a clear
/// error (asserted in full) or C that compiles warning-free and equals the reference.
@Suite struct HardeningTests {
    private func input(_ name: String = "x", shape: [Int] = [1, 4], _ quant: QuantParams = .uint8(scale: 0.02, zeroPoint: 128)) -> LayerSpec {
        Input(name, shape: shape, quant, file: "model.swift", line: 2).layerSpec
    }

    private func fc(_ name: String, inFeatures: Int = 4, out: Int = 2, line: Int = 3, activation: Activation = .none,
                    output: QuantParams = .uint8(scale: 0.05, zeroPoint: 128)) -> LayerSpec {
        Linear(name, outFeatures: out, weight: .float(.values((0..<(out * inFeatures)).map { Double($0 % 7) / 7 - 0.4 })),
               bias: .float(.values((0..<out).map { Double($0) / 10 })), output: output, activation: activation,
               file: "model.swift", line: line).layerSpec
    }

    private func model(_ layers: [LayerSpec], name: String = "m", scheme: String? = nil) -> ModelSpec {
        ModelSpec(name: name, layers: layers, requantization: scheme.map { Requantization(name: $0) },
                  location: SourceLocation(file: "model.swift", line: 1))
    }

    private func errors(_ spec: ModelSpec, _ options: CompileOptions = CompileOptions()) -> [String] {
        do {
            _ = try Pipeline.compile(spec, options: options)
            return []
        } catch let error as DiagnosticsError {
            return error.errors.map(\.description)
        } catch {
            return ["unexpected: \(error)"]
        }
    }

    /// Compiles the emitted pair with a host compiler as a firmware build would; its messages, or
    /// nil when it compiled cleanly.
    private func hostCompile(_ output: Renderer.Output, compiler: String) throws -> String? {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qgen-hardening-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try output.source.write(to: dir.appendingPathComponent(output.sourceName), atomically: true, encoding: .utf8)
        try output.header.write(to: dir.appendingPathComponent(output.headerName), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [compiler, "-std=c99", "-pedantic", "-Wall", "-Wextra", "-Werror", "-c", output.sourceName, "-o", "out.o"]
        process.currentDirectoryURL = dir
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return process.terminationStatus == 0 ? nil : text
    }

    /// The C, compiled by gcc, clang and libtcc, is warning-free and equals the reference.
    private func expectSoundC(_ result: Pipeline.Result, _ label: String) throws {
        for compiler in ["gcc", "clang"] {
            let messages = try hostCompile(result.output, compiler: compiler)
            #expect(messages == nil, "\(label), \(compiler): \(messages ?? "")")
        }
        let compiled = try Verifier.compile(result.output, model: result.lowered)
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<3 {
            let x = Verifier.randomInput(for: result.lowered, using: &rng)
            #expect(compiled.run(x) == IntegerReference.run(result.lowered, input: x), "\(label)")
        }
    }

    static let hostileNames = [
        "c*/\n#define qgen_requantize(a, b, c, d, e, f) 42\n/*",
        "end*/ int injected(void) { return 1; } /*",
        "tri??/\nx??=y",
        "quote\"back\\slash\ttab\u{0}nul\u{7F}del",
        "ünïcödé 中文 😀",
    ]

    @Test func userStringsCannotLeaveTheirCommentsOrLiterals() throws {
        for (i, hostile) in Self.hostileNames.enumerated() {
            for (scheme, floatOptions) in [("tflite", false), ("fbgemm", true), ("qnnpack", false)] {
                let spec = model([input("in \(hostile)"), fc("layer_\(i) \(hostile)"), fc("tail \(hostile)", inFeatures: 2, line: 4)],
                                 name: "model \(hostile)", scheme: scheme)
                let result = try Pipeline.compile(spec, options: CompileOptions(prefix: "net", floatRequant: floatOptions, floatIO: floatOptions))
                for text in [result.output.source, result.output.header] {
                    #expect(text.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "\n" || $0.value >= 0x20) && $0.value != 0x7F }, "\(hostile)")
                    let defines = text.split(separator: "\n").filter { $0.hasPrefix("#define") }
                    // The model's own macros, and qgen's (QGEN_MAC_8BIT, qgen_smlad): prefixes no user name may take.
                    #expect(defines.allSatisfy { ["#define NET_", "#define QGEN_", "#define qgen_"].contains(where: $0.hasPrefix) }, "\(hostile): \(defines)")
                    #expect(!text.contains("injected(void)") || text.contains("end*\\/ int injected(void)"), "\(hostile)")
                }
                try expectSoundC(result, "\(hostile) under \(scheme)")
            }
        }
    }

    /// Random names from an alphabet of comment, trigraph, quote and escape characters, keywords,
    /// library names and non-ASCII text: each one is refused with a message or accepted, and all
    /// accepted ones together give C that gcc and clang compile warning-free and that equals the
    /// reference.
    @Test func randomNamesAreRefusedOrCompile() throws {
        let pieces = ["*/", "/*", "??/", "??=", "\"", "\\", "\n", "\t", "\u{0}", "'", " ", ".", "-", "_", "0", "9", "é", "中", "😀",
                      "fc", "conv", "int", "main", "abs", "input", "memory", "qgen", "_t", "x", "n", "acc", "INT", "NULL", "run"]
        var rng = SeededGenerator(seed: 707)
        var accepted: [String] = [], refused = 0
        var identifiers: Set<String> = []
        while accepted.count < 40 {
            let name = (0..<Int.random(in: 1...5, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            let problems = errors(model([input("image"), fc(name)]))
            if !problems.isEmpty {
                #expect(problems.count == 1 && problems[0].hasPrefix("model.swift:3: error: layer name '"), "\(problems)")
                refused += 1
                continue
            }
            let identifier = String(String.UnicodeScalarView(name.unicodeScalars.map { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") ? $0 : "_" }))
            guard identifiers.insert(identifier).inserted else { continue }
            accepted.append(name)
        }
        #expect(refused > 10)
        var layers = [input("image", shape: [1, 2])]
        for (i, name) in accepted.enumerated() { layers.append(fc(name, inFeatures: 2, line: 3 + i)) }
        let result = try Pipeline.compile(model(layers, name: accepted[0]), options: CompileOptions(prefix: "net"))
        try expectSoundC(result, "random names")
    }

    @Test func escapingIsReadableAndExact() {
        #expect(CText.escape("a*/b/*c") == "a*\\/b/\\*c")
        #expect(CText.escape("??/ ??= ???") == "?\\?/ ?\\?= ?\\?\\?")
        #expect(CText.escape("\"q\" \\ \n\t\r") == "\\\"q\\\" \\\\ \\n\\t\\r")
        #expect(CText.escape("\u{0}1\u{1F}\u{7F}") == "\\0001\\037\\177")
        #expect(CText.escape("é中😀\u{85}") == "\\u00E9\\u4E2D\\U0001F600\\302\\205")
        #expect(CText.escape("features.0 conv_1") == "features.0 conv_1")
    }

    /// Every identifier the C declares at file scope or defines comes from `EmittedNames` (or is
    /// a `qgen_` helper or a `QGEN_` configuration macro): the list the resolver checks for collisions is the list the emitter writes.
    @Test(arguments: [("tflite", false), ("fbgemm", false), ("fbgemm", true), ("qnnpack", true), ("onnxRuntime", false),
                      ("fixedPoint(multiplierBits:16,rounding:halfEven)", false)])
    func everyDeclaredIdentifierComesFromEmittedNames(scheme: String, floatOptions: Bool) throws {
        let weights = WeightQuantization.perChannel(.affine)
        let conv = Conv2d("conv", outChannels: 2, kernel: 3, padding: 1, weight: .float(.values((0..<36).map { Double($0 % 5) / 5 - 0.3 }), weights),
                          bias: .float([0.1, -0.1]), output: .uint8(scale: 0.1, zeroPoint: 3), file: "model.swift", line: 3).layerSpec
        let spec = model([input(shape: [1, 2, 4, 4]), conv, Flatten("flat").layerSpec, fc("fc", inFeatures: 32, line: 4)], scheme: scheme)
        let result = try Pipeline.compile(spec, options: CompileOptions(floatRequant: floatOptions, floatIO: floatOptions))
        var allowed = Set(EmittedNames.Model(prefix: "m").all)
        for layer in result.lowered.nodes { allowed.formUnion(EmittedNames.Layer(cName: layer.cName).all) }
        let declaration = try Regex(#"^(?:static\s+)?(?:const\s+)?(?:int|void|float|int8_t|int32_t|int64_t|uint8_t)\s+\*?\s*([A-Za-z_][A-Za-z0-9_]*)\s*[\[(]"#)
        let define = try Regex(#"^#(?:define|ifndef)\s+([A-Za-z_][A-Za-z0-9_]*)"#)
        var declared: [String] = []
        for line in (result.output.source + "\n" + result.output.header).split(separator: "\n") {
            if let m = try declaration.firstMatch(in: line) ?? define.firstMatch(in: line), let name = m.output[1].substring {
                declared.append(String(name))
            }
        }
        #expect(declared.count >= 10)
        let stray = declared.filter { !allowed.contains($0) && !$0.hasPrefix("qgen_") && !$0.hasPrefix("QGEN_") }
        #expect(stray.isEmpty, "identifiers not in EmittedNames: \(stray)")
    }

    @Test func namesTheEmittedCUsesAreRefusedBeforeAnyCIsWritten() {
        for name in ["input", "output", "arena", "memory"] {
            #expect(errors(model([input(), fc(name)])) ==
                    ["model.swift:3: error: layer name '\(name)' cannot become a C identifier: '\(name)' is a parameter or local variable of the generated run function; rename it, e.g. '\(name)_layer'"])
        }
        for name in ["main", "abs", "memset", "round", "exp"] {
            #expect(errors(model([input(), fc(name)])) ==
                    ["model.swift:3: error: layer name '\(name)' cannot become a C identifier: '\(name)' is a name of the C standard library (compilers treat it as a built-in); rename it, e.g. '\(name)_layer'"])
        }
        // fc's native float32 multipliers are the array fc_scale (fbgemm --float-requant); the
        // check holds for every scheme, so the model is refused under tflite too.
        let clash = ["model.swift:4: error: layer 'fc_scale': its C identifier 'fc_scale' collides with layer 'fc'; rename the layer"]
        #expect(errors(model([input(), fc("fc"), fc("fc_scale", inFeatures: 2, line: 4)], scheme: "fbgemm"), CompileOptions(floatRequant: true)) == clash)
        #expect(errors(model([input(), fc("fc"), fc("fc_scale", inFeatures: 2, line: 4)])) == clash)
        #expect(errors(model([input(), fc("m_quantize_input")])) ==
                ["model.swift:3: error: layer 'm_quantize_input': its C identifier 'm_quantize_input' collides with the model's C API; rename the layer"])
    }

    /// Names of the kernels' own locals and parameters are fine as layer names: the C compiles
    /// warning-free under every option.
    @Test func layerNamesLikeKernelLocalsCompile() throws {
        let names = ["n", "o", "k", "x", "w", "acc", "oc", "oy", "ox", "ic", "ky", "kx", "iy", "ix", "group", "plane", "pair",
                     "q", "y", "i", "r", "v", "scaled", "magnitude", "left", "right", "multiplier", "shift"]
        var layers = [input("image", shape: [1, 2])]
        for (i, name) in names.enumerated() { layers.append(fc(name, inFeatures: 2, line: 3 + i)) }
        for (scheme, floatOptions) in [("tflite", false), ("fbgemm", true), ("onnxRuntime", true), ("fixedPoint(multiplierBits:8,rounding:halfAwayFromZero)", false)] {
            let result = try Pipeline.compile(model(layers, scheme: scheme), options: CompileOptions(floatRequant: floatOptions, floatIO: floatOptions))
            try expectSoundC(result, scheme)
        }
    }

    @Test func nonASCIINamesSayWhy() {
        #expect(errors(model([input(), fc("ëncoder")])) ==
                ["model.swift:3: error: layer name 'ëncoder' cannot become a C identifier: its first character 'ë' (U+EB, not ASCII) becomes '_' (C identifiers take only A-Z, a-z, 0-9 and '_'), and names starting with '_' are reserved for the C implementation; rename it, e.g. 'ncoder'"])
        #expect(errors(model([input(), fc("-fc")])) ==
                ["model.swift:3: error: layer name '-fc' cannot become a C identifier: its first character '-' becomes '_' (C identifiers take only A-Z, a-z, 0-9 and '_'), and names starting with '_' are reserved for the C implementation; rename it, e.g. 'fc'"])
    }

    @Test func headerNamesThatCannotStandInAnInclude() {
        for stem in ["a\"b", "new\nline", "back\\slash", "it's"] {
            let shown = CText.escape(stem)
            let bad = stem.unicodeScalars.first { !($0.properties.isAlphabetic && $0.isASCII) }!
            let what = bad.value >= 0x20 && bad.value < 0x7F ? "it contains '\(bad)'" : "it contains the character U+\(String(bad.value, radix: 16, uppercase: true))"
            #expect(errors(model([input(), fc("fc")]), CompileOptions(fileStem: stem)) ==
                    ["error: the header '\(shown).h' cannot be named in the C line #include \"…\": \(what); name the output file with letters, digits, '.', '_', '-' and '+' only"])
        }
        #expect(errors(model([input(), fc("fc")]), CompileOptions(fileStem: "net-v1.2+q")) == [])
    }

    // MARK: - Sizes

    @Test func shapesBeyondTheLimitsAreRefusedWithoutOverflow() {
        let limit = "268435456 (2^28)"
        #expect(errors(model([input(shape: [Int.max, 4, 6, 6]), fc("fc")])) ==
                ["model.swift:2: error: input 'x': shape [\(Int.max), 4, 6, 6] has more than \(limit) elements, qgen's limit for one tensor"])
        #expect(errors(model([input(), Linear("fc", outFeatures: Int.max, weight: .float([1]), output: .uint8(scale: 1, zeroPoint: 0), file: "model.swift", line: 3).layerSpec])) ==
                ["model.swift:3: error: layer 'fc' (Linear): outFeatures must be in 1...268435456, got \(Int.max)"])
        let wide = Conv2d("conv", outChannels: Int.max, kernel: 1, weight: .float([1]), output: .uint8(scale: 1, zeroPoint: 0), file: "model.swift", line: 3)
        #expect(errors(model([input(shape: [1, 1, 6, 6]), wide.layerSpec])) ==
                ["model.swift:3: error: layer 'conv' (Conv2d): outChannels must be in 1...268435456, got \(Int.max)"])
        let padded = Conv2d("conv", outChannels: 1, kernel: 1, padding: 1_000_000_000, weight: .float([1]), output: .uint8(scale: 1, zeroPoint: 0), file: "model.swift", line: 3)
        #expect(errors(model([input(shape: [1, 1, 6, 6]), padded.layerSpec, fc("fc", line: 4)])) ==
                ["model.swift:3: error: layer 'conv' (Conv2d): padding must be in 0...268435456, got 1000000000"])
        // Padding within the limit, but the padded output is beyond it: 1 · 1 · (6 + 2^28 − 1 + 1)^2.
        let padded2 = Conv2d("conv", outChannels: 1, kernel: 1, padding: 1 << 27, weight: .float([1]), output: .uint8(scale: 1, zeroPoint: 0), file: "model.swift", line: 3)
        #expect(errors(model([input(shape: [1, 1, 6, 6]), padded2.layerSpec])) ==
                ["model.swift:3: error: layer 'conv' (Conv2d): the output tensor [1, 1, 268435462, 268435462] has more than \(limit) elements, qgen's limit for one tensor"])
        // 46341² > 2^31: the weights of this Linear would overflow an int32 index.
        let square = Linear("fc", outFeatures: 46341, weight: .float([1]), output: .uint8(scale: 1, zeroPoint: 0), file: "model.swift", line: 3)
        #expect(errors(model([input(shape: [1, 46341]), square.layerSpec])) ==
                ["model.swift:3: error: layer 'fc' (Linear): the weight tensor [46341, 46341] has more than \(limit) elements, qgen's limit for one tensor"])
    }

    @Test func anArenaBeyondTheLimitIsRefused() {
        // Two live 2^28-byte activations: a 2^29-byte arena.
        func conv(_ name: String, line: Int) -> LayerSpec {
            Conv2d(name, outChannels: 1, kernel: 1, weight: .float([1]), output: .uint8(scale: 0.02, zeroPoint: 128), file: "model.swift", line: line).layerSpec
        }
        #expect(errors(model([input(shape: [1, 1, 16384, 16384]), conv("a", line: 3), conv("b", line: 4), conv("c", line: 5)])) ==
                ["model.swift:1: error: model 'm': its arena needs 536870912 bytes, more than qgen's limit of 268435456 (256 MiB); the largest intermediate tensor is the output of 'a', [1, 1, 16384, 16384]"])
    }

    @Test func npyFilesThatAreNotWhatTheyClaim() throws {
        func npy(_ header: String) -> [UInt8] {
            var text = header
            while (10 + text.utf8.count + 1) % 64 != 0 { text += " " }
            text += "\n"
            return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(text.utf8.count & 0xFF), UInt8(text.utf8.count >> 8)] + Array(text.utf8)
        }
        for shape in ["(4611686018427387904,)", "(1099511627776, 1099511627776)"] {
            #expect(throws: NpyArray.ReadError.self) { try NpyArray(data: npy("{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }"), name: "h.npy") }
        }
        do {
            _ = try NpyArray(data: npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1099511627776), }"), name: "h.npy")
        } catch let error as NpyArray.ReadError {
            #expect(error.description == "'h.npy' is not a valid .npy file: shape [1099511627776, 1099511627776] has more than 268435456 (2^28) elements, qgen's limit for one tensor")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qgen-npy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("weights.npy"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (path, reason) in [("/dev/zero", "cannot read '/dev/zero': it is not a regular file"),
                               ("weights.npy", "cannot read '\(dir.path)/weights.npy': it is not a regular file")] {
            let layer = Linear("fc", outFeatures: 2, weight: .float(.npy(path)), output: .uint8(scale: 0.05, zeroPoint: 0), file: "model.swift", line: 3)
            #expect(errors(model([input(), layer.layerSpec]), CompileOptions(baseDirectory: dir)) ==
                    ["model.swift:3: error: layer 'fc' (Linear): weight file '\(path)': \(reason)"])
        }
    }

    // MARK: - Messages that name the real culprit

    @Test func weightsBeyondFloat32AndHugeWeightsNameTheWeight() {
        let huge = Linear("fc", outFeatures: 1, weight: .float([0.5, 1e300, 0, 1]), output: .uint8(scale: 0.05, zeroPoint: 0), file: "model.swift", line: 3)
        #expect(errors(model([input(), huge.layerSpec])) ==
                ["model.swift:3: error: layer 'fc' (Linear): weight[1] = 1e+300 is beyond the float32 range (±3.4028235e+38) that every stack stores real weights in; check the weights"])
        // max |w| = 3e38 gives the weight scale float32(3e38) / 127.5 in float32 as PyTorch's observer computes it
        // (numpy: np.float32(3e38) / np.float32(127.5) = 2.3529411e+36); m = float32(0.02 · that) / 0.05 (numpy:
        // 9.41176384e+35), and m < 2^31 needs s_out > 0.02 · 2.3529411e+36 / 2^31 = 2.19134712e+25.
        let large = Linear("fc", outFeatures: 1, weight: .float([0.5, 3e38, 0, 1]), output: .uint8(scale: 0.05, zeroPoint: 0), file: "model.swift", line: 3)
        #expect(errors(model([input(), large.layerSpec])) ==
                ["model.swift:3: error: layer 'fc' (Linear): multiplier s_in·s_w/s_out = 0.02·2.3529411e+36/0.05 = 9.41176384e+35 is too large for the tflite scheme (it needs < 2^31); with these input and weight scales the output scale must be above 2.19134712e+25; the weight scale comes from the largest |weight|, weight[1] = 3e+38: check the weights"])
    }

    @Test func powerOfTwoRefusalIsOneMessageWithOneSuggestion() {
        // Per channel, weight scales 0.01 and 0.015: m = 0.004 and 0.006 (s_in 0.02, s_out 0.05).
        // No single output scale makes both powers of two (their ratio 1.5 is not one). numpy, float32 scales:
        // m1 = 0.00599999964, (2^-7 − m1) / m1 = 30.2083411%.
        let mixed = Linear("fc", outFeatures: 2, weight: .int8(.values(Array(repeating: 3, count: 8)), scales: [0.01, 0.015]),
                           output: .uint8(scale: 0.05, zeroPoint: 10), file: "model.swift", line: 3)
        #expect(errors(model([input(), mixed.layerSpec], scheme: "powerOfTwo")) ==
                ["model.swift:3: error: layer 'fc' (Linear): the multipliers of 2 of 2 channels (0, 1) are up to 30.2083411% from the nearest power of two (channel 1: s_in·s_w/s_out = 0.02·0.015/0.05 = 0.00599999964, nearest 2^-7), beyond the powerOfTwo tolerance 0.390625%; no single output scale fits every channel, because their weight scales differ by factors that are not powers of two; quantize the weights per tensor (or with power-of-two scale ratios), or use fixedPoint(multiplierBits:…)"])
        // Weight scales 0.01 and 0.02 (ratio 2): the output scale 0.0512 = 0.02 · 0.01 / 2^-8 fits both.
        let aligned = Linear("fc", outFeatures: 2, weight: .int8(.values(Array(repeating: 3, count: 8)), scales: [0.01, 0.02]),
                             output: .uint8(scale: 0.05, zeroPoint: 10), file: "model.swift", line: 3)
        #expect(errors(model([input(), aligned.layerSpec], scheme: "powerOfTwo")) ==
                ["model.swift:3: error: layer 'fc' (Linear): the multipliers of 2 of 2 channels (0, 1) are up to 2.34374418% from the nearest power of two (channel 0: s_in·s_w/s_out = 0.02·0.01/0.05 = 0.00399999976, nearest 2^-8), beyond the powerOfTwo tolerance 0.390625%; set the output scale to 0.0511999977, which makes every multiplier a power of two within the tolerance, or use fixedPoint(multiplierBits:…)"])
        let fixed = Linear("fc", outFeatures: 2, weight: .int8(.values(Array(repeating: 3, count: 8)), scales: [0.01, 0.02]),
                           output: .uint8(scale: 0.0511999977, zeroPoint: 10), file: "model.swift", line: 3)
        #expect(errors(model([input(), fixed.layerSpec], scheme: "powerOfTwo")) == [])
    }

    @Test func aClampThatLeavesOneValueWarns() throws {
        let relu6 = fc("fc", activation: .relu6, output: .int8(scale: 0.05, zeroPoint: 127))
        let result = try Pipeline.compile(model([input(), relu6]), options: CompileOptions())
        #expect(result.diagnostics.map(\.description) ==
                ["model.swift:3: warning: layer 'fc' (Linear): activation ReLU6 leaves one output value with output scale 0.05 and zero point 127 (clamp [127, 127]): every output of the layer is 127; move the zero point so that the activation's range is representable"])
    }

    @Test func schemeSpellingsSayWhatIsWrong() {
        func reason(_ text: String) -> String {
            do {
                _ = try RequantizationScheme(validating: text)
                return "accepted"
            } catch let error as RequantizationScheme.ParseError {
                return error.reason
            } catch {
                return "\(error)"
            }
        }
        #expect(reason("bogus") == "unknown scheme 'bogus'; the schemes are \(RequantizationScheme.spellings)")
        #expect(reason("fixedPoint(multiplierBits:40,rounding:halfUp)") == "fixedPoint's multiplierBits must be a whole number in 2...32 (the multiplier is a signed B-bit integer), not '40'")
        #expect(reason("fixedPoint(multiplierBits:16)") == "fixedPoint needs both multiplierBits:B (2...32) and rounding:R (halfUp, halfAwayFromZero, halfEven), e.g. fixedPoint(multiplierBits:16,rounding:halfEven)")
        #expect(reason("fixedPoint(multiplierBits:16,rounding:up)") == "rounding 'up' is not one of halfUp, halfAwayFromZero, halfEven")
        #expect(reason("powerOfTwo(tolerance:-1)") == "powerOfTwo's tolerance must be a finite number ≥ 0 (a relative error, e.g. 0.01), not '-1'")
        #expect(reason("tflite(x:1)") == "tflite takes no arguments, not 'x'")
        #expect(reason("fbgemm(saturatingPairs:maybe)") == "saturatingPairs takes true or false, not 'maybe'")
        #expect(reason("qnnpack(") == "the '(' is not closed by a ')' at the end")
        #expect(reason("fixedPoint(multiplierBits: 16, rounding: .halfEven)") == "accepted")
    }
}
