/// Where a model element was written in the user's model.swift, captured by every initializer
/// through `#filePath`/`#line`, so each diagnostic points at the line to fix.
public struct SourceLocation: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    /// The file's last path component, as printed in emitted C (no absolute paths there).
    public var fileName: String {
        if let slash = file.lastIndex(of: "/") { return String(file[file.index(after: slash)...]) }
        return file
    }

    public var description: String { "\(file):\(line)" }
}
