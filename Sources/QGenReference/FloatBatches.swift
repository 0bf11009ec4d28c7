import QGenCompiler

/// Float data for the float model (calibration, `qgen compare`): a `.npy` whose first axis counts
/// inferences. For a model input of shape `[N, …]` the data has shape `[k · N, …]`: `k`
/// inferences of `N` rows each.
public enum FloatBatches {
    public struct DataError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The inferences of `data` for the input `name` of shape `shape`, each as float32 values
    /// widened to double (what the float model reads), or an error naming what is wrong: integer
    /// data, a shape that does not fit, an empty batch, NaN or infinity (`purpose` says who needs
    /// finite values, e.g. "observers").
    public static func inferences(of data: NpyArray, input name: String, shape: [Int], purpose: String) throws -> [[Double]] {
        guard data.isFloatingPoint else {
            throw DataError(description: "data must be float32 or float64 real values (the float model's input), not \(data.descr)")
        }
        let sample = Array(shape.dropFirst()), rows = shape.first ?? 1
        guard data.shape.count == shape.count, Array(data.shape.dropFirst()) == sample, data.shape[0] > 0, data.shape[0] % rows == 0 else {
            throw DataError(description: "data of shape \(data.shape) does not fit input '\(name)' of shape \(shape): give [k·\(rows)\(sample.map { ", \($0)" }.joined())], k inferences of \(rows) row(s)")
        }
        if let i = data.values.firstIndex(where: { !$0.isFinite }) {
            throw DataError(description: "data holds \(data.values[i]) at flat index \(i); \(purpose) need finite values")
        }
        let count = data.shape[0] / rows, per = data.values.count / count
        return (0..<count).map { k in data.values[(k * per)..<((k + 1) * per)].map { Double(Float($0)) } }
    }
}
