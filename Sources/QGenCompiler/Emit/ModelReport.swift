import Foundation
import QGen

/// `qgen emit --report`: what the emitted C costs. Per layer its multiply-accumulates, constant bytes
/// (weights, biases, multipliers, tables) and where its output lives; in total the RAM the caller
/// provides (the arena, against the lower bound no plan can beat without in-place execution, and the
/// input and output buffers) and the flash (constants, and the code when a cross compiler measured it).
public struct ModelReport: Equatable, Sendable {
    public struct Layer: Equatable, Sendable {
        public var name: String
        public var kind: String
        /// `model.swift:12`, or the importer's operator reference.
        public var location: String
        public var outputShape: [Int]
        public var multiplyAccumulates: Int
        public var constantBytes: Int
        /// `arena [offset, offset + size)` (`, in place` when written over its input), `output`, or
        /// `aliases its input` (a reshape).
        public var placement: String
    }

    /// Sizes of the sections of the emitted C compiled for a core (`arm-none-eabi-size -A`).
    public struct CodeSize: Equatable, Sendable {
        public var compiler: String
        /// Machine code (.text).
        public var code: Int
        /// Constants as compiled (.rodata): the weights and tables, plus the compiler's own constants.
        public var constants: Int
        /// Initialized and zeroed data (.data + .bss): qgen's C has none, so this is 0 unless that changes.
        public var data: Int

        public init(compiler: String, code: Int, constants: Int, data: Int) {
            self.compiler = compiler
            self.code = code
            self.constants = constants
            self.data = data
        }
    }

    public var model: String
    public var layers: [Layer]
    public var arenaSize: Int
    public var arenaLowerBound: Int
    public var inputBytes: Int
    public var outputBytes: Int
    public var constantBytes: Int

    public var multiplyAccumulates: Int { layers.map(\.multiplyAccumulates).reduce(0, +) }

    public init(_ result: Pipeline.Result) {
        let m = result.lowered
        model = m.name
        layers = m.nodes.enumerated().map { index, node in
            let output = m.tensors[node.output]
            var placement: String
            switch output.buffer {
            case .arena(let offset, let size): placement = "arena [\(offset), \(offset + size))" + (m.writesOverItsInput(node) ? ", in place" : "")
            case .modelOutput(let i): placement = m.outputs.count == 1 ? "output" : "output \(i)"
            case .modelInput: placement = "aliases input"
            }
            // A reshape shares its input's buffer (an elementwise layer in place at shift 0 has the same
            // placement, but runs a kernel: "in place").
            if case .reshape = node.op, node.inputs.first.map({ m.tensors[$0].buffer == output.buffer }) == true { placement = "aliases its input" }
            if case .concatenation(let c) = node.op, c.inputsAreInTheirSlices(node, in: m) {
                placement = placement.replacingOccurrences(of: ", in place", with: "") + ", its inputs written there"
            }
            return Layer(name: node.name, kind: node.kindName, location: "\(node.location.fileName):\(node.location.line)", outputShape: output.shape,
                         multiplyAccumulates: node.mac?.geometry.multiplyAccumulates ?? 0, constantBytes: result.layerConstantBytes[index],
                         placement: placement)
        }
        arenaSize = m.arenaSize
        arenaLowerBound = m.arenaLowerBound
        inputBytes = m.inputs.map { m.tensors[$0].count * m.tensors[$0].dtype.size }.reduce(0, +)
        outputBytes = m.outputs.map { m.tensors[$0].count * m.tensors[$0].dtype.size }.reduce(0, +)
        constantBytes = result.constantBytes
    }

    /// The report as `qgen emit --report` prints it: a table of layers, then RAM and flash.
    public func text(code: CodeSize?, codeNote: String? = nil) -> String {
        let header = ["layer", "op", "at", "output shape", "MACs", "constants", "output in"]
        let rows = layers.map { l in
            [l.name, l.kind, l.location, "[" + l.outputShape.map(String.init).joined(separator: ", ") + "]",
             l.multiplyAccumulates == 0 ? "-" : String(l.multiplyAccumulates), String(l.constantBytes), l.placement]
        }
        let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max() ?? 0 }
        // Numbers right-aligned (MACs, constants), text left-aligned.
        func line(_ cells: [String]) -> String {
            let text = cells.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return c == 4 || c == 5 ? pad + cell : cell + pad
            }.joined(separator: "  ")
            return String(text.reversed().drop { $0 == " " }.reversed())
        }
        var out = ["report for model '\(model)': \(layers.count) layers", line(header)] + rows.map(line)
        out.append("total: \(multiplyAccumulates) MACs")
        out.append("RAM: arena \(arenaSize) bytes (lower bound without in-place execution \(arenaLowerBound)); the caller's input \(inputBytes) and output \(outputBytes) bytes")
        if let code {
            out.append("flash: constants \(constantBytes) bytes (\(code.constants) as .rodata), code \(code.code) bytes (.text), data \(code.data) bytes; "
                       + "\(code.code + code.constants + code.data) bytes in all (\(code.compiler))")
        } else {
            out.append("flash: constants \(constantBytes) bytes; code not measured" + (codeNote.map { " (\($0))" } ?? ""))
        }
        return out.joined(separator: "\n")
    }

    /// The Cortex-M cores `--core` accepts (arm-none-eabi-gcc's -mcpu names).
    public static let cores = ["cortex-m0", "cortex-m0plus", "cortex-m3", "cortex-m4", "cortex-m7", "cortex-m23", "cortex-m33", "cortex-m55", "cortex-m85"]

    /// Compiles `source` (the emitted C, its header beside it) with `arm-none-eabi-gcc -mcpu=<core>
    /// -mthumb -O2` into a temporary object and reads its sections with `arm-none-eabi-size -A`.
    /// Returns the sizes, or why they could not be measured (no cross compiler on PATH, a failed compile).
    public static func measureCode(source: URL, core: String) -> Result<CodeSize, MeasureError> {
        guard let gcc = ChildProcess.onPath("arm-none-eabi-gcc"), let size = ChildProcess.onPath("arm-none-eabi-size") else {
            return .failure(MeasureError("arm-none-eabi-gcc and arm-none-eabi-size are not on PATH; `make setup` installs them"))
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("qgen-report-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let object = directory.appendingPathComponent("model.o").path
            let flags = ["-mcpu=\(core)", "-mthumb", "-std=c99", "-ffreestanding", "-O2", "-c", source.path, "-o", object]
            let compiled = try ChildProcess.run(gcc, flags, environment: ProcessInfo.processInfo.environment, timeout: 600)
            guard compiled.termination == .exited(0) else {
                return .failure(MeasureError("arm-none-eabi-gcc -mcpu=\(core) failed: \(compiled.stderr.split(separator: "\n").first ?? "")"))
            }
            let listed = try ChildProcess.run(size, ["-A", object], environment: ProcessInfo.processInfo.environment, timeout: 60)
            guard listed.termination == .exited(0) else { return .failure(MeasureError("arm-none-eabi-size failed: \(listed.stderr)")) }
            var code = 0, constants = 0, data = 0
            for row in listed.stdout.split(separator: "\n") {
                let fields = row.split(whereSeparator: \.isWhitespace)
                guard fields.count >= 2, let bytes = Int(fields[1]) else { continue }
                let section = fields[0]
                if section.hasPrefix(".text") { code += bytes }
                else if section.hasPrefix(".rodata") { constants += bytes }
                else if section.hasPrefix(".data") || section.hasPrefix(".bss") { data += bytes }
            }
            return .success(CodeSize(compiler: "arm-none-eabi-gcc -mcpu=\(core) -mthumb -O2", code: code, constants: constants, data: data))
        } catch {
            return .failure(MeasureError("\(error)"))
        }
    }

    public struct MeasureError: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }
}
