import Foundation
import QGen

/// A NumPy `.npy` array (format versions 1–3), read into `Double`s, which hold every value of the
/// accepted element types exactly (int64 values beyond ±2^53 are rejected).
public struct NpyArray: Equatable, Sendable {
    public var shape: [Int]
    /// NumPy's `descr`, e.g. `<f4`, `|i1`.
    public var descr: String
    public var values: [Double]

    public var isFloatingPoint: Bool { descr.hasSuffix("f4") || descr.hasSuffix("f8") }

    public struct ReadError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public init(shape: [Int], descr: String, values: [Double]) {
        self.shape = shape
        self.descr = descr
        self.values = values
    }

    /// The largest header read from a file (NumPy writes headers of a few hundred bytes).
    public static let maxHeaderBytes = 1 << 16

    /// Reads a `.npy` file. Only a regular file is read, and only as many bytes as its header
    /// says its data needs (at most `SizeLimits.maxTensorElements` values), so a device, a pipe or
    /// a huge unrelated file gives an error instead of a hang or an exhausted memory.
    public init(contentsOf url: URL) throws {
        let path = url.path
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ReadError(description: "cannot read '\(path)': \(String(cString: strerror(errno)).lowercased())")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw ReadError(description: "cannot read '\(path)': it is not a regular file")
        }
        guard let file = FileHandle(forReadingAtPath: path) else {
            throw ReadError(description: "cannot read '\(path)': permission denied")
        }
        defer { try? file.close() }
        do {
            let prefix = [UInt8](try file.read(upToCount: Self.maxHeaderBytes + 12) ?? Data())
            let layout = try Self.layout(prefix, name: url.lastPathComponent)
            let wanted = min(Int(info.st_size), layout.dataOffset + layout.count * layout.itemSize)
            var bytes = prefix
            if wanted > bytes.count { bytes += [UInt8](try file.read(upToCount: wanted - bytes.count) ?? Data()) }
            try self.init(data: bytes, name: url.lastPathComponent)
        } catch let error as ReadError {
            throw error
        } catch {
            throw ReadError(description: "cannot read '\(path)': \(error.localizedDescription)")
        }
    }

    /// What the header says: the shape, element type and where the data starts.
    private struct Layout {
        var shape: [Int]
        var descr: String
        var itemSize: Int
        var count: Int
        var dataOffset: Int
    }

    /// Parses the header from the first bytes of a file (the data need not follow).
    private static func layout(_ bytes: [UInt8], name: String) throws -> Layout {
        func fail(_ why: String) -> ReadError { ReadError(description: "'\(name)' is not a valid .npy file: \(why)") }
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw fail("missing the \\x93NUMPY magic") }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("truncated header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw fail("unsupported format version \(major)")
        }
        guard headerLength <= maxHeaderBytes else { throw fail("the header claims \(headerLength) bytes, more than the \(maxHeaderBytes) qgen reads") }
        guard bytes.count >= headerStart + headerLength else { throw fail("truncated header") }
        guard let header = String(bytes: bytes[headerStart..<headerStart + headerLength], encoding: .utf8) else {
            throw fail("header is not text")
        }
        guard let descr = field("descr", in: header).flatMap(unquote) else { throw fail("header has no 'descr'") }
        guard let fortran = field("fortran_order", in: header) else { throw fail("header has no 'fortran_order'") }
        if fortran == "True" { throw fail("Fortran-ordered arrays are not supported; save np.ascontiguousarray(a)") }
        guard let shapeText = field("shape", in: header) else { throw fail("header has no 'shape'") }
        let dims = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var shape: [Int] = []
        for d in dims {
            guard let v = Int(d), v >= 0 else { throw fail("bad shape \(shapeText)") }
            shape.append(v)
        }
        guard let count = SizeLimits.elementCount(shape) else {
            throw fail("shape \(shape) has more than \(SizeLimits.tensorLimitText) elements, qgen's limit for one tensor")
        }
        guard let itemSize = ["f4": 4, "f8": 8, "i1": 1, "u1": 1, "i2": 2, "i4": 4, "i8": 8][String(descr.dropFirst())] else {
            throw fail("element type '\(descr)' is not supported (use float32, float64, int8, uint8, int16, int32 or int64)")
        }
        if descr.first == ">" && itemSize > 1 { throw fail("big-endian data ('\(descr)') is not supported") }
        return Layout(shape: shape, descr: descr, itemSize: itemSize, count: count, dataOffset: headerStart + headerLength)
    }

    public init(data bytes: [UInt8], name: String) throws {
        func fail(_ why: String) -> ReadError { ReadError(description: "'\(name)' is not a valid .npy file: \(why)") }
        let layout = try Self.layout(bytes, name: name)
        let (shape, descr, count, itemSize) = (layout.shape, layout.descr, layout.count, layout.itemSize)
        let body = bytes[layout.dataOffset...]
        let kind = descr.dropFirst()
        guard body.count >= count * itemSize else {
            throw fail("data is truncated: shape \(shape) needs \(count * itemSize) bytes, the file has \(body.count)")
        }
        var values = [Double]()
        values.reserveCapacity(count)
        for i in 0..<count {
            var raw: UInt64 = 0
            for b in 0..<itemSize { raw |= UInt64(body[body.startIndex + i * itemSize + b]) << UInt64(8 * b) }
            switch kind {
            case "f4": values.append(Double(Float(bitPattern: UInt32(raw))))
            case "f8": values.append(Double(bitPattern: raw))
            case "i1": values.append(Double(Int8(bitPattern: UInt8(raw))))
            case "u1": values.append(Double(raw))
            case "i2": values.append(Double(Int16(bitPattern: UInt16(raw))))
            case "i4": values.append(Double(Int32(bitPattern: UInt32(raw))))
            default:
                let v = Int64(bitPattern: raw)
                guard v.magnitude <= 1 << 53 else { throw fail("int64 value \(v) at index \(i) is not exactly representable") }
                values.append(Double(v))
            }
        }
        self.init(shape: shape, descr: descr, values: values)
    }

    /// The text after `'key':` up to the next top-level comma or closing brace.
    private static func field(_ key: String, in header: String) -> String? {
        guard let range = header.range(of: "'\(key)':") else { return nil }
        var depth = 0
        var out = ""
        for ch in header[range.upperBound...] {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1 }
            if depth == 0 && (ch == "," || ch == "}") { break }
            out.append(ch)
            if depth < 0 { return nil }
        }
        return out.trimmingCharacters(in: .whitespaces)
    }

    private static func unquote(_ s: String) -> String? {
        guard s.count >= 2, s.first == "'" || s.first == "\"", s.last == s.first else { return nil }
        return String(s.dropFirst().dropLast())
    }

    /// The bytes of a C-ordered little-endian `.npy` v1 file (used by Tools and tests to write fixtures).
    public static func encode(shape: [Int], float32 values: [Float]) -> [UInt8] {
        var out: [UInt8] = []
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        return header(descr: "<f4", shape: shape) + out
    }

    public static func encode(shape: [Int], float64 values: [Double]) -> [UInt8] {
        var out: [UInt8] = []
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        return header(descr: "<f8", shape: shape) + out
    }

    public static func encode(shape: [Int], int8 values: [Int8]) -> [UInt8] {
        header(descr: "|i1", shape: shape) + values.map { UInt8(bitPattern: $0) }
    }

    /// int8 (`|i1`) or uint8 (`|u1`) codes, each given as an Int32 of the type's range.
    public static func encode(shape: [Int], codes: [Int32], signed: Bool) -> [UInt8] {
        header(descr: signed ? "|i1" : "|u1", shape: shape) + codes.map { signed ? UInt8(bitPattern: Int8($0)) : UInt8($0) }
    }

    /// Codes of `dtype` (`|i1`, `|u1` or little-endian `<i2`), each given as an Int32 of its range.
    public static func encode(shape: [Int], codes: [Int32], dtype: DType) -> [UInt8] {
        guard dtype == .int16 else { return encode(shape: shape, codes: codes, signed: dtype == .int8) }
        var out: [UInt8] = []
        for v in codes { withUnsafeBytes(of: Int16(v).littleEndian) { out.append(contentsOf: $0) } }
        return header(descr: "<i2", shape: shape) + out
    }

    public static func encode(shape: [Int], int32 values: [Int32]) -> [UInt8] {
        var out: [UInt8] = []
        for v in values { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        return header(descr: "<i4", shape: shape) + out
    }

    private static func header(descr: String, shape: [Int]) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        while (10 + dict.utf8.count + 1) % 64 != 0 { dict += " " }
        dict += "\n"
        let n = dict.utf8.count
        return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(n & 0xFF), UInt8(n >> 8)] + Array(dict.utf8)
    }
}
