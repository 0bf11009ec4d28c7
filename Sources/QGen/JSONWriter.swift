/// A minimal JSON `Encoder` (Foundation's would triple the compile time of every model.swift).
/// It produces what `JSONDecoder` reads back with the default strategies, except that non-finite
/// doubles are written as the strings "nan", "inf" and "-inf" (decode them with
/// `.convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")`), so an
/// invalid scale reaches the compiler, which reports it with its line.
public enum JSONWriter {
    public static func encode(_ value: some Encodable) -> String {
        let root = Slot()
        do {
            try value.encode(to: TreeEncoder(slot: root, codingPath: []))
        } catch {
            return "null"
        }
        var out = ""
        root.write(to: &out)
        return out
    }
}

private final class Slot {
    enum Value {
        case null, bool(Bool), number(String), string(String)
        case array(ArrayStorage), object(ObjectStorage)
    }
    var value: Value = .null

    func write(to out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): Slot.writeString(s, to: &out)
        case .array(let a):
            out += "["
            for (i, item) in a.items.enumerated() {
                if i > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            for (i, (key, item)) in o.items.enumerated() {
                if i > 0 { out += "," }
                Slot.writeString(key, to: &out)
                out += ":"
                item.write(to: &out)
            }
            out += "}"
        }
    }

    static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    static func number(_ d: Double) -> Value {
        if d.isNaN { return .string("nan") }
        if d.isInfinite { return .string(d > 0 ? "inf" : "-inf") }
        return .number(d.description)   // shortest representation that round-trips
    }
}

private final class ArrayStorage { var items: [Slot] = [] }
private final class ObjectStorage { var items: [(String, Slot)] = [] }

private struct TreeEncoder: Encoder {
    let slot: Slot
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let storage: ObjectStorage
        if case .object(let existing) = slot.value { storage = existing } else {
            storage = ObjectStorage()
            slot.value = .object(storage)
        }
        return KeyedEncodingContainer(KeyedContainer<Key>(storage: storage, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let storage: ArrayStorage
        if case .array(let existing) = slot.value { storage = existing } else {
            storage = ArrayStorage()
            slot.value = .array(storage)
        }
        return UnkeyedContainer(storage: storage, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleContainer(slot: slot, codingPath: codingPath)
    }
}

/// Encodes a primitive into `slot`, or recurses for any other Encodable.
private func store(_ value: some Encodable, in slot: Slot, path: [any CodingKey]) throws {
    switch value {
    case let v as Bool: slot.value = .bool(v)
    case let v as String: slot.value = .string(v)
    case let v as Double: slot.value = Slot.number(v)
    case let v as Float: slot.value = Slot.number(Double(v))
    case let v as any BinaryInteger: slot.value = .number("\(v)")
    default: try value.encode(to: TreeEncoder(slot: slot, codingPath: path))
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let storage: ObjectStorage
    var codingPath: [any CodingKey]

    private func slot(_ key: Key) -> Slot {
        let s = Slot()
        storage.items.append((key.stringValue, s))
        return s
    }

    mutating func encodeNil(forKey key: Key) throws { slot(key).value = .null }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try store(value, in: slot(key), path: codingPath + [key])
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(slot: slot(key), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        TreeEncoder(slot: slot(key), codingPath: codingPath + [key]).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { TreeEncoder(slot: slot(Key(stringValue: "super")!), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { TreeEncoder(slot: slot(key), codingPath: codingPath + [key]) }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let storage: ArrayStorage
    var codingPath: [any CodingKey]
    var count: Int { storage.items.count }

    private func slot() -> Slot {
        let s = Slot()
        storage.items.append(s)
        return s
    }

    mutating func encodeNil() throws { slot().value = .null }
    mutating func encode<T: Encodable>(_ value: T) throws { try store(value, in: slot(), path: codingPath) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(slot: slot(), codingPath: codingPath).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        TreeEncoder(slot: slot(), codingPath: codingPath).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { TreeEncoder(slot: slot(), codingPath: codingPath) }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let slot: Slot
    var codingPath: [any CodingKey]

    mutating func encodeNil() throws { slot.value = .null }
    mutating func encode<T: Encodable>(_ value: T) throws { try store(value, in: slot, path: codingPath) }
}
