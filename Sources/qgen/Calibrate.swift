import ArgumentParser
import Foundation
import QGen
import QGenCompiler
import QGenReference

struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Computes the scales of a model's .calibrated(…) quantizations from float data and writes them into a copy of model.swift.",
        discussion: """
            The float model (weights as given, no requantization) runs on each inference of the data; each calibrated \
            tensor's observer (PyTorch's rules, bit for bit) sees its values. In the copy each .calibrated(…) becomes \
            .uint8(scale:zeroPoint:) or .int8(…) with a comment naming the observer and the range it saw. Nothing is written \
            unless every layer calibrates.
            """)

    @Argument(help: "The model.swift file; its .calibrated(…) quantizations are calibrated.")
    var model: String

    @Argument(help: "A .npy of float inputs: shape [k·N, …] for an input of shape [N, …], k inferences (default: the model's .calibrationData(…)).")
    var data: String?

    @Option(name: .shortAndLong, help: "The model.swift copy to write, with the computed scales.")
    var output: String

    @Option(name: .customLong("model-timeout"), parsing: .unconditional,
            help: ArgumentHelp("Seconds model.swift may run while it builds its model; then it is stopped.", valueName: "seconds"))
    var modelTimeout: Double = ModelLoader.defaultTimeout

    func validate() throws {
        guard output.hasSuffix(".swift") else { throw ValidationError("--output must name a .swift file, got '\(output)'") }
        guard URL(fileURLWithPath: output).standardized.path != URL(fileURLWithPath: model).standardized.path else {
            throw ValidationError("--output must not be model.swift itself: write a copy and review it")
        }
    }

    func run() throws {
        try reportingErrors {
            let url = URL(fileURLWithPath: output)
            try AtomicFiles.checkWritable(url)
            let source: String
            do {
                source = try String(contentsOfFile: model, encoding: .utf8)
            } catch {
                throw CLIError("cannot read \(model): \(error.localizedDescription)")
            }
            let spec = try ModelLoader.load(path: model, timeout: modelTimeout)
            let base = URL(fileURLWithPath: model).deletingLastPathComponent()
            guard let data = data ?? calibrationDataPath(spec, base: base) else {
                throw CLIError("no calibration data: give the .npy after model.swift, or name it in model.swift with .calibrationData(\"data.npy\")")
            }
            let result = try calibrated(spec, data: data, options: CompileOptions(baseDirectory: base))
            let written = try CalibratedSource.rewrite(source, spec: spec, result: result)
            // The copy must compile as the calibrated model does (the same scales), checked before it is written.
            _ = try Pipeline.compile(result.spec, options: CompileOptions(baseDirectory: base))
            try AtomicFiles.write([(url, written)])
            print("wrote \(output): \(result.tensors.count) calibrated tensor(s) over \(result.inferences) inference(s)")
            for t in result.tensors {
                print("  \(t.name): \(t.observer.swiftText) saw [\(t.observedMin), \(t.observedMax)] -> scale \(t.scale), zero point \(t.zeroPoint)")
            }
        }
    }
}

/// Writes calibrated scales into model.swift's text: each layer's `.calibrated(…)` (the first one at
/// or after the layer's line) becomes the literal quantization.
enum CalibratedSource {
    static func rewrite(_ source: String, spec: ModelSpec, result: Calibration.Result) throws -> String {
        var lines = source.components(separatedBy: "\n")
        let calibrated = spec.layers.filter { $0.declaredQuantization?.calibration != nil }
        let byLine = Dictionary(grouping: calibrated, by: \.location.line)
        if let shared = byLine.values.first(where: { $0.count > 1 }) {
            throw CLIError("layers \(shared.map { "'\($0.name)'" }.joined(separator: ", ")) are all created at line \(shared[0].location.line) (a loop or a function?): their scales cannot be written back into the text; use qgen emit --calibrate instead")
        }
        // Last line first, so that earlier replacements keep later offsets valid.
        for layer in calibrated.sorted(by: { $0.location.line > $1.location.line }) {
            guard let tensor = result.tensors.first(where: { $0.name == layer.name }) else { continue }
            let dtype = tensor.observer.dtype.rawValue
            let literal = ".\(dtype)(scale: \(tensor.scale), zeroPoint: \(tensor.zeroPoint)) /* \(tensor.observer.swiftText) over \(result.inferences) inference(s): [\(tensor.observedMin), \(tensor.observedMax)] */"
            guard replaceCall(in: &lines, from: layer.location.line - 1, with: literal) else {
                throw CLIError("layer '\(layer.name)': no .calibrated(…) found from model.swift line \(layer.location.line); write it in the layer's own call to calibrate it here, or use qgen emit --calibrate")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Replaces the first `.calibrated(` call at or after line `start` (its balanced parentheses may
    /// span lines) with `text`; false when there is none.
    private static func replaceCall(in lines: inout [String], from start: Int, with text: String) -> Bool {
        guard start >= 0 else { return false }
        for row in start..<lines.count {
            guard let range = lines[row].range(of: ".calibrated(") else { continue }
            var depth = 0
            var endRow = row, endIndex: String.Index?
            var index = lines[row].index(before: range.upperBound)
            search: while endRow < lines.count {
                let line = lines[endRow]
                while index < line.endIndex {
                    if line[index] == "(" { depth += 1 }
                    if line[index] == ")" {
                        depth -= 1
                        if depth == 0 {
                            endIndex = line.index(after: index)
                            break search
                        }
                    }
                    index = line.index(after: index)
                }
                endRow += 1
                if endRow < lines.count { index = lines[endRow].startIndex }
            }
            guard let endIndex else { return false }
            let head = String(lines[row][..<range.lowerBound]), tail = String(lines[endRow][endIndex...])
            lines.replaceSubrange(row...endRow, with: [head + text + tail])
            return true
        }
        return false
    }
}
