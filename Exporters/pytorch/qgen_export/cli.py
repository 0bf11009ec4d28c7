"""qgen-export model.pt example.npy -o model.swift

model.pt: a converted quantized module saved with torch.save(module) (or a TorchScript-free pickle of
it); example.npy: a float32 array shaped as the model's input. Writes model.swift and its .npy files.
"""
import argparse
import sys

import numpy as np
import torch

from .export import ExportError, export


def _restore_module_tables(module):
    """torch 2.15 unpickles quantized modules (their __setstate__) without nn.Module's own tables
    (_modules, hooks, ...); give each such module empty ones, keeping everything it restored."""
    children = module.__dict__.get("_modules")
    if children is None:
        saved = dict(module.__dict__)
        torch.nn.Module.__init__(module)
        module.__dict__.update(saved)
        children = module.__dict__["_modules"]
    for child in children.values():
        if child is not None:
            _restore_module_tables(child)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="qgen-export", description="Write a converted PyTorch quantized model as a qgen model.swift.")
    parser.add_argument("model", help="the converted quantized nn.Module, saved with torch.save(module)")
    parser.add_argument("example", help="a .npy float array shaped as the model's input (batch included)")
    parser.add_argument("-o", "--output", required=True, help="the model.swift to write (its .npy weights go beside it)")
    parser.add_argument("--name", help="the model's name in qgen (default: the output file's or folder's name)")
    parser.add_argument("--engine", choices=["fbgemm", "x86", "qnnpack"],
                        help="the quantized engine the model was converted for (default: torch.backends.quantized.engine)")
    parser.add_argument("--float-model", help="the fused float nn.Module the model was prepared from (torch.save): its weights are "
                                              "written as float weights, for qgen compare")
    args = parser.parse_args(argv)
    try:
        module = torch.load(args.model, weights_only=False)
    except Exception as error:  # noqa: BLE001
        print(f"qgen-export: {args.model}: cannot load the module ({type(error).__name__}: {error})", file=sys.stderr)
        return 1
    _restore_module_tables(module)
    float_model = None
    if args.float_model:
        try:
            float_model = torch.load(args.float_model, weights_only=False)
        except Exception as error:  # noqa: BLE001
            print(f"qgen-export: {args.float_model}: cannot load the float module ({type(error).__name__}: {error})", file=sys.stderr)
            return 1
    if args.engine:
        torch.backends.quantized.engine = args.engine
    try:
        example = torch.from_numpy(np.load(args.example)).to(torch.float32)
    except Exception as error:  # noqa: BLE001
        print(f"qgen-export: {args.example}: cannot read the example input ({type(error).__name__}: {error})", file=sys.stderr)
        return 1
    try:
        # No .eval(): a converted module is in eval mode, and torch cannot walk the children of some
        # unpickled quantized modules (their __setstate__ restores no _modules).
        export(module, example, args.output, name=args.name, engine=args.engine, float_model=float_model)
    except ExportError as error:
        print(f"qgen-export: {error}", file=sys.stderr)
        return 1

    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
