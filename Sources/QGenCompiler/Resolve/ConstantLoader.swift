import Foundation
import QGen

/// Loads an op's constant data and checks its shape: a `.npy` file's shape must match exactly;
/// inline values are taken in C order and only their count is checked.
struct ConstantLoader {
    let baseDirectory: URL
    /// The node, for messages: `layer 'fc' (Linear)`.
    let what: String
    let at: SourceLocation

    func load(_ data: TensorData, role: String, shape: [Int], layout: String, log: inout DiagnosticLog) -> [Double]? {
        switch data {
        case .values(let values):
            let count = shape.reduce(1, *)
            guard values.count == count else {
                log.error("\(what): \(values.count) \(role) values given, the layer needs \(count) (shape \(shape), \(layout))", at: at)
                return nil
            }
            return values
        case .npy(let path):
            guard let array = read(path, role: role, log: &log) else { return nil }
            guard array.shape == shape else {
                log.error("\(what): \(role) file '\(path)' has shape \(array.shape), the layer needs \(shape) (\(layout))", at: at)
                return nil
            }
            return array.values
        }
    }

    /// A vector whose length the caller checks (per-tensor or per-channel parameters): inline
    /// values, or a `.npy` file of one dimension (or a scalar).
    func loadVector(_ data: TensorData, role: String, log: inout DiagnosticLog) -> [Double]? {
        switch data {
        case .values(let values):
            return values
        case .npy(let path):
            guard let array = read(path, role: role, log: &log) else { return nil }
            guard array.shape.count <= 1 else {
                log.error("\(what): \(role) file '\(path)' has shape \(array.shape); give one dimension (one value per output channel, or one value)", at: at)
                return nil
            }
            return array.values
        }
    }

    private func read(_ path: String, role: String, log: inout DiagnosticLog) -> NpyArray? {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : baseDirectory.appendingPathComponent(path)
        do {
            return try NpyArray(contentsOf: url)
        } catch {
            log.error("\(what): \(role) file '\(path)': \(error)", at: at)
            return nil
        }
    }
}
