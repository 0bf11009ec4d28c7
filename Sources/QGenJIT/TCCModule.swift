import CTCC
import Foundation

/// A C translation unit compiled in memory by libtcc.
///
/// - Compiles freestanding (`-nostdlib`): any call into libc, including a hidden `memset` that a
///   `= {0}` would make tcc emit, fails at relocation with "undefined symbol".
/// - All libtcc calls take one process-wide lock (libtcc serializes compiles internally anyway, and
///   its own lock is initialized without a guard).
/// - The module owns the code: function pointers are valid while the module is alive, so use
///   them inside `withExtendedLifetime(module)`.
public final class TCCModule: @unchecked Sendable {
    private let state: OpaquePointer
    private let sink = MessageSink()

    public struct CompileError: Error, CustomStringConvertible, Equatable {
        /// "compile" or "relocate".
        public var stage: String
        /// tcc's messages, e.g. `model.c:12: error: 'x' undeclared`.
        public var messages: [String]
        public var description: String { "C \(stage) failed:\n" + messages.joined(separator: "\n") }

        public init(stage: String, messages: [String]) {
            self.stage = stage
            self.messages = messages
        }
    }

    /// Compiles `source`. `headers` are written to a private temporary directory that is on the
    /// include path, so the source can `#include "model.h"`. `fileName` names the source in errors.
    public init(source: String, fileName: String = "model.c", headers: [String: String] = [:], options: String = "-Wall -Werror") throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("qgen-tcc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, text) in headers {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        TCCModule.lock.lock()
        defer { TCCModule.lock.unlock() }
        guard let s = tcc_new() else { throw CompileError(stage: "tcc_new", messages: ["libtcc could not create a state"]) }
        state = s
        tcc_set_error_func(s, Unmanaged.passUnretained(sink).toOpaque()) { opaque, message in
            guard let opaque, let message else { return }
            Unmanaged<MessageSink>.fromOpaque(opaque).takeUnretainedValue().messages.append(String(cString: message))
        }
        tcc_set_options(s, "-nostdlib " + options)
        tcc_set_output_type(s, TCC_OUTPUT_MEMORY)
        tcc_add_include_path(s, directory.path)
        // `#line` makes tcc report errors against the file name instead of "<string>".
        if tcc_compile_string(s, "#line 1 \"\(fileName)\"\n" + source) == -1 {
            throw CompileError(stage: "compile", messages: sink.messages)      // deinit deletes the state
        }
        if tcc_relocate(s, UnsafeMutableRawPointer(bitPattern: 1)) == -1 {   // TCC_RELOCATE_AUTO
            throw CompileError(stage: "relocate", messages: sink.messages)
        }
    }

    deinit { tcc_delete(state) }

    /// The address of a global symbol, cast to a C function type.
    public func function<F>(_ name: String, as type: F.Type) -> F? {
        TCCModule.lock.lock()
        defer { TCCModule.lock.unlock() }
        guard let pointer = tcc_get_symbol(state, name) else { return nil }
        return unsafeBitCast(pointer, to: type)
    }

    private static let lock = NSLock()
}

private final class MessageSink: @unchecked Sendable {
    var messages: [String] = []
}
