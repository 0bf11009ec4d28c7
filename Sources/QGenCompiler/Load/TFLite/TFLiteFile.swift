/// The part of TFLite's schema (tensorflow/lite/schema/schema.fbs, schema version 3) that qgen
/// reads: the first subgraph's tensors and operators, the operator codes and the constant buffers.
/// Field numbers are the schema's field order. Reading checks every offset (`FlatBuffer`); what the
/// file says is checked later by the importer.
struct TFLiteFile {
    enum TensorType: Int8 {
        case float32 = 0, float16 = 1, int32 = 2, uint8 = 3, int64 = 4, string = 5, bool = 6, int16 = 7, complex64 = 8, int8 = 9

        var name: String { "\(self)".uppercased() }
    }

    struct Quantization {
        var scales: [Float]
        var zeroPoints: [Int64]
        var quantizedDimension: Int32
    }

    struct Tensor {
        var shape: [Int32]
        /// The raw `TensorType` (unknown values are kept and reported by the importer).
        var type: Int8
        var buffer: UInt32
        var name: String
        var quantization: Quantization?
        var hasSparsity: Bool

        var tensorType: TensorType? { TensorType(rawValue: type) }
    }

    struct Operator {
        var opcodeIndex: UInt32
        var inputs: [Int32]
        var outputs: [Int32]
        var optionsType: UInt8
        var options: FlatBuffer.Table?
    }

    struct OperatorCode {
        /// max(deprecated_builtin_code, builtin_code), as TFLite's own reader takes it.
        var builtinCode: Int32
        var customCode: String?
    }

    var version: UInt32
    var operatorCodes: [OperatorCode]
    var tensors: [Tensor]
    var inputs: [Int32]
    var outputs: [Int32]
    var operators: [Operator]
    var subgraphCount: Int
    /// Each buffer's bytes (empty when the buffer holds no data).
    var buffers: [ArraySlice<UInt8>]

    init(bytes: [UInt8]) throws {
        let file = FlatBuffer(bytes)
        guard bytes.count >= 8 else { throw FlatBuffer.Error(message: "the file has \(bytes.count) bytes, too few for a TFLite model") }
        guard file.identifier == "TFL3" else {
            throw FlatBuffer.Error(message: "the file identifier is '\(file.identifier ?? "")', not TFLite's 'TFL3'; is this a .tflite file?")
        }
        let model = try file.root()
        version = try model.uint32(0)
        operatorCodes = try (model.vector(1)?.tables("the operator codes") ?? []).map { code in
            let deprecated = Int32(try code.int8(0))
            return OperatorCode(builtinCode: max(deprecated, try code.int32(3)), customCode: try code.string(1))
        }
        let subgraphs = try model.vector(2)?.tables("the subgraphs") ?? []
        subgraphCount = subgraphs.count
        guard let graph = subgraphs.first else { throw FlatBuffer.Error(message: "the model has no subgraph") }
        tensors = try (graph.vector(0)?.tables("the tensors") ?? []).map { t in
            var quantization: Quantization? = nil
            if let q = try t.table(4) {
                quantization = Quantization(scales: try q.vector(2)?.float32s("quantization scales") ?? [],
                                            zeroPoints: try q.vector(3)?.int64s("quantization zero points") ?? [],
                                            quantizedDimension: try q.int32(6))
            }
            return Tensor(shape: try t.vector(0)?.int32s("a tensor shape") ?? [], type: try t.int8(1), buffer: try t.uint32(2),
                          name: try t.string(3) ?? "", quantization: quantization, hasSparsity: try t.table(6) != nil)
        }
        inputs = try graph.vector(1)?.int32s("the subgraph inputs") ?? []
        outputs = try graph.vector(2)?.int32s("the subgraph outputs") ?? []
        operators = try (graph.vector(3)?.tables("the operators") ?? []).map { op in
            Operator(opcodeIndex: try op.uint32(0), inputs: try op.vector(1)?.int32s("operator inputs") ?? [],
                     outputs: try op.vector(2)?.int32s("operator outputs") ?? [], optionsType: try op.uint8(3), options: try op.table(4))
        }
        buffers = try (model.vector(4)?.tables("the buffers") ?? []).map { b in
            if try b.uint64(1) > 1 {
                throw FlatBuffer.Error(message: "a buffer is stored outside the flatbuffer (offset \(try b.uint64(1))); qgen reads models below 2 GB, whose buffers are inside")
            }
            return try b.vector(0)?.bytes("buffer data") ?? []
        }
    }
}
