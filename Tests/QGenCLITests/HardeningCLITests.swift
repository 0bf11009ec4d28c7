import Foundation
import QGenCompiler
import Testing

/// Bad input through the built binary: every case gets a one-line error (asserted in full), exit
/// status 1 (64 for command-line usage), and writes nothing.
@Suite struct HardeningCLITests {
    let cli = CLITests()

    private func files(_ dir: URL) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() }

    @Test func nothingIsWrittenWhenEitherFileCannotBe() throws {
        let dir = try cli.scratch(model: CLITests.good)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("e.h"), withIntermediateDirectories: false)
        let header = try cli.qgen(["emit", "model.swift", "-o", "e.c"], in: dir)
        #expect(header.status == 1)
        #expect(header.stderr == "error: cannot write 'e.h': it is a directory\n")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("d.c"), withIntermediateDirectories: false)
        let source = try cli.qgen(["emit", "model.swift", "-o", "d.c"], in: dir)
        #expect(source.stderr == "error: cannot write 'd.c': it is a directory\n")
        let unwritable = try cli.qgen(["emit", "model.swift", "-o", "/proc/qgen-test.c"], in: dir)
        #expect(unwritable.status == 1)
        #expect(unwritable.stderr.hasPrefix("error: cannot write '/proc/qgen-test.c': "), "\(unwritable.stderr)")
        #expect(!unwritable.stderr.contains("NSCocoaErrorDomain") && !unwritable.stderr.contains(".qgen-"), "\(unwritable.stderr)")
        #expect(try files(dir) == ["d.c", "e.h", "model.swift"])
    }

    @Test func outputNamesThatCannotBeIncluded() throws {
        let dir = try cli.scratch(model: CLITests.good)
        defer { try? FileManager.default.removeItem(at: dir) }
        let quote = try cli.qgen(["emit", "model.swift", "-o", "a\"b.c"], in: dir)
        #expect(quote.status == 1)
        #expect(quote.stderr == "error: the header 'a\\\"b.h' cannot be named in the C line #include \"…\": it contains '\"'; name the output file with letters, digits, '.', '_', '-' and '+' only\n")
        let newline = try cli.qgen(["emit", "model.swift", "-o", "a\nb.c"], in: dir)
        #expect(newline.stderr == "error: the header 'a\\nb.h' cannot be named in the C line #include \"…\": it contains the character U+A; name the output file with letters, digits, '.', '_', '-' and '+' only\n")
        #expect(try files(dir) == ["model.swift"])
    }

    @Test func usageErrorsSayWhatIsValid() throws {
        let dir = try cli.scratch(model: CLITests.good)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bogus = try cli.qgen(["verify", "model.swift", "--scheme", "bogus"], in: dir)
        #expect(bogus.status == 64)
        #expect(bogus.stderr.hasPrefix("Error: The value 'bogus' is invalid for '--scheme <scheme>': unknown scheme 'bogus'; the schemes are tflite, liteRT, singleRounding, fbgemm, "), "\(bogus.stderr)")
        let bits = try cli.qgen(["verify", "model.swift", "--scheme", "fixedPoint(multiplierBits:40,rounding:halfUp)"], in: dir)
        #expect(bits.stderr.hasPrefix("Error: The value 'fixedPoint(multiplierBits:40,rounding:halfUp)' is invalid for '--scheme <scheme>': fixedPoint's multiplierBits must be a whole number in 2...32 (the multiplier is a signed B-bit integer), not '40'\n"), "\(bits.stderr)")
        let seed = try cli.qgen(["verify", "model.swift", "--seed", "-1"], in: dir)
        #expect(seed.stderr.hasPrefix("Error: The value '-1' is invalid for '--seed <seed>': --seed takes a whole number from 0 to 18446744073709551615, not '-1'\n"), "\(seed.stderr)")
        let index = try cli.qgen(["explain", "model.swift", "--layer", "fc", "--index", "-1"], in: dir)
        #expect(index.stderr.hasPrefix("Error: --index '-1': -1 is negative; indices count from 0\n"), "\(index.stderr)")
        let digits = try cli.qgen(["explain", "model.swift", "--layer", "fc", "--index", "0", "--printed-digits", "400"], in: dir)
        #expect(digits.stderr.hasPrefix("Error: --printed-digits must be in 0...22 (the decimals a scale is printed with; PyTorch prints 4), got 400\n"), "\(digits.stderr)")
        let timeout = try cli.qgen(["emit", "model.swift", "-o", "x.c", "--model-timeout", "-3"], in: dir)
        #expect(timeout.stderr.hasPrefix("Error: --model-timeout takes a number of seconds > 0, not -3.0\n"), "\(timeout.stderr)")
        #expect(try files(dir) == ["model.swift"])
    }

    @Test func aModelThatLoopsIsStoppedAndCleanedUp() throws {
        let dir = try cli.scratch(model: "import QGen\nvar i = 0\nwhile true { i &+= 1 }\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try cli.qgen(["emit", "model.swift", "-o", "out.c", "--model-timeout", "1.5"], in: dir)
        #expect(r.status == 1)
        #expect(r.stderr == "error: model.swift did not finish building its model within 1.5 s (an endless loop?); qgen stopped it and removed its temporary files. Allow more time with --model-timeout SECONDS\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path).filter { $0.hasPrefix("qgen-model-\(r.pid)-") }
        #expect(leftovers.isEmpty)
        #expect(try files(dir) == ["model.swift"])
    }

    /// Ctrl-C while the model runs: qgen kills the model's process group, removes its temporary
    /// directory and ends with SIGINT.
    @Test func anInterruptedLoadLeavesNothingBehind() throws {
        let dir = try cli.scratch(model: "import QGen\nvar i = 0\nwhile true { i &+= 1 }\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLITests.qgen)
        process.arguments = ["emit", "model.swift", "-o", "out.c"]
        process.currentDirectoryURL = dir
        process.standardError = FileHandle.nullDevice
        try process.run()
        let marker = "qgen-model-\(process.processIdentifier)-"
        func modelProcesses() -> Int {
            let procs = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            return procs.filter { Int($0) != nil }.filter { pid in
                // The compiled model itself (swiftc's arguments name the same directory).
                let cmdline = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
                let program = cmdline.split(separator: "\u{0}").first ?? ""
                return program.contains(marker) && program.hasSuffix("/model")
            }.count
        }
        var waited = 0.0
        while modelProcesses() == 0 && waited < 60 {   // swiftc first compiles the model
            usleep(100_000)
            waited += 0.1
        }
        #expect(modelProcesses() == 1, "the model never started")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGINT)
        usleep(200_000)
        #expect(modelProcesses() == 0)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path).filter { $0.hasPrefix(marker) }
        #expect(leftovers.isEmpty)
    }

    @Test func verifyRefusesAnInputBeyondTheLimitUpFront() throws {
        let model = CLITests.good.replacingOccurrences(of: "shape: [2, 4]", with: "shape: [1, 1_000_000_000]")
        let dir = try cli.scratch(model: model)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try cli.qgen(["verify", "model.swift", "--inputs", "1"], in: dir)
        #expect(r.status == 1)
        #expect(r.stderr == "model.swift:3: error: input 'x': shape [1, 1000000000] has more than 268435456 (2^28) elements, qgen's limit for one tensor\n")
    }

    /// On a terminal (`script` provides one), verify shows inputs done and elapsed time, and clears
    /// the line before its results.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func verifyShowsProgressOnATerminal() throws {
        let dir = try cli.scratch(model: CLITests.good)
        defer { try? FileManager.default.removeItem(at: dir) }
        let command = "QGEN_PROGRESS_DELAY=0 '\(CLITests.qgen)' verify model.swift --inputs 40"
        let r = try CLITests.run("/usr/bin/script", ["-qec", command, "/dev/null"], in: dir)
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout.contains("\rverify: ") && r.stdout.contains("/40 inputs, "), "\(r.stdout)")
        #expect(r.stdout.contains("compared 160 output elements over 40 random inputs (seed 1): 0 mismatches"))
        let plain = try cli.qgen(["verify", "model.swift", "--inputs", "40"], in: dir)
        #expect(plain.stderr.isEmpty)
    }

    @Test func aModelsPrintOutputReachesStandardError() throws {
        let dir = try cli.scratch(model: CLITests.good.replacingOccurrences(of: "import QGen\n", with: "import QGen\nprint(\"scales checked\")\n"))
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try cli.qgen(["emit", "model.swift", "-o", "out.c"], in: dir)
        #expect(r.status == 0)
        #expect(r.stderr == "scales checked\n")
    }

    @Test func aCrashNamesTheModelLineAndTheSignal() throws {
        let crashing = """
            import QGen
            let scales: [Double] = [0.02]
            print("before the crash")
            Model("tiny") {
                Input("x", shape: [2, 4], .uint8(scale: scales[3], zeroPoint: 128))
            }
            """
        let dir = try cli.scratch(model: crashing)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try cli.qgen(["emit", "model.swift", "-o", "out.c"], in: dir)
        #expect(r.status == 1)
        #expect(r.stderr == "before the crash\nmodel.swift:5: error: model.swift was stopped by signal 4 (SIGILL, a Swift runtime trap) while building the model: Index out of range\n")
        let exits = try cli.scratch(model: "import QGen\nimport Glibc\nexit(3)\n")
        defer { try? FileManager.default.removeItem(at: exits) }
        #expect(try cli.qgen(["emit", "model.swift", "-o", "out.c"], in: exits).stderr == "error: model.swift exited with status 3 while building the model\n")
    }

    @Test func explainWithScalesThatPrintAsZero() throws {
        let model = CLITests.good.replacingOccurrences(of: ".uint8(scale: 0.02, zeroPoint: 128)", with: ".uint8(scale: 2e-5, zeroPoint: 128)")
        let dir = try cli.scratch(model: model)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try cli.qgen(["explain", "model.swift", "--layer", "fc", "--index", "0,1", "--printed-digits", "4"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\nby hand with 4 decimals: the input scale 2e-05 prints as 0.0000, so the hand computation would divide by zero; it needs --printed-digits 5 or more.\n"), "\(r.stdout)")
        for digits in ["0", "1", "2"] {
            let coarse = try cli.qgen(["explain", "model.swift", "--layer", "fc", "--index", "0,1", "--printed-digits", digits], in: dir)
            #expect(coarse.status == 0, "\(coarse.stderr)")
        }
    }

    @Test func nanInAFloatInputIsRefused() throws {
        let dir = try cli.scratch(model: CLITests.good)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(NpyArray.encode(shape: [2, 4], float32: [0.1, .nan, 0, 0, 1, 2, 3, 4])).write(to: dir.appendingPathComponent("x.npy"))
        for command in [["explain", "model.swift", "--layer", "fc", "--index", "0"], ["run", "model.swift"]] {
            let r = try cli.qgen(command + ["--input", "x.npy"], in: dir)
            #expect(r.status == 1)
            #expect(r.stderr == "error: --input 'x.npy' holds NaN at index 1; give real numbers (a NaN has no quantized code)\n")
        }
    }

    // MARK: - qgen run

    /// y = clamp(R((w · x) · 0.5) + 10): weights [[2, 1], [−1, 1]] at scale 0.5 with input and
    /// output scale 1, so the multiplier is exactly 0.5. By hand, x = (3, 5): 2·3 + 5 = 11 → 5.5
    /// rounds (ties up, both tflite roundings) to 6 → 16; −3 + 5 = 2 → 1 → 11.
    static let handModel = """
        import QGen
        Model("hand") {
            Input("x", shape: [1, 2], .uint8(scale: 1, zeroPoint: 0))
            Linear("fc", outFeatures: 2, weight: .int8([2, 1, -1, 1], scale: 0.5), output: .int8(scale: 1, zeroPoint: 10))
        }
        """

    @Test func runWritesAndPrintsTheWholeOutput() throws {
        let dir = try cli.scratch(model: Self.handModel)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(NpyArray.encode(shape: [1, 2], int32: [3, 5])).write(to: dir.appendingPathComponent("codes.npy"))
        let r = try cli.qgen(["run", "model.swift", "--input", "codes.npy", "-o", "y.npy", "--reference"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == """
            input 'x' uint8[1, 2]: 2 integer codes
            output 'fc' int8[1, 2]: [16, 11]
            Swift reference: the same 2 values
            wrote y.npy

            """)
        let written = try NpyArray(contentsOf: dir.appendingPathComponent("y.npy"))
        #expect(written.descr == "|i1" && written.shape == [1, 2] && written.values == [16, 11])
        // Floats with the TFLite rule (the tflite scheme's stack): 2.5 and 4.5 round away from zero to 3 and 5.
        try Data(NpyArray.encode(shape: [1, 2], float32: [2.5, 4.5])).write(to: dir.appendingPathComponent("reals.npy"))
        let floats = try cli.qgen(["run", "model.swift", "--input", "reals.npy"], in: dir)
        #expect(floats.stdout == "input 'x' uint8[1, 2]: 2 float values quantized with the tflite rule\noutput 'fc' int8[1, 2]: [16, 11]\n")
        // ONNX's rule (the onnxRuntime scheme) rounds them to even: 2 and 4, so 2·2 + 4 = 8 → 4 → 14; −2 + 4 = 2 → 1 → 11.
        let even = try cli.qgen(["run", "model.swift", "--input", "reals.npy", "--scheme", "onnxRuntime"], in: dir)
        #expect(even.stdout == "input 'x' uint8[1, 2]: 2 float values quantized with the onnx rule\noutput 'fc' int8[1, 2]: [14, 11]\n", "\(even.stderr)")
    }

    @Test func runFailsBeforeWorkWhenItCannotWrite() throws {
        let dir = try cli.scratch(model: Self.handModel)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(NpyArray.encode(shape: [1, 2], int32: [3, 5])).write(to: dir.appendingPathComponent("codes.npy"))
        let r = try cli.qgen(["run", "model.swift", "--input", "codes.npy", "-o", "missing/y.npy"], in: dir)
        #expect(r.status == 1)
        #expect(r.stderr == "error: cannot write 'missing/y.npy': the directory 'missing' does not exist\n")
        let wrongSize = try cli.qgen(["run", "model.swift", "--input", "model.swift"], in: dir)
        #expect(wrongSize.stderr == "error: --input: 'model.swift' is not a valid .npy file: missing the \\x93NUMPY magic\n")
        #expect(try files(dir) == ["codes.npy", "model.swift"])
    }
}
