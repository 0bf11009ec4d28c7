import QGen

/// Models read from another framework's file rather than a model.swift.
public enum ImportedModel {
    /// The model of a `.tflite` or `.onnx` file; nil for any other path (a model.swift).
    public static func load(path: String) throws -> ModelSpec? { try read(path: path)?.model }

    /// The model of a `.tflite` or `.onnx` file with the import's warnings (one line each, for
    /// standard error); nil for any other path.
    public static func read(path: String) throws -> (model: ModelSpec, warnings: [String])? {
        if path.hasSuffix(".tflite") { return (try TFLiteImporter.load(path: path), []) }
        if path.hasSuffix(".onnx") {
            let imported = try ONNXImporter.read(path: path)
            return (imported.model, imported.warnings)
        }
        return nil
    }
}
