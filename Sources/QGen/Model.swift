#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What qgen compiles: a graph of named nodes in the order they were written. Each node reads the
/// tensors it names (or, naming none, the previous node's output); `Input`s start it.
public struct ModelSpec: Codable, Equatable, Sendable {
    public var name: String
    public var layers: [LayerSpec]
    /// `nil` means the default scheme (`tflite`) unless the command line names one.
    public var requantization: Requantization?
    /// The `.npy` that calibrates the model's `.calibrated(…)` quantizations when the command line
    /// names none (`--calibrate`), relative to model.swift's directory.
    public var calibrationData: String?
    public var location: SourceLocation

    public init(name: String, layers: [LayerSpec], requantization: Requantization? = nil, location: SourceLocation) {
        self.name = name
        self.layers = layers
        self.requantization = requantization
        self.location = location
    }
}

/// A quantized model described in Swift:
///
/// ```swift
/// import QGen
///
/// Model("tiny") {
///     Input("x", shape: [1, 4], .uint8(scale: 0.02, zeroPoint: 128))
///     Linear("fc", outFeatures: 2, weight: .float([1, 0, -1, 0.5, 0.25, 0, 0, 1]),
///            output: .uint8(scale: 0.05, zeroPoint: 128), activation: .relu)
/// }
/// .requantization(.tflite)
/// ```
///
/// As with `Package.swift`, creating the model is enough: when model.swift runs under qgen the
/// library hands every created model to qgen as the program exits.
public final class Model {
    public private(set) var spec: ModelSpec

    public init(_ name: String, file: String = #filePath, line: Int = #line, @LayerBuilder _ layers: () -> [LayerSpec]) {
        spec = ModelSpec(name: name, layers: layers(), location: SourceLocation(file: file, line: line))
        ModelRegistry.register(self)
    }

    /// Chooses the requantization scheme (the command line's `--scheme` overrides it).
    @discardableResult
    public func requantization(_ scheme: Requantization) -> Model {
        spec.requantization = scheme
        return self
    }

    /// Names the calibration data of the model's `.calibrated(…)` quantizations: a `.npy` of float
    /// inputs (first axis: inferences), relative to model.swift's directory. Every command then
    /// calibrates without `--calibrate` (which overrides it).
    @discardableResult
    public func calibrationData(_ npy: String) -> Model {
        spec.calibrationData = npy
        return self
    }
}

/// Collects created models and, at exit, writes them as JSON to the file named by the
/// `QGEN_MODEL_JSON` environment variable (set by qgen). Without it nothing is written, so a
/// model.swift also runs standalone or inside tests.
enum ModelRegistry {
    nonisolated(unsafe) static var models: [Model] = []

    static func register(_ model: Model) {
        if models.isEmpty { atexit { ModelRegistry.writeAtExit() } }
        models.append(model)
    }

    static func writeAtExit() {
        guard let path = getenv("QGEN_MODEL_JSON") else { return }
        let json = JSONWriter.encode(models.map(\.spec))
        guard let file = fopen(path, "w") else {
            print("qgen: cannot write \(String(cString: path))")
            exit(3)
        }
        _ = json.utf8CString.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count - 1, file) }
        fclose(file)
    }
}
