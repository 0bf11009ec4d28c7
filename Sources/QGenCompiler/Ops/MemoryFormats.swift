import QGen

/// The checks on an op's `memoryFormats` (PyTorch's memory format of each input, MemoryFormat.swift)
/// that hold under every scheme: one per input, and channels-last only on 4-D NCHW tensors, the
/// only tensors PyTorch models give qgen.
enum MemoryFormats {
    /// `allowsStrided`: the op models ATen on strided views (Mean only).
    static func check(_ formats: [MemoryFormat], _ context: ResolveContext, allowsStrided: Bool = false, log: inout DiagnosticLog) -> Bool {
        guard !formats.isEmpty else { return true }
        guard formats.count == context.inputs.count else {
            log.error("\(context.what): \(formats.count) memory formats for \(context.inputs.count) inputs; give one per input, or none (all contiguous)", at: context.location)
            return false
        }
        if !allowsStrided && formats.contains(.strided) {
            log.error("\(context.what): memory format .strided is modelled for Mean only; make the input contiguous (.contiguous() in the model) and name it .contiguous", at: context.location)
            return false
        }
        for (tensor, format) in zip(context.inputs, formats) where format == .channelsLast {
            guard tensor.shape.count == 4 && (tensor.layout ?? .nchw) == .nchw else {
                log.error("\(context.what): \(tensor.producerText) (shape \(tensor.shape), \(tensor.layout?.rawValue ?? "no layout")) is named channels-last, but PyTorch's channels-last tensors are 4-D and qgen holds them as NCHW; name it .contiguous", at: context.location)
                return false
            }
        }
        return true
    }
}
