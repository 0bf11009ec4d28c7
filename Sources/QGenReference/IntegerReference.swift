import QGen
import QGenArithmetic
import QGenCompiler

/// The executable specification of a lowered model: what the emitted C must compute, element for
/// element. It walks the graph in node order; each op's arithmetic is its own integer reference
/// (`LoweredOp.kernel.run`, Ops/<Op>/ in QGenCompiler), written from the op's mathematical
/// definition, not from the C.
public enum IntegerReference {
    /// Runs the whole model. `input` holds `model.input.count` values of the input type; the
    /// result is the first model output.
    public static func run(_ model: LoweredModel, input: [Int32]) -> [Int32] {
        run(model, inputs: [input])[model.outputs[0]]!
    }

    /// Runs the model on one array per model input and returns every tensor it computed, by id.
    public static func run(_ model: LoweredModel, inputs: [[Int32]]) -> [TensorID: [Int32]] {
        precondition(inputs.count == model.inputs.count, "\(inputs.count) inputs given, the model takes \(model.inputs.count)")
        var values: [TensorID: [Int32]] = [:]
        for (id, input) in zip(model.inputs, inputs) {
            precondition(input.count == model.tensors[id].count, "input has \(input.count) values, the model takes \(model.tensors[id].count)")
            values[id] = input
        }
        for node in model.nodes {
            values[node.output] = run(node, in: model, inputs: node.inputs.map { values[$0]! })
        }
        return values
    }

    /// Runs one node on its input tensors.
    public static func run(_ node: LoweredNode, in model: LoweredModel, inputs: [[Int32]]) -> [Int32] {
        node.op.kernel.run(inputs, node: node, in: model)
    }
}
