import Foundation
import Testing
import QGen
import QGenCompiler
import QGenReference

/// Loads the example models' specs without running swiftc: the examples are real model.swift
/// files, so this re-creates each one's spec through the loader (which does run swiftc).
enum ExampleModels {
    struct Loaded {
        var spec: ModelSpec
        var options: CompileOptions
    }

    static func load(_ name: String) throws -> Loaded {
        let path = packageRoot.appendingPathComponent("Examples/\(name)/model.swift")
        var spec = try ModelLoader.load(path: path.path)
        let options = CompileOptions(baseDirectory: path.deletingLastPathComponent(), fileStem: name)
        // An example that names its calibration data is calibrated with it, as qgen emit does.
        if let data = spec.calibrationData, !Calibration.calibratedLayers(spec).isEmpty {
            let npy = try NpyArray(contentsOf: path.deletingLastPathComponent().appendingPathComponent(data))
            spec = try Calibration.calibrate(spec, options: options, data: npy).spec
        }
        return Loaded(spec: spec, options: options)
    }

    static var names: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("Examples").path)) ?? [])
            .filter { FileManager.default.fileExists(atPath: packageRoot.appendingPathComponent("Examples/\($0)/model.swift").path) }
            .sorted()
    }
}

@Suite struct EmitterTests {
    private func sample(_ scheme: String = "tflite") throws -> Pipeline.Result {
        try Pipeline.compile(spec([
            input4x4.layerSpec,
            Conv2d("conv", outChannels: 2, kernel: 3, padding: 1, weight: .float(.values((0..<36).map { Double($0) / 50 - 0.3 })),
                   output: .uint8(scale: 0.1, zeroPoint: 3), file: "/home/someone/models/model.swift", line: 9).layerSpec,
            Flatten("flat").layerSpec,
            linear(out: 4, weights: .float(.values(Array(repeating: 0.1, count: 128))), bias: .float([0.1, -0.2, 0.3, 0])).layerSpec,
        ], requantization: Requantization(name: scheme)), options: CompileOptions())
    }

    @Test func outputIsDeterministicAndHasNoAbsolutePaths() throws {
        let a = try sample().output, b = try sample().output
        #expect(a == b)
        #expect(!a.source.contains("/home/someone") && !a.header.contains("/home/someone"))
        #expect(a.source.contains("(model.swift:9)"))
    }

    /// The float32 schemes too: their binary32 arithmetic is emulated with integers.
    @Test(arguments: ["tflite", "singleRounding", "fbgemm", "qnnpack", "onnxRuntime", "powerOfTwo(rounding:halfEven,tolerance:0.5)",
                      "fixedPoint(multiplierBits:12,rounding:halfAwayFromZero)"])
    func emittedCIsASCIIWithoutFloatingPointOrLibc(scheme: String) throws {
        let out = try sample(scheme).output
        for text in [out.source, out.header] {
            #expect(text.unicodeScalars.allSatisfy { $0.isASCII })
            // Strip comments, then look for floating-point types and any include but the two allowed.
            var code = text
            while let start = code.range(of: "/*"), let end = code.range(of: "*/", range: start.upperBound..<code.endIndex) {
                code.removeSubrange(start.lowerBound..<end.upperBound)
            }
            let words = Set(code.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "_" }).map(String.init))
            #expect(!words.contains("float") && !words.contains("double"))
            #expect(!words.contains("malloc") && !words.contains("memset") && !words.contains("memcpy"))
            let includes = code.split(separator: "\n").filter { $0.hasPrefix("#include") }.map(String.init)
            // <arm_acle.h>, <arm_mve.h>, <immintrin.h>: the compiler's own intrinsics headers, included only on Arm DSP,
            // Helium and x86 AVX512-VNNI targets.
            #expect(includes.allSatisfy { ["#include <stddef.h>", "#include <stdint.h>", "#include \"m.h\"", "#include <arm_acle.h>", "#include <arm_mve.h>",
                                           "#include <immintrin.h>"].contains($0) }, "\(includes)")
        }
    }

    @Test func embeddedTemplatesMatchTemplatesDirectory() throws {
        // Tools/embed_templates.py writes the embedded copy; `make generate` runs it.
        let generated = try String(contentsOf: packageRoot.appendingPathComponent("Sources/QGenCompiler/Render/EmbeddedTemplates.swift"), encoding: .utf8)
        let templates = try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("Templates").path).filter { $0.hasSuffix(".mustache") }
        #expect(!templates.isEmpty)
        for file in templates {
            let text = try String(contentsOf: packageRoot.appendingPathComponent("Templates/\(file)"), encoding: .utf8)
            let name = String(file.dropLast(".mustache".count))
            #expect(generated.contains("        \"\(name)\": #\"\"\"\n\(text)\"\"\"#,\n"), "Templates/\(file) differs from its embedded copy: run make generate")
        }
        #expect(generated.components(separatedBy: "\": #\"\"\"").count - 1 == templates.count)
    }

    @Test func generatedDirectoryMatchesAFreshEmit() throws {
        let names = ExampleModels.names
        #expect(names.count >= 5)
        for name in names {
            let example = try ExampleModels.load(name)
            let output = try Pipeline.compile(example.spec, options: example.options).output
            let dir = packageRoot.appendingPathComponent("Generated/\(name)")
            let source = try String(contentsOf: dir.appendingPathComponent("\(name).c"), encoding: .utf8)
            let header = try String(contentsOf: dir.appendingPathComponent("\(name).h"), encoding: .utf8)
            #expect(source == output.source, "Generated/\(name)/\(name).c is stale: run make generate\n\(firstDifference(source, output.source))")
            #expect(header == output.header, "Generated/\(name)/\(name).h is stale: run make generate\n\(firstDifference(header, output.header))")
            // An imported example's file emits the same C as its model.swift.
            for ext in ["tflite", "onnx"] {
                let file = packageRoot.appendingPathComponent("Examples/\(name)/\(name).\(ext)")
                guard FileManager.default.fileExists(atPath: file.path), let imported = try ImportedModel.load(path: file.path) else { continue }
                let direct = try Pipeline.compile(imported, options: CompileOptions(fileStem: name)).output
                #expect(direct.source == source && direct.header == header, "Examples/\(name)/\(name).\(ext) emits other C than its model.swift")
            }
        }
    }

    private func firstDifference(_ a: String, _ b: String) -> String {
        let la = a.split(separator: "\n", omittingEmptySubsequences: false), lb = b.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(la.count, lb.count) where i >= la.count || i >= lb.count || la[i] != lb[i] {
            return "line \(i + 1):\n- \(i < la.count ? la[i] : "<end>")\n+ \(i < lb.count ? lb[i] : "<end>")"
        }
        return ""
    }
}
