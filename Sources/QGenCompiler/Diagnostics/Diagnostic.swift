import QGen

/// A message for the user, tied to a model.swift line when there is one. Every stage reports
/// problems as diagnostics; a stage with an error throws `DiagnosticsError` and writes nothing.
public struct Diagnostic: Equatable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable { case note, warning, error }

    public var severity: Severity
    public var message: String
    public var location: SourceLocation?

    public init(_ severity: Severity, _ message: String, at location: SourceLocation? = nil) {
        self.severity = severity
        self.message = message
        self.location = location
    }

    /// `file:line: severity: message`, the format compilers use, so editors can jump to it.
    public var description: String {
        if let location { return "\(location): \(severity.rawValue): \(message)" }
        return "\(severity.rawValue): \(message)"
    }
}

/// The errors (and any warnings gathered with them) that stopped a stage.
public struct DiagnosticsError: Error, Equatable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }

    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// Collects diagnostics during a stage.
struct DiagnosticLog {
    private(set) var items: [Diagnostic] = []

    var hasErrors: Bool { items.contains { $0.severity == .error } }
    var errorCount: Int { items.filter { $0.severity == .error }.count }

    mutating func error(_ message: String, at location: SourceLocation?) { items.append(Diagnostic(.error, message, at: location)) }
    mutating func warning(_ message: String, at location: SourceLocation?) { items.append(Diagnostic(.warning, message, at: location)) }
    mutating func note(_ message: String, at location: SourceLocation?) { items.append(Diagnostic(.note, message, at: location)) }

    /// Throws when an error was logged; otherwise returns the warnings and notes.
    func check() throws -> [Diagnostic] {
        if hasErrors { throw DiagnosticsError(items) }
        return items
    }
}
