/// A bounds-checked reader of the FlatBuffers binary format (flatbuffers.dev, "Internals"), enough
/// for TFLite's schema: little-endian scalars; a table is an `soffset32` to its vtable followed by
/// its fields; the vtable holds its own size, the table's size and one `uint16` offset per field
/// (0: absent, the schema's default applies); tables, vectors and strings are reached through
/// `uoffset32`s relative to where the offset is stored (so they always point forward: no cycles);
/// a vector is a `uint32` count followed by its elements. Every read checks its bounds and throws
/// `FlatBuffer.Error` naming the byte offset, so a malformed file is a diagnostic, never a trap.
public struct FlatBuffer: Sendable {
    public let bytes: [UInt8]

    public struct Error: Swift.Error, CustomStringConvertible, Equatable {
        public var message: String
        public var description: String { message }
    }

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The root table (the file's first `uoffset32`).
    public func root() throws -> Table {
        try Table(buffer: self, position: offsetTarget(at: 0, what: "the root table"))
    }

    /// The 4-byte file identifier after the root offset, when the file has one.
    public var identifier: String? {
        guard bytes.count >= 8 else { return nil }
        return String(decoding: bytes[4..<8], as: UTF8.self)
    }

    func check(_ position: Int, _ size: Int, _ what: String) throws {
        guard position >= 0, size >= 0, position <= bytes.count - size else {
            throw Error(message: "\(what) at byte \(position) (\(size) bytes) lies outside the \(bytes.count)-byte file")
        }
    }

    func uint8(at p: Int, _ what: String) throws -> UInt8 {
        try check(p, 1, what)
        return bytes[p]
    }

    func uint16(at p: Int, _ what: String) throws -> UInt16 {
        try check(p, 2, what)
        return UInt16(bytes[p]) | UInt16(bytes[p + 1]) << 8
    }

    func uint32(at p: Int, _ what: String) throws -> UInt32 {
        try check(p, 4, what)
        return (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[p + $1]) << (8 * UInt32($1)) }
    }

    func uint64(at p: Int, _ what: String) throws -> UInt64 {
        try check(p, 8, what)
        return (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[p + $1]) << (8 * UInt64($1)) }
    }

    /// Where the `uoffset32` stored at `p` points.
    func offsetTarget(at p: Int, what: String) throws -> Int {
        let target = p + Int(try uint32(at: p, what))
        try check(target, 4, what)
        return target
    }

    /// A table: its fields are read through its vtable.
    public struct Table: Sendable {
        let buffer: FlatBuffer
        let position: Int
        let vtable: Int
        let vtableSize: Int

        init(buffer: FlatBuffer, position: Int) throws {
            self.buffer = buffer
            self.position = position
            let soffset = Int(Int32(bitPattern: try buffer.uint32(at: position, "a table")))
            vtable = position - soffset
            vtableSize = Int(try buffer.uint16(at: vtable, "a vtable"))
            guard vtableSize >= 4, vtableSize % 2 == 0 else {
                throw Error(message: "the vtable at byte \(vtable) has size \(vtableSize), not an even number ≥ 4")
            }
            try buffer.check(vtable, vtableSize, "a vtable")
            let tableSize = Int(try buffer.uint16(at: vtable + 2, "a vtable"))
            try buffer.check(position, max(tableSize, 4), "a table")
        }

        /// The byte position of field `id` (schema order from 0), or nil when it is absent.
        func fieldPosition(_ id: Int) throws -> Int? {
            let slot = 4 + 2 * id
            guard slot + 2 <= vtableSize else { return nil }
            let offset = Int(try buffer.uint16(at: vtable + slot, "a vtable entry"))
            return offset == 0 ? nil : position + offset
        }

        public func uint8(_ id: Int, default value: UInt8 = 0) throws -> UInt8 {
            guard let p = try fieldPosition(id) else { return value }
            return try buffer.uint8(at: p, "field \(id)")
        }

        public func bool(_ id: Int, default value: Bool = false) throws -> Bool {
            guard let p = try fieldPosition(id) else { return value }
            return try buffer.uint8(at: p, "field \(id)") != 0
        }

        public func int8(_ id: Int, default value: Int8 = 0) throws -> Int8 {
            Int8(bitPattern: try uint8(id, default: UInt8(bitPattern: value)))
        }

        public func int32(_ id: Int, default value: Int32 = 0) throws -> Int32 {
            guard let p = try fieldPosition(id) else { return value }
            return Int32(bitPattern: try buffer.uint32(at: p, "field \(id)"))
        }

        public func uint32(_ id: Int, default value: UInt32 = 0) throws -> UInt32 {
            guard let p = try fieldPosition(id) else { return value }
            return try buffer.uint32(at: p, "field \(id)")
        }

        public func uint64(_ id: Int, default value: UInt64 = 0) throws -> UInt64 {
            guard let p = try fieldPosition(id) else { return value }
            return try buffer.uint64(at: p, "field \(id)")
        }

        public func float32(_ id: Int, default value: Float = 0) throws -> Float {
            guard let p = try fieldPosition(id) else { return value }
            return Float(bitPattern: try buffer.uint32(at: p, "field \(id)"))
        }

        public func table(_ id: Int) throws -> Table? {
            guard let p = try fieldPosition(id) else { return nil }
            return try Table(buffer: buffer, position: buffer.offsetTarget(at: p, what: "the table of field \(id)"))
        }

        public func vector(_ id: Int) throws -> Vector? {
            guard let p = try fieldPosition(id) else { return nil }
            let start = try buffer.offsetTarget(at: p, what: "the vector of field \(id)")
            let count = Int(try buffer.uint32(at: start, "a vector's length"))
            return Vector(buffer: buffer, start: start + 4, count: count)
        }

        public func string(_ id: Int) throws -> String? {
            guard let v = try vector(id) else { return nil }
            try buffer.check(v.start, v.count, "a string")
            return String(decoding: buffer.bytes[v.start..<(v.start + v.count)], as: UTF8.self)
        }
    }

    /// A vector: `count` elements from `start`. Element reads check their bounds.
    public struct Vector: Sendable {
        let buffer: FlatBuffer
        let start: Int
        public let count: Int

        /// Checks that `count` elements of `size` bytes fit in the file (before reading them all).
        func checked(_ size: Int, _ what: String) throws -> Vector {
            guard count <= (buffer.bytes.count - start) / max(size, 1) else {
                throw Error(message: "\(what) at byte \(start) claims \(count) elements of \(size) bytes, more than the \(buffer.bytes.count)-byte file holds")
            }
            return self
        }

        public func int32s(_ what: String) throws -> [Int32] {
            let v = try checked(4, what)
            return try (0..<v.count).map { Int32(bitPattern: try buffer.uint32(at: start + 4 * $0, what)) }
        }

        public func int64s(_ what: String) throws -> [Int64] {
            let v = try checked(8, what)
            return try (0..<v.count).map { Int64(bitPattern: try buffer.uint64(at: start + 8 * $0, what)) }
        }

        public func float32s(_ what: String) throws -> [Float] {
            let v = try checked(4, what)
            return try (0..<v.count).map { Float(bitPattern: try buffer.uint32(at: start + 4 * $0, what)) }
        }

        public func bytes(_ what: String) throws -> ArraySlice<UInt8> {
            _ = try checked(1, what)
            try buffer.check(start, count, what)
            return buffer.bytes[start..<(start + count)]
        }

        public func tables(_ what: String) throws -> [Table] {
            let v = try checked(4, what)
            return try (0..<v.count).map { try Table(buffer: buffer, position: buffer.offsetTarget(at: start + 4 * $0, what: what)) }
        }
    }
}
