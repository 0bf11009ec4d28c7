#!/usr/bin/env python3
"""Runs seeded quantized Linear/Conv2d cases through the real engines and writes their integer
outputs as fixtures under Tests/Fixtures/engines/ (one JSON file per engine and scheme).

    bash Tools/engines/setup_venv.sh          # once: a venv with torch, onnxruntime, tensorflow, tflite-micro
    .venv-engines/bin/python Tools/engines/make_fixtures.py [pytorch] [pytorch_ops] [pytorch_networks] [pytorch_networks_20] [onnxruntime] [onnx_files] [onnx_networks] [onnx_224] [tflm] [tflm_graphs] [tflm_softmax16] [tflm_ops] [tflm_networks] [tflite_files] [tflite_networks] [boundary] [observers] [calibration] [numeric_suite] [batchnorm] [tflite_calibration]

CI never runs this; it runs the committed fixtures through qgen's emitted C.
"""
import os
import pathlib
import sys

# PyTorch's elementwise kernels as qgen's `fbgemm` scheme names them (ATen's AVX2 build); one
# intra-op thread (ATen splits elementwise loops per thread, each with its own scalar tail).
os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
# qgen-export, as the networks are exported with it (installed or not).
sys.path.insert(1, str(pathlib.Path(__file__).resolve().parents[2] / "Exporters" / "pytorch"))
import fixtures as fx  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent.parent / "Tests/Fixtures/engines"


def _write_cases(path, provenance, cases):
    """A fixture file of cases: the provenance line, then one case per line."""
    import json
    with open(path, "w") as f:
        f.write('{"provenance":' + json.dumps(provenance) + ',"cases":[\n')
        f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in cases))
        f.write("\n]}\n")
    print(f"wrote {path}: {len(cases)} cases")


def pytorch():
    # FBGEMM's AVX2 kernels even on an AVX512-VNNI host, so that the saturating fixtures saturate
    # (FBGEMM reads this once, when torch is first imported).
    os.environ.setdefault("FBGEMM_ENABLE_INSTRUCTIONS", "AVX2")
    import pytorch_cases as pt
    rng, np_rng = fx.seeded(20261122), np.random.default_rng(20261122)
    # fbgemm: activations below 128 (PyTorch's reduce_range), so no u8*s8 pair can saturate.
    cases = [pt.linear_case("fbgemm", i, rng, np_rng, x_max=127) for i in range(120)]
    cases += [pt.conv_case("fbgemm", i, rng, np_rng, x_max=127) for i in range(180)]
    cases += [pt.conv1x1_story(), pt.linear2x2_story()]
    fx.write(OUT / "pytorch_fbgemm.json", pt.provenance("fbgemm"), "fbgemm", cases)
    # fbgemm with full-range activations: the non-VNNI kernel saturates pairs.
    cases = [pt.sweep_story()] + [pt.linear_case("fbgemm", i, rng, np_rng, x_max=255, saturating=True) for i in range(100)]
    # Convolutions (general im2col and the depthwise fast path) from their own seed, so that adding
    # them left every other case as it was.
    conv_rng, conv_np_rng = fx.seeded(20261201), np.random.default_rng(20261201)
    cases += [pt.conv_case("fbgemm", i, conv_rng, conv_np_rng, x_max=255, saturating=True) for i in range(150)]
    cases += [pt.conv_case("fbgemm", i, conv_rng, conv_np_rng, x_max=255, saturating=True, depthwise=True) for i in range(100)]
    fx.write(OUT / "pytorch_fbgemm_saturating.json", pt.provenance("fbgemm"), "fbgemm(saturatingPairs)", cases)
    cases = [pt.linear_case("qnnpack", i, rng, np_rng, x_max=255) for i in range(100)]
    cases += [pt.conv_case("qnnpack", i, rng, np_rng, x_max=255) for i in range(150)]
    fx.write(OUT / "pytorch_qnnpack.json", pt.provenance("qnnpack"), "qnnpack", cases)


def pytorch_ops():
    import pytorch_ops as po
    rng, np_rng = fx.seeded(20261205), np.random.default_rng(20261205)
    cases = []
    for engine in ("fbgemm", "qnnpack"):
        cases += [po.add_case(engine, i, rng, np_rng) for i in range(150)] + [po.mean_case(engine, i, rng, np_rng) for i in range(80)]
    # mul and cat from their own seed, so that adding them left every other case as it was.
    rng, np_rng = fx.seeded(20261202), np.random.default_rng(20261202)
    for engine in ("fbgemm", "qnnpack"):
        cases += [po.mul_case(engine, i, rng, np_rng) for i in range(80)] + [po.mul_case(engine, i, rng, np_rng, exhaustive=True) for i in range(6)]
        cases += [po.cat_case(engine, i, rng, np_rng) for i in range(100)]
    cases += [po.add_format_case("fbgemm", i, rng, np_rng) for i in range(60)]
    for engine in ("fbgemm", "qnnpack"):
        for op in ("relu", "relu6", "hardswish", "hardsigmoid", "leaky_relu"):
            cases += [po.activation_case(engine, i, rng, np_rng, op) for i in range(40)]
        cases += [po.mul_broadcast_case(engine, i, rng, np_rng) for i in range(30)]
    # avg_pool2d from its own seed as well.
    rng, np_rng = fx.seeded(20261201), np.random.default_rng(20261201)
    for engine in ("fbgemm", "qnnpack"):
        cases += [po.avg_pool_case(engine, i, rng, np_rng) for i in range(120)]
    rng, np_rng = fx.seeded(20261206), np.random.default_rng(20261206)
    for engine in ("fbgemm", "qnnpack"):
        cases += [po.activation_case(engine, i, rng, np_rng, "sigmoid") for i in range(40)]
    rng, np_rng = fx.seeded(20261208), np.random.default_rng(20261208)
    for engine in ("fbgemm", "qnnpack"):
        cases += [po.torch_mean_case(engine, i, rng, np_rng) for i in range(100)]
    rng, np_rng = fx.seeded(20261209), np.random.default_rng(20261209)
    for engine in ("fbgemm", "qnnpack"):
        cases += [po.activation_case(engine, i, rng, np_rng, "tanh") for i in range(60)]
    cases += po.tanh_sleef_cases()
    rng, np_rng = fx.seeded(20261210), np.random.default_rng(20261210)
    cases += [po.softmax_case(i, rng, np_rng) for i in range(60)]
    rng, np_rng = fx.seeded(20261211), np.random.default_rng(20261211)
    cases += [po.aten_softmax_case(engine, i, rng, np_rng) for engine in ("fbgemm", "qnnpack") for i in range(50)]
    cases += po.aten_softmax_points_cases()
    _write_cases(OUT / "pytorch_ops.json", po.provenance(), cases)


def pytorch_networks():
    """Tests/Fixtures/pytorch: whole networks exported by qgen-export (model.swift + .npy), with the
    engine's codes for inputs drawn like the calibration data (20 for the small CNNs, 6 for the
    224x224 networks, to keep the repository small; pytorch_networks_20 keeps all 20 elsewhere)."""
    import pytorch_networks as pn
    directory = OUT.parent / "pytorch"
    entries = []
    for name in pn.COMMITTED:
        for engine in ("fbgemm", "qnnpack"):
            entry = pn.case(name, engine, directory / f"{name}_{engine}", inputs=20)
            if name not in ("small_cnn", "branchy_cnn", "conv1d_net", "fx_classifier"):
                entry["inputs"], entry["outputs"] = entry["inputs"][:6], entry["outputs"][:6]
            entries.append(entry)
            print(f"{name} {engine}: exported")
    _write_cases(directory / "networks.json", pn.provenance(), entries)


def pytorch_networks_20():
    """The same networks with all 20 inputs kept, into $QGEN_PYTORCH_NETWORKS (default
    /tmp/qgen-pytorch-networks; not committed). Measure them with
    QGEN_PYTORCH_NETWORKS=<that directory> swift test --filter exportedNetworksMatchPyTorch.
    QGEN_NETWORKS=name,name limits it to those networks."""
    import pytorch_networks as pn
    directory = pathlib.Path(os.environ.get("QGEN_PYTORCH_NETWORKS", "/tmp/qgen-pytorch-networks"))
    entries = []
    for name in os.environ["QGEN_NETWORKS"].split(",") if os.environ.get("QGEN_NETWORKS") else pn.NETWORKS:
        for engine in ("fbgemm", "qnnpack"):
            entries.append(pn.case(name, engine, directory / f"{name}_{engine}", inputs=20))
    _write_cases(directory / "networks.json", pn.provenance(), entries)


def onnxruntime():
    import onnxruntime_cases as ort
    rng, np_rng = fx.seeded(20261123), np.random.default_rng(20261123)
    cases = [ort.matmul_case(i, rng, np_rng) for i in range(100)] + [ort.conv_case(i, rng, np_rng) for i in range(150)]
    fx.write(OUT / "onnxruntime.json", ort.provenance(), "onnxRuntime", cases)


def onnx_files():
    """Tests/Fixtures/onnx/ops: one small .onnx per case (QOperator and QDQ) and cases.json."""
    import onnx_files as of
    directory = OUT.parent / "onnx" / "ops"
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.onnx"):
        old.unlink()
    rng, np_rng = fx.seeded(20261201), np.random.default_rng(20261201)
    _write_cases(directory / "cases.json", of.provenance(), of.cases(rng, np_rng, directory))


def onnx_networks():
    """Tests/Fixtures/onnx/networks: the small CNN through torch.onnx.export and quantize_static, QDQ
    (uint8 activations: with int8 ones ONNX Runtime runs its residual branch in float on x86-64)
    and QOperator (int8), with ONNX Runtime's codes for 20 inputs."""
    import onnx_networks as on
    directory = OUT.parent / "onnx" / "networks"
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.onnx"):
        old.unlink()
    entries = [on.case("small_cnn", "QDQ", directory, activations="QUInt8"), on.case("small_cnn", "QOperator", directory)]
    _write_cases(directory / "networks.json", on.provenance(), entries)


def onnx_224():
    """torchvision's ResNet-18, MobileNetV2 and ShuffleNetV2 (its mean as a global average pool) the same way, 20 inputs, into $QGEN_ONNX_NETWORKS
    (default /tmp/qgen-onnx-networks; up to 12 MB a file, so not committed): QOperator, QDQ with
    uint8 activations, and ResNet-18 in QDQ with quantize_static's default int8 activations too.
    Measure them with QGEN_ONNX_NETWORKS=<that directory> swift test --filter networksMatchONNXRuntime."""
    import onnx_networks as on
    directory = pathlib.Path(os.environ.get("QGEN_ONNX_NETWORKS", "/tmp/qgen-onnx-networks"))
    directory.mkdir(parents=True, exist_ok=True)
    entries = [on.case("resnet18", "QDQ", directory)]
    for name in ("resnet18", "mobilenet_v2", "shufflenet_v2"):
        entries += [on.case(name, "QOperator", directory), on.case(name, "QDQ", directory, activations="QUInt8")]
    _write_cases(directory / "networks.json", on.provenance(), entries)


def tflm():
    import tflm_cases as tm
    rng, np_rng = fx.seeded(20261124), np.random.default_rng(20261124)
    cases = [tm.dense_case(i, rng, np_rng) for i in range(80)] + [tm.conv_case(i, rng, np_rng) for i in range(170)]
    fx.write(OUT / "tflite_micro.json", tm.provenance(), "tflite", cases)


def tflm_graphs():
    import tflm_graph_cases as tg
    rng, np_rng = fx.seeded(20261201), np.random.default_rng(20261201)
    cases = [tg.residual_add_case(i, rng, np_rng) for i in range(120)] + [tg.nhwc_conv_case(i, rng, np_rng) for i in range(200)]
    cases += [tg.pool_case(i, rng, np_rng) for i in range(200)] + [tg.mean_case(i, rng, np_rng) for i in range(100)]
    cases += [tg.softmax_case(i, rng, np_rng) for i in range(100)] + [tg.lookup_case(i, rng, np_rng) for i in range(200)]
    cases += [tg.binary_case(i, rng, np_rng) for i in range(100)] + [tg.pad_case(i, rng, np_rng) for i in range(60)]
    cases += [tg.fc_case(i, rng, np_rng) for i in range(160)] + [tg.hard_swish_case(i, rng, np_rng) for i in range(60)]
    _write_cases(OUT / "tflite_micro_graphs.json", tg.provenance(), cases)


def tflm_softmax16():
    import tflm_graph_cases as tg
    rng, np_rng = fx.seeded(20261202), np.random.default_rng(20261202)
    cases = [tg.softmax16_case(i, rng, np_rng) for i in range(40)]
    _write_cases(OUT / "tflite_micro_softmax16.json", tg.provenance().replace(" (graphs:", " (graphs: FULLY_CONNECTED + SOFTMAX rewritten to int16 output; "), cases)


def tflm_ops():
    import tflm_graph_cases as tg
    rng, np_rng = fx.seeded(20261203), np.random.default_rng(20261203)
    cases = [tg.concat_case(i, rng, np_rng) for i in range(80)] + [tg.quantize_case(i, rng, np_rng) for i in range(60)]
    _write_cases(OUT / "tflite_micro_ops.json", tg.provenance().replace(" (graphs:", " (graphs: CONCATENATION of FULLY_CONNECTED or CONV_2D branches; one-op QUANTIZE int8 -> int8 flatbuffers; "), cases)


def tflm_networks():
    import tflm_networks as tn
    cases = [tn.case(name, seed) for name in tn.NETWORKS for seed in (1, 2)]
    _write_cases(OUT / "tflite_micro_networks.json", tg_provenance(), cases)
    examples = pathlib.Path(__file__).resolve().parents[2] / "Examples"
    for name in tn.NETWORKS:
        tn.write_example(name, examples, "Versions: TensorFlow " + tn.tf.__version__ + ".")


def tflite_files():
    """Tests/Fixtures/tflite: .tflite files as the converter wrote them (the four networks and a few
    cases of every op), with their inputs and both engines' outputs, for qgen's .tflite importer."""
    import tflm_cases as tm
    import tflm_graph_cases as tg
    import tflm_networks as tn
    directory = OUT.parent / "tflite"
    directory.mkdir(parents=True, exist_ok=True)
    rng, np_rng = fx.seeded(20261204), np.random.default_rng(20261204)
    builders = [tg.residual_add_case, tg.nhwc_conv_case, tg.pool_case, tg.mean_case, tg.softmax_case, tg.lookup_case, tg.binary_case,
                tg.pad_case, tg.fc_case, tg.hard_swish_case, tg.concat_case, tg.quantize_case]
    entries = []
    for builder in builders:
        for i in range(3):
            tm.RECORDED = []
            case = builder(i, rng, np_rng)
            name = case["id"].replace("tflm-", "") + ".tflite"
            (directory / name).write_bytes(tm.RECORDED[-1])
            entries.append({"file": name, "ops": case["ops"], "inputs": case["inputs"], "outputs": case["outputs"],
                            "liteRTOutputs": case.get("liteRTOutputs")})
    tm.RECORDED = None
    for name in tn.NETWORKS:
        flatbuffer, source, nodes, net_rng = tn.build(name, 1)
        (directory / f"{name}.tflite").write_bytes(flatbuffer)
        xs = [net_rng.integers(-128, 128, size=(1, *source["shape"][1:])).astype(np.int8) for _ in range(3)]
        xs += [np.full((1, *source["shape"][1:]), v, dtype=np.int8) for v in (-128, 127)]
        entries.append({"file": f"{name}.tflite", "ops": [f"network {name}"], "inputs": [fx.bytes_b64(np.ravel(v), "int8") for v in xs],
                        **tm.engine_outputs(flatbuffer, xs)})
    _write_cases(directory / "cases.json", tg.provenance(), entries)


def tflite_networks():
    """Tests/Fixtures/tflite/net_*.tflite: issue 9's whole networks, with both engines' outputs and
    TFLite Micro's arena."""
    import tflite_networks as tw
    directory = OUT.parent / "tflite"
    directory.mkdir(parents=True, exist_ok=True)
    entries = []
    for name in tw.NETWORKS:
        flatbuffer, entry = tw.case(name)
        (directory / entry["file"]).write_bytes(flatbuffer)
        entries.append(entry)
        print(f"{name}: {len(flatbuffer)} bytes, TFLite Micro arena {entry['tfliteMicroArena']} (head {entry['tfliteMicroArenaHead']})")
    provenance = tw.tm.provenance(litert=True).replace("; made by", " (whole networks from Tools/engines/tflite_networks.py); made by")
    _write_cases(directory / "networks.json", provenance, entries)


def tg_provenance():
    import tflm_cases as tm
    return tm.provenance(litert=True).replace("; made by", " (whole networks from Tools/engines/tflm_networks.py, translated by tflite_spec.py); made by")


def boundary():
    import boundary_cases as bc
    rng, np_rng = fx.seeded(20261125), np.random.default_rng(20261125)
    cases = bc.pytorch_cases(rng, np_rng) + bc.onnxruntime_cases(rng, np_rng) + bc.tflm_cases(rng, np_rng)
    _write_cases(OUT / "boundary.json", bc.provenance(), cases)


def observers():
    import json
    import observer_cases as oc
    fixture = oc.fixture()
    path = OUT.parent / "pytorch" / "observers.json"
    with open(path, "w") as f:
        f.write('{"provenance":' + json.dumps(fixture["provenance"]) + ',\n"data":' + json.dumps(fixture["data"]) + ',\n"linspace":' + json.dumps(fixture["linspace"]) + ',\n"weights":' + json.dumps(fixture["weights"]) + ',\n"cases":[\n')
        f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in fixture["cases"]))
        f.write("\n]}\n")
    print(f"wrote {path}: {len(fixture['cases'])} cases")


def batchnorm():
    import json
    import batchnorm_cases as bc
    path = OUT.parent / "pytorch" / "batchnorm.json"
    path.write_text(json.dumps(bc.fixture(), indent=1) + "\n")
    print(f"wrote {path}")


def tflite_calibration():
    import json
    import tflite_calibration_cases as tc
    path = OUT.parent / "tflite" / "calibration.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(tc.fixture(), indent=1) + "\n")
    print(f"wrote {path}")


def numeric_suite():
    import numeric_suite_cases as nc
    nc.write(OUT.parent / "pytorch" / "numeric_suite")


def calibration():
    import calibration_cases as cc
    cc.write(OUT.parent / "pytorch" / "calibration_small")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    chosen = sys.argv[1:] or ["pytorch", "pytorch_ops", "pytorch_networks", "onnxruntime", "onnx_files", "onnx_networks", "tflm", "tflm_graphs", "tflm_softmax16", "tflm_ops", "tflm_networks", "tflite_files", "tflite_networks", "boundary"]
    for name in chosen:
        {"pytorch": pytorch, "pytorch_ops": pytorch_ops, "pytorch_networks": pytorch_networks, "pytorch_networks_20": pytorch_networks_20, "onnxruntime": onnxruntime, "onnx_files": onnx_files, "onnx_networks": onnx_networks, "onnx_224": onnx_224, "tflm": tflm, "tflm_graphs": tflm_graphs, "tflm_softmax16": tflm_softmax16, "tflm_ops": tflm_ops, "tflm_networks": tflm_networks, "tflite_files": tflite_files, "tflite_networks": tflite_networks, "boundary": boundary, "observers": observers, "calibration": calibration, "numeric_suite": numeric_suite, "batchnorm": batchnorm, "tflite_calibration": tflite_calibration}[name]()
