import Foundation
import QGen

/// Runs a user's model.swift and returns the model it creates, the way SwiftPM evaluates a
/// Package.swift: compile it against the QGen library that sits next to the running binary, run
/// it with `QGEN_MODEL_JSON` naming a temporary file, decode that file.
public enum ModelLoader {
    public struct LoadError: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// Where the QGen module and library are: the directory of the running executable (qgen, or the
    /// test bundle, both in SwiftPM's build directory), or `QGEN_LIBRARY_DIR`.
    public static func libraryDirectory() -> URL {
        if let dir = ProcessInfo.processInfo.environment["QGEN_LIBRARY_DIR"] { return URL(fileURLWithPath: dir) }
        return URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// `QGEN_SWIFTC`, else `swiftc` on PATH.
    public static func swiftCompiler() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["QGEN_SWIFTC"] { return explicit }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(dir)/swiftc"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw LoadError(description: "swiftc was not found on PATH (qgen compiles model.swift with it); set QGEN_SWIFTC")
    }

    public static func load(path: String) throws -> ModelSpec {
        guard FileManager.default.fileExists(atPath: path) else {
            throw LoadError(description: "\(path): no such file")
        }
        let lib = libraryDirectory()
        guard FileManager.default.fileExists(atPath: lib.appendingPathComponent("Modules/QGen.swiftmodule").path) else {
            throw LoadError(description: "the QGen module was not found in \(lib.path)/Modules; build with 'swift build' (all products) or set QGEN_LIBRARY_DIR")
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("qgen-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let executable = work.appendingPathComponent("model").path
        let json = work.appendingPathComponent("model.json").path

        let compile = try run(try swiftCompiler(), [
            "-I", lib.appendingPathComponent("Modules").path, "-L", lib.path, "-lQGen",
            "-Xlinker", "-rpath", "-Xlinker", lib.path,
            "-module-name", "UserModel", "-module-cache-path", work.appendingPathComponent("cache").path,
            path, "-o", executable,
        ], environment: [:])
        guard compile.status == 0 else {
            throw LoadError(description: "\(path) does not compile:\n" + compile.output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let execution = try run(executable, [], environment: ["QGEN_MODEL_JSON": json, "SWIFT_BACKTRACE": "enable=no"])
        guard execution.status == 0 else {
            throw LoadError(description: "\(path) stopped with status \(execution.status) while building the model:\n"
                            + execution.output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        guard let data = FileManager.default.contents(atPath: json) else {
            throw LoadError(description: "\(path) created no Model; write `Model(\"name\") { Input(…); … }` at the top level")
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let models: [ModelSpec]
        do {
            models = try decoder.decode([ModelSpec].self, from: data)
        } catch {
            throw LoadError(description: "\(path): the model description could not be read back (\(error)); was model.swift compiled against a different QGen?")
        }
        guard models.count == 1 else {
            let lines = models.map { "'\($0.name)' at \($0.location)" }.joined(separator: ", ")
            throw LoadError(description: models.isEmpty ? "\(path) created no Model" : "\(path) creates \(models.count) models (\(lines)); qgen takes one per file")
        }
        return models[0]
    }

    private static func run(_ tool: String, _ arguments: [String], environment: [String: String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()   // read before waiting: no pipe deadlock
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
