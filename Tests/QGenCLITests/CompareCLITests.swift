import Foundation
import Testing
import QGenCompiler

/// `qgen compare` against PyTorch's Numeric Suite on the same quantized models and data
/// (Tests/Fixtures/pytorch/numeric_suite, Tools/engines/numeric_suite_cases.py), against hand
/// calculation on a one-weight model, its HTML page in a headless Chromium, and the input it refuses.
@Suite struct CompareCLITests {
    let cli = CLITests()

    /// A scratch copy of a fixture directory, with the generated weights of `weights.json` written.
    func fixtureCopy(_ name: String) throws -> URL {
        let source = CLITests.packageRoot.appendingPathComponent("Tests/Fixtures/pytorch/numeric_suite/\(name)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qgen-compare-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: source, to: dir)
        let plan = dir.appendingPathComponent("weights.json")
        if FileManager.default.fileExists(atPath: plan.path) {
            let files = try JSONSerialization.jsonObject(with: Data(contentsOf: plan)) as! [String: [Any]]
            for (file, args) in files {
                let shape = args[2] as! [Int]
                let values = Self.seeded(stream: UInt64(args[0] as! Int), count: shape.reduce(1, *), exponent: args[1] as! Int)
                try Data(NpyArray.encode(shape: shape, float32: values)).write(to: dir.appendingPathComponent(file))
            }
        }
        return dir
    }

    /// The fixture's weight generator (numeric_suite_cases.seeded): splitmix64 of (stream << 32) + k,
    /// its top 24 bits as v in [-2^23, 2^23), value v · 2^(exponent − 23), exact in float32.
    static func seeded(stream: UInt64, count: Int, exponent: Int) -> [Float] {
        (0..<UInt64(count)).map { k in
            var z = (stream << 32) &+ k &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Float(Double(Int64(z >> 40) - (1 << 23)) * pow(2.0, Double(exponent - 23)))
        }
    }

    /// qgen's SQNRs equal PyTorch's within 0.01 dB for every layer the Numeric Suite logs, and the
    /// integer outputs of the model qgen quantizes from the float weights equal PyTorch's.
    func matchesNumericSuite(_ name: String, runInferences: Int) throws {
        let dir = try fixtureCopy(name)
        defer { try? FileManager.default.removeItem(at: dir) }
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("expected.json"))) as! [String: Any]
        guard try compare(["model.swift", "--data", "data.npy"], in: dir, name: name, expected: expected) != nil else { return }
        try checkOutputCodes(name, dir: dir, expected: expected, runInferences: runInferences)
    }

    /// Runs `qgen compare … --json` and checks every SQNR PyTorch's Numeric Suite logged (expected.json)
    /// within 0.01 dB; returns qgen's report.
    func compare(_ arguments: [String], in dir: URL, name: String, expected: [String: Any]) throws -> [String: Any]? {
        let r = try cli.qgen(["compare"] + arguments + ["--json"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        guard r.status == 0 else { return nil }
        let ours = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let weights = Dictionary(uniqueKeysWithValues: (ours["weights"] as! [[String: Any]]).map { ($0["layer"] as! String, $0["sqnr"] as! Double) })
        var activations: [String: Double] = [:], shadows: [String: Double] = [:]
        for layer in ours["layers"] as! [[String: Any]] {
            activations[layer["layer"] as! String] = (layer["activations"] as! [String: Any])["sqnr"] as? Double
            shadows[layer["layer"] as! String] = (layer["shadow"] as! [String: Any])["sqnr"] as? Double
        }
        var compared = 0
        for (section, table) in [("weights", weights), ("activations", activations), ("shadow", shadows)] {
            let pyTorch = expected[section] as! [String: Double]
            #expect(!pyTorch.isEmpty)
            for (layer, theirs) in pyTorch.sorted(by: { $0.key < $1.key }) {
                guard let mine = table[layer] else {
                    Issue.record("\(name) \(section) '\(layer)': no SQNR from qgen compare")
                    continue
                }
                #expect(abs(mine - theirs) <= 0.01, "\(name) \(section) '\(layer)': qgen \(mine) dB, PyTorch \(theirs) dB")
                compared += 1
            }
        }
        #expect(compared >= 10)
        return ours
    }

    func checkOutputCodes(_ name: String, dir: URL, expected: [String: Any], runInferences: Int) throws {
        let codes = expected["outputCodes"] as! [[Int]]
        for k in 0..<min(runInferences, codes.count) {
            let run = try cli.qgen(["run", "model.swift", "--input", "data.npy", "--inference", "\(k)", "--reference", "-o", "out\(k).npy"], in: dir)
            #expect(run.status == 0, "\(run.stderr)")
            guard run.status == 0 else { continue }
            let ours = try NpyArray(contentsOf: dir.appendingPathComponent("out\(k).npy")).values.map { Int($0) }
            let differing = zip(ours, codes[k]).filter { $0 != $1 }.count
            #expect(ours.count == codes[k].count && differing == 0, "\(name) inference \(k): \(differing) of \(codes[k].count) output codes differ from PyTorch's")
        }
    }

    @Test func smallCNNMatchesPyTorchsNumericSuite() throws {
        try matchesNumericSuite("small_cnn", runInferences: 4)
    }

    /// The demo CNN calibrated twice, by qgen (its model.swift's observers) and by PyTorch (the fbgemm
    /// default qconfig they name), then compared on the held-out digits: the same scales bit for bit,
    /// both accuracies PyTorch's, every SQNR within 0.01 dB of PyTorch's Numeric Suite.
    @Test func digitsDemoMatchesPyTorch() throws {
        let example = CLITests.packageRoot.appendingPathComponent("Examples/digits")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qgen-compare-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: example, to: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: CLITests.packageRoot.appendingPathComponent(
            "Tests/Fixtures/pytorch/numeric_suite/digits/expected.json"))) as! [String: Any]
        guard let ours = try compare(["model.swift", "--data", "test_images.npy", "--labels", "test_labels.npy"], in: dir, name: "digits", expected: expected)
        else { return }
        let scales = expected["scales"] as! [String: Double]
        for layer in ours["layers"] as! [[String: Any]] {
            guard let theirs = scales[layer["layer"] as! String] else { continue }
            let mine = layer["outputScale"] as! Double
            #expect(Float(mine).bitPattern == Float(theirs).bitPattern, "\(layer["layer"]!): scale \(mine), PyTorch \(theirs)")
        }
        let accuracy = ours["accuracy"] as! [String: Int], theirs = expected["accuracy"] as! [String: Int]
        #expect(accuracy["total"] == theirs["total"] && accuracy["floatCorrect"] == theirs["float"] && accuracy["quantizedCorrect"] == theirs["quantized"],
                "qgen \(accuracy), PyTorch \(theirs)")
    }

    /// The tutorial's ResNet-18 (random weights, 3×32×32, calibrated on random data). Its output codes
    /// are not run here: emitting 11.7M weights takes a debug-built qgen 50 s (small_cnn checks the codes
    /// of a model qgen quantizes from float weights; resnet18_fbgemm checks ResNet-18's codes).
    @Test func resNet18MatchesPyTorchsNumericSuite() throws {
        try matchesNumericSuite("resnet18", runInferences: 0)
    }

    /// One weight and one input, every figure by hand.
    @Test func oneWeightByHand() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qgen-compare-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // w = 0.3 per tensor symmetric: scale = 0.3 / 127.5, 0.3 / scale = 127.5 rounds (to even) to 128,
        // clamped to 127, so ŵ = 0.3 · 127/127.5 and ‖w‖/‖w − ŵ‖ = 127.5 / 0.5 = 255: 20·log10(255) = 48.13 dB.
        // Input scale 0.5 (uint8, zero point 0): x = 1.3 → code 3 (1.3 · 2 = 2.6), 1.5; x = 2 → 4 exactly.
        // Input SQNR: √(1.3² + 2²) / 0.2 = 2.3854 / 0.2 → 20·log10(11.927) = 21.53 dB.
        try """
            import QGen
            Model("one") {
                Input("x", shape: [1, 1], .uint8(scale: 0.5, zeroPoint: 0))
                Linear("fc", outFeatures: 1, weight: .float([0.3], .perTensor(.symmetric)), output: .uint8(scale: 0.125, zeroPoint: 0))
            }
            .requantization(.fbgemm)
            """.write(to: dir.appendingPathComponent("model.swift"), atomically: true, encoding: .utf8)
        try Data(NpyArray.encode(shape: [2, 1], float32: [1.3, 2])).write(to: dir.appendingPathComponent("data.npy"))
        let r = try cli.qgen(["compare", "model.swift", "--data", "data.npy", "--json", "--html", "report.html"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        guard r.status == 0 else { return }
        let ours = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let weight = (ours["weights"] as! [[String: Any]])[0]
        // (Within 0.001 dB: the scale is 0.3/127.5 rounded to float32, so the ratio is 255 to about 1e-7.)
        #expect(abs((weight["sqnr"] as! Double) - 20 * log10(255.0)) < 1e-3, "\(weight)")
        let layers = ours["layers"] as! [[String: Any]]
        #expect(layers.map { $0["layer"] as! String } == ["x", "fc"])
        let input = layers[0]["activations"] as! [String: Any]
        #expect(abs((input["sqnr"] as! Double) - 20 * log10((1.3 * 1.3 + 4).squareRoot() / 0.2)) < 1e-4, "\(input)")
        #expect(abs((input["maxAbsError"] as! Double) - 0.2) < 1e-6, "\(input)")
        // fc: float 0.3·1.3 = 0.39 and 0.6. Quantized: accumulators 3·127 = 381 and 4·127 = 508, times
        // 0.5 · (0.3/127.5) / 0.125 = 0.0094118: 3.586 → 4 (0.5) and 4.781 → 5 (0.625).
        let fc = layers[1]["activations"] as! [String: Any]
        let expectedFC = 20 * log10((0.39 * 0.39 + 0.36).squareRoot() / (0.11 * 0.11 + 0.025 * 0.025).squareRoot())
        #expect(abs((fc["sqnr"] as! Double) - expectedFC) < 1e-3, "\(fc) vs \(expectedFC)")
        // Shadow: the float layer on the dequantized input 1.5 and 2 gives 0.45 and 0.6, against 0.5 and 0.625.
        let shadow = layers[1]["shadow"] as! [String: Any]
        let expectedShadow = 20 * log10((0.45 * 0.45 + 0.36).squareRoot() / (0.05 * 0.05 + 0.025 * 0.025).squareRoot())
        #expect(abs((shadow["sqnr"] as! Double) - expectedShadow) < 1e-3, "\(shadow) vs \(expectedShadow)")
        // The worst element: |0.39 − 0.5| / 0.125 = 0.88 steps, inference 0, code 4.
        let worst = (ours["worst"] as! [[String: Any]])[0]
        #expect(worst["inference"] as? Int == 0 && worst["code"] as? Int == 4 && abs((worst["errorSteps"] as! Double) - 0.88) < 1e-5, "\(worst)")
        #expect((worst["explain"] as! String) == "qgen explain model.swift --layer fc --index 0,0 --input data.npy --inference 0")

        // The explain command it prints runs.
        let explain = try cli.qgen(["explain", "model.swift", "--layer", "fc", "--index", "0,0", "--input", "data.npy", "--inference", "0"], in: dir)
        #expect(explain.status == 0 && explain.stdout.contains("fbgemm"), "\(explain.stderr)")
        try checkPageInChromium(dir.appendingPathComponent("report.html"), svgs: 3 + 1 + 2)
    }

    /// The page loads in a real browser: Chromium parses it (its DOM holds every chart), and its
    /// screenshot differs from a blank page's. Skipped with a message where Chromium is absent.
    func checkPageInChromium(_ page: URL, svgs: Int) throws {
        guard let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            print("CompareCLITests: Chromium not installed (apt-get install chromium); the HTML report was not checked in a browser")
            return
        }
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--user-data-dir=\(page.deletingLastPathComponent().path)/chromium-profile"]
        let dom = try CLITests.run(chromium, flags + ["--dump-dom", page.absoluteString])
        #expect(dom.status == 0, "\(dom.stderr)")
        #expect(dom.stdout.components(separatedBy: "<svg").count - 1 == svgs, "\(dom.stdout.prefix(2000))")
        #expect(dom.stdout.contains("<rect") && dom.stdout.contains("qgen compare: one"))
        let shot = page.deletingLastPathComponent().appendingPathComponent("report.png")
        let blank = page.deletingLastPathComponent().appendingPathComponent("blank.png")
        try "<!DOCTYPE html><html><body></body></html>".write(to: page.deletingLastPathComponent().appendingPathComponent("blank.html"), atomically: true, encoding: .utf8)
        let a = try CLITests.run(chromium, flags + ["--screenshot=\(shot.path)", "--window-size=1200,1600", page.absoluteString])
        let b = try CLITests.run(chromium, flags + ["--screenshot=\(blank.path)", "--window-size=1200,1600",
                                                    page.deletingLastPathComponent().appendingPathComponent("blank.html").absoluteString])
        #expect(a.status == 0 && b.status == 0, "\(a.stderr)\(b.stderr)")
        let shotBytes = try Data(contentsOf: shot).count, blankBytes = try Data(contentsOf: blank).count
        // A blank 1200×1600 PNG compresses to a few kilobytes; bars, text and histograms do not.
        #expect(shotBytes > 10 * blankBytes, "screenshot \(shotBytes) bytes, blank page \(blankBytes)")
    }

    @Test func badInputIsRefused() throws {
        let dir = try fixtureCopy("small_cnn")
        defer { try? FileManager.default.removeItem(at: dir) }
        // Data of the wrong shape, NaN, integer codes.
        try Data(NpyArray.encode(shape: [2, 3, 16, 15], float32: Array(repeating: 0.5, count: 1440))).write(to: dir.appendingPathComponent("shape.npy"))
        var r = try cli.qgen(["compare", "model.swift", "--data", "shape.npy"], in: dir)
        #expect(r.status != 0 && r.stderr.contains("[2, 3, 16, 15] does not fit input 'quant' of shape [1, 3, 16, 16]"), "\(r.stderr)")
        var values = Array(repeating: Float(0.5), count: 768)
        values[5] = .nan
        try Data(NpyArray.encode(shape: [1, 3, 16, 16], float32: values)).write(to: dir.appendingPathComponent("nan.npy"))
        r = try cli.qgen(["compare", "model.swift", "--data", "nan.npy"], in: dir)
        #expect(r.status != 0 && r.stderr.contains("flat index 5"), "\(r.stderr)")
        try Data(NpyArray.encode(shape: [1, 3, 16, 16], int8: Array(repeating: 1, count: 768))).write(to: dir.appendingPathComponent("int.npy"))
        r = try cli.qgen(["compare", "model.swift", "--data", "int.npy"], in: dir)
        #expect(r.status != 0 && r.stderr.contains("must be float32 or float64"), "\(r.stderr)")
        // A model whose weights are int8 codes has no float model.
        let text = try String(contentsOf: CLITests.packageRoot.appendingPathComponent("Tests/Fixtures/pytorch/small_cnn_fbgemm/model.swift"), encoding: .utf8)
        try text.write(to: dir.appendingPathComponent("int8.swift"), atomically: true, encoding: .utf8)
        for file in try FileManager.default.contentsOfDirectory(atPath: CLITests.packageRoot.appendingPathComponent("Tests/Fixtures/pytorch/small_cnn_fbgemm").path) where file.hasSuffix(".npy") {
            try? FileManager.default.removeItem(at: dir.appendingPathComponent(file))
            try FileManager.default.copyItem(at: CLITests.packageRoot.appendingPathComponent("Tests/Fixtures/pytorch/small_cnn_fbgemm/\(file)"), to: dir.appendingPathComponent(file))
        }
        r = try cli.qgen(["compare", "int8.swift", "--data", "data.npy", "--html", "r.html"], in: dir)
        #expect(r.status != 0 && r.stderr.contains("layer 'conv1' (int8.swift:") && r.stderr.contains("gives its weights as int8 codes"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("r.html").path))
    }
}
