"""qgen-export: a converted PyTorch quantized model (eager mode or FX graph mode) as a qgen model.swift.

    import qgen_export
    qgen_export.export(quantized_module, example_input, "out/model.swift")

writes out/model.swift and one .npy file per weight and bias beside it. `qgen emit out/model.swift`
then gives C whose integers equal PyTorch's on every element, under the engine the module was
converted for (fbgemm/x86 -> qgen's fbgemm scheme, qnnpack -> qnnpack).
"""
from .export import ExportError, export

__all__ = ["export", "ExportError"]
