import Foundation
import QGenCompiler
import Testing

/// `qgen explain` on the user stories, through the built binary. The expected numbers come from the
/// engine (PyTorch's outputs 30, and 59 / 253, recorded in the fixtures and in the forum posts) and
/// from the forum's own hand computation (30.514379999999996 → 31).
@Suite struct ExplainTests {
    let cli = CLITests()

    private func explain(_ example: String, _ arguments: [String]) throws -> CLITests.Run {
        let dir = CLITests.packageRoot.appendingPathComponent("Examples/\(example)")
        return try cli.qgen(["explain", "model.swift"] + arguments, in: dir)
    }

    @Test func conv1x1StoryShowsTheEnginesThirtyAndTheHandThirtyOne() throws {
        let r = try explain("conv1x1_per_channel", ["--layer", "conv1", "--index", "0,0,2,15", "--input", "input.npy", "--printed-digits", "4"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("input: 64 float values quantized with the pytorch rule"))
        #expect(lines.contains("  x[0,0,2,15] = 24 * w[0,0,0,0] = 127: (24) * (127) = 3048"))
        #expect(lines.contains("  round half to even: 30"))
        // The forum's hand computation: bias_q = round(0.0317 / (0.0038 * 0.0078)) = 1070, (3048 + 1070) * 0.0078 * 0.0038 / 0.0040 = 30.51438.
        #expect(lines.contains { $0.hasPrefix("  bias ") && $0.hasSuffix("round(b/(s_in*s_w)) = 1070") })
        #expect(lines.contains { $0.hasPrefix("  scaled ") && $0.hasSuffix("| 30.51438") })
        #expect(lines.contains { $0.hasPrefix("  output ") && $0.hasSuffix("| 30                    | 30               | 30              | 31") })
        #expect(lines.contains("The hand computation parts from real arithmetic at 'bias' (the printed scales are rounded) and gives 31; fbgemm gives 30."))
        #expect(lines.contains("The emitted C (compiled with libtcc) gives 30 for this element, the same."))
    }

    @Test func linear2x2StoryGivesTheEnginesOutputs() throws {
        for (index, value) in [("0,0", 59), ("0,1", 253)] {
            let r = try explain("linear_2x2", ["--layer", "fc", "--index", index, "--input", "input.npy"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("  x[0,0] = 0 * w[") && r.stdout.contains("zp_in = 202, zp_w = 26"), "\(r.stdout)")
            #expect(r.stdout.contains("The emitted C (compiled with libtcc) gives \(value) for this element, the same."), "\(r.stdout)")
            #expect(r.stdout.contains("fbgemm and tflite "))
        }
    }

    @Test func badArgumentsAreNamed() throws {
        let r = try explain("linear_2x2", ["--layer", "conv", "--index", "0"])
        #expect(r.status == 1 && r.stderr == "error: no layer named 'conv'; the layers are 'fc'\n", "\(r.stderr)")
        let s = try explain("linear_2x2", ["--layer", "fc", "--index", "0,5"])
        #expect(s.status == 1 && s.stderr == "error: --index 0,5 does not address layer 'fc''s output shape [1, 2]; give one index per dimension (each from 0) or one flat index\n", "\(s.stderr)")
        let t = try explain("linear_2x2", ["--layer", "fc", "--index", "a"])
        #expect(t.status == 64 && t.stderr.hasPrefix("Error: --index takes comma-separated whole numbers (e.g. 0,0,2,15, or one flat index), got 'a'\n"), "\(t.stderr)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qgen-explain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let short = dir.appendingPathComponent("short.npy"), negative = dir.appendingPathComponent("negative.npy")
        try Data(NpyArray.encode(shape: [3], float32: [1, 2, 3])).write(to: short)
        try Data(NpyArray.encode(shape: [1, 2], int8: [4, -1])).write(to: negative)
        let u = try explain("linear_2x2", ["--layer", "fc", "--index", "0", "--input", short.path])
        #expect(u.status == 1 && u.stderr == "error: --input '\(short.path)' has 3 values (shape [3]), the model input 'x' needs 2 (shape [1, 2])\n", "\(u.stderr)")
        let v = try explain("linear_2x2", ["--layer", "fc", "--index", "0", "--input", negative.path])
        #expect(v.status == 1 && v.stderr == "error: --input '\(negative.path)' holds -1 at index 1, outside the uint8 range 0...255\n", "\(v.stderr)")
    }

    /// The sweep story at input 3.5: output 3's pairs saturate in vpmaddubsw. The exact products sum
    /// to −2096 (hand: 131 · Σ(w − zp_w) = 131 · −16), the saturated pairs to 5808, so the engine's
    /// non-VNNI result (160) is far from the exact one (127).
    @Test func sweepStoryShowsTheSaturatedPairs() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qgen-explain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let input = dir.appendingPathComponent("x.npy")
        try Data(NpyArray.encode(shape: [4, 10], float32: Array(repeating: 3.5, count: 40))).write(to: input)
        let r = try explain("linear_sweep", ["--layer", "fc", "--index", "0,3", "--input", input.path, "--compare", "fbgemm"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("  sum = -2096"))
        #expect(lines.contains("  with int16-saturated pairs (vpmaddubsw): 5808 (saturation changes the sum by 7904)"))
        #expect(lines.contains("fbgemm(saturatingPairs) and fbgemm part at 'accumulator'; the outputs differ from 'rounded' on: 160 vs 127."))
        #expect(lines.contains("The emitted C (compiled with libtcc) gives 160 for this element, the same."))
    }
}
