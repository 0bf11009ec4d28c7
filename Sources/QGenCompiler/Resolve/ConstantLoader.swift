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
        let count = shape.reduce(1, *)
        switch data {
        case .values(let values):
            guard values.count == count else {
                log.error("\(what): \(values.count) \(role) values given, the layer needs \(count) (shape \(shape), \(layout))", at: at)
                return nil
            }
            return values
        case .npy(let path):
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : baseDirectory.appendingPathComponent(path)
            let array: NpyArray
            do {
                array = try NpyArray(contentsOf: url)
            } catch {
                log.error("\(what): \(role) file '\(path)': \(error)", at: at)
                return nil
            }
            guard array.shape == shape else {
                log.error("\(what): \(role) file '\(path)' has shape \(array.shape), the layer needs \(shape) (\(layout))", at: at)
                return nil
            }
            return array.values
        }
    }
}
