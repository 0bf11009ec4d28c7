import QGen
import QGenArithmetic

/// A tensor's index in its model's `tensors`.
public typealias TensorID = Int

/// The model after name, shape and data resolution: a graph of nodes in topological order over
/// tensors with ids. Every tensor's shape is known, every C identifier is unique, constant data is
/// loaded, and the arena is planned. Scales are still real.
public struct ResolvedModel: Equatable, Codable, Sendable {
    public var name: String
    /// The prefix of every public C symbol (`<prefix>_run`, `<PREFIX>_INPUT_SIZE`).
    public var cPrefix: String
    public var scheme: RequantizationScheme
    /// model.swift's file name (no directory), for provenance comments.
    public var sourceFile: String
    /// Every tensor: the model inputs, then each node's output, in node order.
    public var tensors: [ResolvedTensor]
    /// In an order where every node comes after the producers of its inputs.
    public var nodes: [ResolvedNode]
    public var inputs: [TensorID]
    /// The tensors no node reads, in node order.
    public var outputs: [TensorID]
    public var arenaSize: Int
    /// The most bytes of arena tensors live at one node: `arenaSize` cannot be smaller.
    public var arenaLowerBound: Int
}

/// An activation tensor: a model input or one node's output.
public struct ResolvedTensor: Equatable, Codable, Sendable {
    public var name: String
    public var shape: [Int]
    /// The axis order of a 4-D tensor; nil for other ranks.
    public var layout: Layout?
    public var quant: QuantParams
    /// Where the node (or Input) that makes it was written.
    public var location: SourceLocation
    /// The index of the node that writes it; nil for a model input.
    public var producer: Int?
    /// Where the C keeps it.
    public var buffer: BufferRef

    public var count: Int { shape.reduce(1, *) }

    /// How messages name where the tensor comes from: `input 'x'` or `'conv1'`.
    public var producerText: String { producer == nil ? "input '\(name)'" : "'\(name)'" }
}

/// Where a tensor lives.
public enum BufferRef: Equatable, Codable, Sendable {
    /// The caller's input buffer of model input `index` (the order of `inputs`).
    case modelInput(Int)
    /// The caller's output buffer of model output `index` (the order of `outputs`).
    case modelOutput(Int)
    /// Bytes of the caller's arena.
    case arena(offset: Int, size: Int)
}

/// One op applied to tensors.
public struct ResolvedNode: Equatable, Codable, Sendable {
    public var name: String
    /// The node's C identifier (its kernel function's name).
    public var cName: String
    /// The op's DSL name, for messages and comments (`Linear`, `Conv2d`).
    public var kindName: String
    public var location: SourceLocation
    public var inputs: [TensorID]
    public var output: TensorID
    public var op: ResolvedOp

    /// `layer 'fc' (Linear)`: how messages name the node.
    public var what: String { "layer '\(name)' (\(kindName))" }
}
