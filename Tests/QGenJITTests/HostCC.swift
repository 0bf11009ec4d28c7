import Foundation
import QGenArithmetic
import QGenCompiler
import QGenReference
import QGenVerify

/// The host's C compiler on emitted C: the network tests compile a model's C with `cc -std=c99 -O2`
/// and a small driver (the 224x224 networks are too large for libtcc to be quick).
enum HostCC {
    /// Compiles the C with a driver that reads the inputs from a file and prints each output row.
    /// `flags`: more options for cc (`-mavx512vnni`: the VNNI paths).
    static func run(_ output: Renderer.Output, model: LoweredModel, inputs: [[Int32]], work: URL, flags: [String] = []) throws -> [[Int32]] {
        let api = EmittedNames.Model(prefix: model.cPrefix)
        let inType = model.input.dtype == .int8 ? "int8_t" : "uint8_t", outType = model.output.dtype == .int8 ? "int8_t" : "uint8_t"
        let driver = """
            #include <stdio.h>
            #include <stdlib.h>
            #include "net.h"
            static \(inType) input[\(api.inputSize)];
            static \(outType) output[\(api.outputSize)];
            static unsigned char arena[\(api.arenaSize) + 1];
            int main(int argc, char **argv)
            {
                FILE *f;
                int k;
                if (argc != 2 || (f = fopen(argv[1], "rb")) == NULL) { return 2; }
                while (fread(input, 1, sizeof input, f) == sizeof input) {
                    if (\(api.run)(input, output, arena) != 0) { return 1; }
                    for (k = 0; k < \(api.outputSize); ++k) { printf("%d%c", (int)output[k], k + 1 == \(api.outputSize) ? '\\n' : ' '); }
                }
                fclose(f);
                return 0;
            }

            """
        try output.source.write(to: work.appendingPathComponent("net.c"), atomically: true, encoding: .utf8)
        try output.header.write(to: work.appendingPathComponent("net.h"), atomically: true, encoding: .utf8)
        try driver.write(to: work.appendingPathComponent("main.c"), atomically: true, encoding: .utf8)
        let bytes = inputs.flatMap { $0.map { UInt8(truncatingIfNeeded: $0) } }
        try Data(bytes).write(to: work.appendingPathComponent("inputs.bin"))
        let exe = work.appendingPathComponent("net").path
        let build = try process("/usr/bin/env", ["cc", "-std=c99", "-O2"] + flags + ["-I", work.path, "-o", exe,
                                             work.appendingPathComponent("net.c").path, work.appendingPathComponent("main.c").path])
        guard build.status == 0 else { throw CCFailure(output: build.output) }
        let ran = try process(exe, [work.appendingPathComponent("inputs.bin").path])
        guard ran.status == 0 else { throw CCFailure(output: "the program exited with \(ran.status)") }
        return ran.output.split(separator: "\n").map { $0.split(separator: " ").compactMap { Int32($0) } }
    }

    struct CCFailure: Error, CustomStringConvertible {
        var output: String
        var description: String { "cc: \(output)" }
    }

    static func process(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The CPU's feature flags (/proc/cpuinfo), for the tests of the x86 paths.
    private static let cpuFlags = Set(((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "")
        .split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").map(String.init) ?? [])
    static var hasVNNI: Bool { cpuFlags.contains("avx512_vnni") }
    static var hasAVX2: Bool { cpuFlags.contains("avx2") }
    static var hasAVX512: Bool { cpuFlags.contains("avx512f") }

    /// Builds a compiled model's C with cc and `flags` (its file stem must be "net"), runs it on `count`
    /// seeded random inputs and compares every output with the Swift integer reference: how many
    /// elements were compared and how many differ (an output row missing counts as all differing).
    static func compareWithTheReference(_ result: Pipeline.Result, flags: [String], count: Int = 3, seed: UInt64) throws -> (elements: Int, differing: Int) {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("qgen-cc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        var generator = SeededGenerator(seed: seed)
        let inputs = (0..<count).map { _ in Verifier.randomInput(for: result.lowered, using: &generator) }
        let got = try run(result.output, model: result.lowered, inputs: inputs, work: work, flags: flags)
        var elements = 0, differing = 0
        for (index, x) in inputs.enumerated() {
            let expected = IntegerReference.run(result.lowered, input: x)
            let row = index < got.count ? got[index] : []
            elements += expected.count
            differing += zip(row, expected).filter { $0 != $1 }.count + max(0, expected.count - row.count)
        }
        return (elements, differing)
    }
}
