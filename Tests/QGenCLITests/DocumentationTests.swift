import Foundation
import QGenCompiler
import Testing

/// The README's Swift is real Swift, and the committed fuzz corpus still parses without a crash.
@Suite struct DocumentationTests {
    private static let buildDirectory = URL(fileURLWithPath: CLITests.qgen).deletingLastPathComponent()

    private func run(_ tool: String, _ arguments: [String]) throws -> CLITests.Run { try CLITests.run(tool, arguments) }

    /// Every ```swift block of README.md type-checks against the QGen module a model.swift imports.
    @Test func everySwiftSnippetInTheREADMECompiles() throws {
        let readme = try String(contentsOf: CLITests.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        var snippets: [String] = []
        var current: [Substring]? = nil
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.hasPrefix("```swift") {
                current = []
            } else if current != nil, line.hasPrefix("```") {
                snippets.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        #expect(snippets.count >= 1)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qgen-readme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (i, snippet) in snippets.enumerated() {
            let file = dir.appendingPathComponent("snippet\(i).swift")
            try snippet.write(to: file, atomically: true, encoding: .utf8)
            let r = try run(try ModelLoader.swiftCompiler(), ["-typecheck", "-I", Self.buildDirectory.appendingPathComponent("Modules").path,
                                                              "-module-cache-path", dir.appendingPathComponent("cache").path, file.path])
            #expect(r.status == 0, "README snippet \(i + 1) does not compile:\n\(snippet)\n\(r.stderr)")
        }
    }

    /// The seed corpus of `make fuzz` (and any crash input added to it) runs through the fuzz
    /// targets in the plain build: a regression test for every input fuzzing ever found.
    @Test(arguments: ["npy", "spec", "tflite", "onnx"])
    func fuzzCorpusReplays(target: String) throws {
        let corpus = CLITests.packageRoot.appendingPathComponent("Tests/Fuzz/\(target)")
        let count = try FileManager.default.contentsOfDirectory(atPath: corpus.path).count
        #expect(count >= 5)
        let r = try run(Self.buildDirectory.appendingPathComponent("qgen-fuzz").path, [target, corpus.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "qgen-fuzz \(target): \(count) inputs replayed\n")
    }
}
