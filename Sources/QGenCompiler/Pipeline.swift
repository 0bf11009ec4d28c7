import QGen

/// The whole compiler for a model already in memory: resolve → lower → emit → render.
public enum Pipeline {
    public struct Result: Sendable {
        public var resolved: ResolvedModel
        public var lowering: Lowering.Result
        public var output: Renderer.Output
        /// Warnings and notes from every stage.
        public var diagnostics: [Diagnostic]

        public var lowered: LoweredModel { lowering.model }
        /// Bytes of the emitted constant arrays (weights, biases, multipliers): the model's flash.
        public var constantBytes: Int
        /// The same per node, in `lowered.nodes` order.
        public var layerConstantBytes: [Int]
    }

    public static func compile(_ spec: ModelSpec, options: CompileOptions) throws -> Result {
        let (resolved, resolveNotes) = try Resolver.resolve(spec, options: options)
        let lowering: Lowering.Result
        do {
            lowering = try Lowering.lower(resolved)
        } catch let error as DiagnosticsError {
            throw DiagnosticsError(resolveNotes + error.diagnostics)
        }
        let file = Emitter.emit(lowering.model, options: EmitOptions(fileStem: options.fileStem, floatRequant: options.floatRequant, floatIO: options.floatIO))
        return Result(resolved: resolved, lowering: lowering, output: Renderer.render(file), diagnostics: resolveNotes + lowering.diagnostics,
                      constantBytes: file.constantBytes, layerConstantBytes: file.layerConstantBytes)
    }
}
