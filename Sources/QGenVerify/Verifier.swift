import Dispatch
import Foundation
import QGen
import QGenArithmetic
import QGenCompiler
import QGenJIT
import QGenReference

/// Compiles an emitted model with libtcc, runs it on seeded random inputs and compares every
/// output element with the Swift integer reference.
public enum Verifier {
    public struct Report: Sendable {
        public var inputs: Int
        public var elements: Int
        public var mismatches: Int
        /// The first differing input (index), element and values, for the message.
        public var firstMismatch: (input: Int, element: Int, c: Int32, reference: Int32)?
        /// SQNR of the integer output against the float reference, in dB, over all inputs.
        public var sqnr: Double
        public var seed: UInt64
    }

    /// Multiply-accumulates per inference, over every layer.
    public static func multiplyAccumulates(_ model: LoweredModel) -> Int {
        model.nodes.compactMap { $0.mac?.geometry.multiplyAccumulates }.reduce(0, +)
    }

    /// How many random inputs `qgen verify` checks when not told: 100, or as many as fit a budget of
    /// `inputBudgetMACs` multiply-accumulates but at least 2 (MobileNetV2's 300M MACs: 2 inputs, a
    /// few seconds; the C under libtcc and both Swift references run about 1 GMAC/s per core).
    public static func defaultInputCount(for model: LoweredModel) -> Int {
        min(100, max(2, inputBudgetMACs / max(1, multiplyAccumulates(model))))
    }

    public static let inputBudgetMACs = 800_000_000

    /// The emitted C compiled in process by libtcc; `defines` as `-D` options (`QGEN_MAC_8BIT=1`).
    public static func compile(_ output: Renderer.Output, model: LoweredModel, defines: [String] = []) throws -> CompiledModel {
        try CompiledModel(
            source: output.source, sourceName: output.sourceName, header: output.header, headerName: output.headerName,
            runSymbol: EmittedNames.Model(prefix: model.cPrefix).run,
            inputs: model.inputs.map { boundary(model.tensors[$0]) }, outputs: model.outputs.map { boundary(model.tensors[$0]) },
            arenaSize: model.arenaSize, defines: defines)
    }

    private static func boundary(_ t: LoweredTensor) -> CompiledModel.Boundary {
        CompiledModel.Boundary(count: t.count, isSigned: t.dtype != .uint8, bytes: t.dtype.size)
    }

    /// A random input over the whole range of the input type (the first model input).
    public static func randomInput(for model: LoweredModel, using rng: inout SeededGenerator) -> [Int32] {
        randomInputs(for: model, using: &rng)[0]
    }

    /// One random array per model input, in order, each over the whole range of its type.
    public static func randomInputs(for model: LoweredModel, using rng: inout SeededGenerator) -> [[Int32]] {
        model.inputs.map { id in
            let range = model.tensors[id].dtype.range
            return (0..<model.tensors[id].count).map { _ in Int32(Int.random(in: range, using: &rng)) }
        }
    }

    /// What one input gave: the C's output, the reference's, and the float reference's error terms.
    private struct Outcome: Sendable {
        var expected: [Int32] = []
        var got: [Int32] = []
        var signal = 0.0
        var noise = 0.0
    }

    /// Runs `inputs` seeded random inputs. The inputs are drawn in order from one generator (the
    /// same inputs for a seed on every machine); each batch is then checked on all cores, and
    /// `progress` is told how many inputs are done after each batch.
    public static func verify(_ result: Pipeline.Result, inputs: Int, seed: UInt64, defines: [String] = [],
                              progress: ((Int) -> Void)? = nil) throws -> Report {
        let model = result.lowered
        let real = result.lowering.real
        // libtcc compiles the C on a thread of its own while the first batch runs the Swift references,
        // which do not need it; each worker waits for it before running the C.
        let pending = PendingCompile()
        let compiling = DispatchGroup()
        DispatchQueue.global().async(group: compiling) {
            pending.set(Result { try compile(result.output, model: model, defines: defines) })
        }
        var rng = SeededGenerator(seed: seed)
        var report = Report(inputs: inputs, elements: 0, mismatches: 0, firstMismatch: nil, sqnr: .infinity, seed: seed)
        var signal = 0.0, noise = 0.0
        let batchSize = max(1, ProcessInfo.processInfo.activeProcessorCount) * 4
        var done = 0
        while done < inputs {
            let count = min(batchSize, inputs - done)
            let batch = (0..<count).map { _ in randomInputs(for: model, using: &rng) }
            let outcomes = Outcomes(count: count)
            DispatchQueue.concurrentPerform(iterations: count) { i in
                var o = Outcome()
                let values = IntegerReference.run(model, inputs: batch[i])
                // Every output, in order, as one array.
                o.expected = model.outputs.flatMap { values[$0]! }
                let reals = FloatReference.run(model, real: real, inputs: batch[i])
                compiling.wait()
                if case .success(let compiled) = pending.result { o.got = compiled.run(inputs: batch[i])?.flatMap { $0 } ?? [] }
                for (id, r) in zip(model.outputs, reals) {
                    for (rv, q) in zip(r, values[id]!) {
                        let d = real.scales[id] * Double(q - model.tensors[id].zeroPoint)
                        o.signal += rv * rv
                        o.noise += (rv - d) * (rv - d)
                    }
                }
                outcomes.set(i, o)
            }
            if case .failure(let error) = pending.result { throw error }
            for (i, o) in outcomes.all.enumerated() {
                report.elements += o.expected.count
                signal += o.signal
                noise += o.noise
                for (j, e) in o.expected.enumerated() where j >= o.got.count || o.got[j] != e {
                    report.mismatches += 1
                    if report.firstMismatch == nil { report.firstMismatch = (done + i, j, j < o.got.count ? o.got[j] : Int32.min, e) }
                }
            }
            done += count
            progress?(done)
        }
        compiling.wait()
        if case .failure(let error) = pending.result { throw error }
        report.sqnr = noise == 0 ? .infinity : 10 * log10(signal / noise)
        return report
    }

    /// The compiled C (or libtcc's error), set once by the compiling thread.
    private final class PendingCompile: @unchecked Sendable {
        private var value: Result<CompiledModel, any Error>?
        private let lock = NSLock()
        func set(_ r: Result<CompiledModel, any Error>) { lock.withLock { value = r } }
        var result: Result<CompiledModel, any Error>? { lock.withLock { value } }
    }

    /// Results written by concurrent workers, one slot each.
    private final class Outcomes: @unchecked Sendable {
        private var slots: [Outcome]
        private let lock = NSLock()
        init(count: Int) { slots = Array(repeating: Outcome(), count: count) }
        func set(_ i: Int, _ o: Outcome) { lock.withLock { slots[i] = o } }
        var all: [Outcome] { lock.withLock { slots } }
    }
}
