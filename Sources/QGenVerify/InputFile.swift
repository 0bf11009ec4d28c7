import Foundation
import QGen
import QGenArithmetic
import QGenCompiler

/// A model input read from a `.npy` file (`qgen explain --input`, `qgen run --input`): integer
/// arrays are the input codes themselves; float arrays are quantized with the boundary rule of the
/// scheme's stack (the rule `--float-io` emits), exactly as that stack would quantize them.
public enum InputFile {
    public struct InputError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public struct Read: Sendable {
        public var codes: [Int32]
        /// How the values became codes, for the user.
        public var note: String
    }

    /// `inference` picks one input of a batch: the file then holds k inputs one after another
    /// (first axis k · N for an input of shape [N, …], as `qgen calibrate` and `qgen compare` read).
    public static func read(_ path: String, for result: Pipeline.Result, inference: Int? = nil) throws -> Read {
        let model = result.lowered
        var array: NpyArray
        do {
            array = try NpyArray(contentsOf: URL(fileURLWithPath: path))
        } catch let error as NpyArray.ReadError {
            throw InputError(description: "--input: \(error)")
        }
        guard model.inputs.count == 1 else {
            throw InputError(description: "--input '\(path)': model '\(model.name)' has \(model.inputs.count) inputs (\(model.inputs.map { "'\(model.tensors[$0].name)'" }.joined(separator: ", "))) and --input reads one; use seeded random inputs (--seed) or qgen verify")
        }
        if let inference {
            let per = model.input.count, count = array.values.count / max(per, 1)
            guard array.values.count % per == 0, inference < count else {
                throw InputError(description: "--input '\(path)' --inference \(inference): the file has \(array.values.count) values (shape \(array.shape)), \(count) input(s) of \(per) values (shape \(model.input.shape)); give an inference from 0 to \(count - 1)")
            }
            array.values = Array(array.values[(inference * per)..<((inference + 1) * per)])
        }
        guard array.values.count == model.input.count else {
            let batch = array.values.count % model.input.count == 0 && array.values.count > model.input.count
                ? "; it holds \(array.values.count / model.input.count) inputs: pick one with --inference K" : ""
            throw InputError(description: "--input '\(path)' has \(array.values.count) values (shape \(array.shape)), the model input '\(model.input.name)' needs \(model.input.count) (shape \(model.input.shape))\(batch)")
        }
        let range = model.input.dtype.range
        if array.isFloatingPoint {
            if let i = array.values.firstIndex(where: { $0.isNaN }) {
                throw InputError(description: "--input '\(path)' holds NaN at index \(i); give real numbers (a NaN has no quantized code)")
            }
            let rule = model.scheme.boundary
            let scale = result.lowering.real.scales[model.inputs[0]]
            let codes = array.values.map { Int32(rule.quantize(Float($0), scale: scale, zeroPoint: Int(model.input.zeroPoint), range: range)) }
            return Read(codes: codes, note: "\(array.values.count) float values quantized with the \(rule.rawValue) rule")
        }
        if let i = array.values.firstIndex(where: { !range.contains(Int($0)) }) {
            throw InputError(description: "--input '\(path)' holds \(Int(array.values[i])) at index \(i), outside the \(model.input.dtype) range \(range)")
        }
        return Read(codes: array.values.map { Int32($0) }, note: "\(array.values.count) integer codes")
    }
}
