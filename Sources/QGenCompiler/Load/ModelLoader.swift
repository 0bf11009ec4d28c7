import Foundation
import QGen

/// Runs a user's model.swift and returns the model it creates, the way SwiftPM evaluates a
/// Package.swift: compile it against the QGen library that sits next to the running binary, run
/// it with `QGEN_MODEL_JSON` naming a temporary file, decode that file.
public enum ModelLoader {
    /// Why a model.swift could not be loaded; `location` is the model.swift line when one is known.
    public struct LoadError: Error, CustomStringConvertible, Equatable {
        public var message: String
        public var location: SourceLocation?

        public init(_ message: String, at location: SourceLocation? = nil) {
            self.message = message
            self.location = location
        }

        /// `file:line: error: message`, or `error: message`.
        public var description: String { (location.map { "\($0): " } ?? "") + "error: " + message }
    }

    /// How long a model.swift may run while it builds its model (not counting its compilation).
    public static let defaultTimeout: Double = 120

    /// Where the QGen module and library are: the directory of the running executable (qgen, or the
    /// test bundle, both in SwiftPM's build directory), or `QGEN_LIBRARY_DIR`.
    public static func libraryDirectory() -> URL {
        if let dir = ProcessInfo.processInfo.environment["QGEN_LIBRARY_DIR"] { return URL(fileURLWithPath: dir) }
        return URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// `QGEN_SWIFTC`, else `swiftc` on PATH.
    public static func swiftCompiler() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["QGEN_SWIFTC"] { return explicit }
        if let found = ChildProcess.onPath("swiftc") { return found }
        throw LoadError("swiftc was not found on PATH (qgen compiles model.swift with it); set QGEN_SWIFTC")
    }

    /// Compiles and runs model.swift and returns the model it creates.
    /// - Parameters:
    ///   - timeout: seconds the compiled model may run before it is stopped (its whole process
    ///     group is killed and its temporary files removed).
    ///   - echo: pass what the model prints (`print`, standard output and error) to qgen's
    ///     standard error.
    public static func load(path: String, timeout: Double = defaultTimeout, echo: Bool = true) throws -> ModelSpec {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw LoadError("\(path): no such file")
        }
        guard !isDirectory.boolValue else { throw LoadError("\(path) is a directory; give the model.swift file") }
        let lib = libraryDirectory()
        guard FileManager.default.fileExists(atPath: lib.appendingPathComponent("Modules/QGen.swiftmodule").path) else {
            throw LoadError("the QGen module was not found in \(lib.path)/Modules; build with 'swift build' (all products) or set QGEN_LIBRARY_DIR")
        }
        removeAbandonedDirectories()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("qgen-model-\(getpid())-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        } catch {
            throw LoadError("cannot create a temporary directory in \(FileManager.default.temporaryDirectory.path) (set TMPDIR): \(error.localizedDescription)")
        }
        Interruption.shared.register(directory: work)
        defer { Interruption.shared.remove(directory: work) }
        let executable = work.appendingPathComponent("model").path
        let json = work.appendingPathComponent("model.json").path
        let environment = ProcessInfo.processInfo.environment

        // Line tables: a crash's backtrace then names the model.swift line. (Full -g also makes the
        // driver emit a module for the debugger: about a third more time on an exported network.)
        let compile = try spawn(try swiftCompiler(), [
            "-gline-tables-only", "-I", lib.appendingPathComponent("Modules").path, "-L", lib.path, "-lQGen",
            "-Xlinker", "-rpath", "-Xlinker", lib.path,
            "-module-name", "UserModel", "-module-cache-path", work.appendingPathComponent("cache").path,
            path, "-o", executable,
        ], environment: environment, timeout: nil, echo: false)
        guard compile.termination == .exited(0) else {
            throw LoadError("\(path) does not compile:\n" + (compile.stdout + compile.stderr).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        var modelEnvironment = environment
        modelEnvironment["QGEN_MODEL_JSON"] = json
        modelEnvironment["SWIFT_BACKTRACE"] = "enable=yes,interactive=no,color=no,output-to=stderr"
        let execution = try spawn(executable, [], environment: modelEnvironment, timeout: timeout, echo: echo)
        switch execution.termination {
        case .exited(0):
            if echo, !execution.stderr.isEmpty { FileHandle.standardError.write(Data(execution.stderr.utf8)) }
        case .timedOut:
            throw LoadError("\(path) did not finish building its model within \(formatSeconds(timeout)) s (an endless loop?); qgen stopped it and removed its temporary files. Allow more time with --model-timeout SECONDS")
        case .exited(let status):
            throw LoadError("\(path) exited with status \(status) while building the model" + failureDetail(execution.stderr, path: path), at: crashLocation(execution.stderr, path: path))
        case .signaled(let signal):
            throw LoadError("\(path) was stopped by \(ChildProcess.describe(signal: signal)) while building the model" + failureDetail(execution.stderr, path: path),
                            at: crashLocation(execution.stderr, path: path))
        }
        guard let data = FileManager.default.contents(atPath: json) else {
            throw LoadError("\(path) created no Model; write `Model(\"name\") { Input(…); … }` at the top level")
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let models: [ModelSpec]
        do {
            models = try decoder.decode([ModelSpec].self, from: data)
        } catch {
            throw LoadError("\(path): the model description could not be read back (\(error)); was model.swift compiled against a different QGen?")
        }
        guard models.count == 1 else {
            let lines = models.map { "'\($0.name)' at \($0.location)" }.joined(separator: ", ")
            throw LoadError(models.isEmpty ? "\(path) created no Model" : "\(path) creates \(models.count) models (\(lines)); qgen takes one per file")
        }
        return models[0]
    }

    /// Removes `qgen-model-<pid>-…` directories of qgen processes that no longer run (a qgen
    /// killed with SIGKILL cannot remove its own).
    static func removeAbandonedDirectories() {
        let temporary = FileManager.default.temporaryDirectory
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? [] where name.hasPrefix("qgen-model-") {
            let fields = name.split(separator: "-")
            guard fields.count > 3, let pid = Int32(fields[2]), pid > 0, kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
        }
    }

    private static func spawn(_ tool: String, _ arguments: [String], environment: [String: String], timeout: Double?, echo: Bool) throws -> ChildProcess.Result {
        do {
            return try ChildProcess.run(tool, arguments, environment: environment, timeout: timeout, echo: echo)
        } catch let error as ChildProcess.SpawnError {
            throw LoadError(error.description)
        }
    }

    static func formatSeconds(_ s: Double) -> String { s == s.rounded() && abs(s) < 1e15 ? String(Int(s)) : String(s) }

    /// The Swift runtime's own message (`Fatal error: Index out of range`), if the model printed one.
    static func failureDetail(_ stderr: String, path: String) -> String {
        guard let line = stderr.split(separator: "\n").first(where: { $0.contains("Fatal error:") }) else { return "" }
        let message = line[line.range(of: "Fatal error:")!.upperBound...].trimmingCharacters(in: .whitespaces)
        return ": \(message.isEmpty ? "fatal error" : message)"
    }

    /// The innermost model.swift line of the crash's backtrace (`… at /path/model.swift:12:5`).
    static func crashLocation(_ stderr: String, path: String) -> SourceLocation? {
        let file = URL(fileURLWithPath: path).standardizedFileURL.path
        let name = URL(fileURLWithPath: path).lastPathComponent
        for line in stderr.split(separator: "\n") {
            guard let at = line.range(of: " at ", options: .backwards) else { continue }
            let parts = line[at.upperBound...].split(separator: ":")
            guard parts.count >= 2, let number = Int(parts[1]), URL(fileURLWithPath: String(parts[0])).standardizedFileURL.path == file else { continue }
            return SourceLocation(file: path.hasPrefix("/") ? path : (path.contains("/") ? path : name), line: number)
        }
        return nil
    }
}
