import Foundation

/// The parts of an ONNX protobuf the importer reads, checked: constant tensors decoded to numbers,
/// node attributes by name. Every failure is an `ONNXImporter.ImportError` naming what was read.
struct ONNXConstant {
    /// ONNX `TensorProto.DataType` values qgen reads.
    enum ElementType: Int32 {
        case float = 1, uint8 = 2, int8 = 3, uint16 = 4, int16 = 5, int32 = 6, int64 = 7, double = 11

        var name: String {
            switch self {
            case .float: return "FLOAT"
            case .uint8: return "UINT8"
            case .int8: return "INT8"
            case .uint16: return "UINT16"
            case .int16: return "INT16"
            case .int32: return "INT32"
            case .int64: return "INT64"
            case .double: return "DOUBLE"
            }
        }

        /// Bytes per element in `raw_data`.
        var size: Int {
            switch self {
            case .uint8, .int8: return 1
            case .uint16, .int16: return 2
            case .float, .int32: return 4
            case .int64, .double: return 8
            }
        }
    }

    var name: String
    var dims: [Int]
    var type: ElementType
    /// Every element, exactly (float32 and int64 values within ±2^53 are exact doubles).
    var values: [Double]

    var isScalar: Bool { values.count == 1 }

    /// Decodes `tensor`; `what` names it in errors ("initializer 'w'").
    init(_ tensor: Onnx_TensorProto, what: String) throws {
        func fail(_ text: String) -> ONNXImporter.ImportError { ONNXImporter.ImportError(message: "\(what): \(text)") }
        name = tensor.name
        guard tensor.dataLocation != .external, tensor.externalData.isEmpty else {
            throw fail("its data is in an external file; qgen reads models with their weights inside the .onnx (save without external data)")
        }
        guard let type = ElementType(rawValue: tensor.dataType) else {
            throw fail("its element type is \(tensor.dataType) (TensorProto.DataType); qgen reads FLOAT, DOUBLE, INT8, UINT8, INT16, UINT16, INT32 and INT64 constants")
        }
        self.type = type
        var count = 1
        for d in tensor.dims {
            guard d >= 0, d <= Int64(Int32.max) else { throw fail("its dimension \(d) is negative or too large") }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(d))
            guard !overflow, product <= 1 << 31 else { throw fail("its shape \(tensor.dims) has too many elements") }
            count = product
        }
        dims = tensor.dims.map { Int($0) }
        if tensor.hasRawData {
            let raw = [UInt8](tensor.rawData)
            guard raw.count == count * type.size else {
                throw fail("its raw data has \(raw.count) bytes, but shape \(dims) of \(type.name) needs \(count * type.size)")
            }
            func word(_ i: Int, _ n: Int) -> UInt64 { (0..<n).reduce(UInt64(0)) { $0 | UInt64(raw[i * n + $1]) << (8 * UInt64($1)) } }
            values = (0..<count).map { i in
                switch type {
                case .uint8: return Double(raw[i])
                case .int8: return Double(Int8(bitPattern: raw[i]))
                case .uint16: return Double(UInt16(word(i, 2)))
                case .int16: return Double(Int16(bitPattern: UInt16(word(i, 2))))
                case .int32: return Double(Int32(bitPattern: UInt32(word(i, 4))))
                case .int64: return Double(Int64(bitPattern: word(i, 8)))
                case .float: return Double(Float(bitPattern: UInt32(word(i, 4))))
                case .double: return Double(bitPattern: word(i, 8))
                }
            }
        } else {
            switch type {
            case .float: values = tensor.floatData.map(Double.init)
            case .double: values = tensor.doubleData.map { $0 }
            case .int64: values = tensor.int64Data.map(Double.init)
            case .uint8, .int8, .uint16, .int16, .int32:
                // int32_data holds every small integer type, one element per entry.
                values = tensor.int32Data.map(Double.init)
            }
            guard values.count == count else {
                throw fail("it holds \(values.count) values, but its shape \(dims) has \(count) elements")
            }
        }
        if type == .float || type == .double, let bad = values.first(where: { !$0.isFinite }) {
            throw fail("it holds \(bad); qgen reads finite constants")
        }
    }

    /// The values as integers (every element of an integer type is one; ±2^63 saturate).
    var integers: [Int] { values.map { Int(exactly: $0.rounded(.towardZero)) ?? ($0 < 0 ? Int.min : Int.max) } }
}

extension Onnx_NodeProto {
    /// The attribute called `name`, if the node has it.
    func attribute(_ name: String) -> Onnx_AttributeProto? { attribute.first { $0.name == name } }

    func int(_ name: String, default value: Int) -> Int {
        guard let a = attribute(name) else { return value }
        return Int(clamping: a.i)
    }

    func ints(_ name: String) -> [Int]? { attribute(name).map { $0.ints.map { Int(clamping: $0) } } }

    func float(_ name: String, default value: Float) -> Float { attribute(name).map { $0.f } ?? value }

    func string(_ name: String) -> String? {
        attribute(name).map { String(decoding: $0.s, as: UTF8.self) }
    }
}

/// A name from the file as a diagnostic shows it: printable ASCII kept, everything else as
/// `\u{…}`, at most 120 characters.
func printable(_ text: String) -> String {
    var out = ""
    for c in text.unicodeScalars.prefix(120) {
        out += (" "..."~").contains(c) ? String(c) : "\\u{\(String(c.value, radix: 16))}"
    }
    return text.unicodeScalars.count > 120 ? out + "…" : out
}
