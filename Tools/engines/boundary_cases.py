"""Each stack's float -> code conversion at the model input: PyTorch quantize_per_tensor, ONNX
Runtime QuantizeLinear, and TFLite Micro's QUANTIZE kernel (a converted float-input model whose only
other op, RESHAPE, passes the int8 codes through)."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

import fixtures as fx  # noqa: E402


def _values(np_rng, scale, n=512):
    """Random reals plus exact and near ties of the code grid, zero, and out-of-range values."""
    ties = (np_rng.integers(-300, 300, size=n // 4) + 0.5) * scale
    grid = np_rng.integers(-600, 600, size=n // 4) * scale / 2
    wide = np_rng.uniform(-3, 3, size=n // 4)
    huge = np_rng.uniform(-1e4, 1e4, size=n - 3 * (n // 4))
    x = np.concatenate([ties, grid, wide, huge]).astype(np.float32)
    x[:4] = [0.0, -0.0, 0.273939937, 1e30]
    return x


def _case(case_id, engine, dtype, scale, zp, x, q):
    return {"id": case_id, "engine": engine, "dtype": dtype, "scale": float(scale), "zeroPoint": int(zp),
            "x": fx.bytes_b64(x, np.float32), "q": fx.bytes_b64(q, dtype)}


def pytorch_cases(rng, np_rng):
    import torch
    cases = []
    for i in range(20):
        scale = fx.log_uniform(rng, 0.001, 0.1)
        zp = rng.randint(0, 255)
        x = _values(np_rng, scale)
        q = torch.quantize_per_tensor(torch.tensor(x), scale, zp, torch.quint8).int_repr().numpy()
        cases.append(_case(f"pytorch-quantize-{i}", "pytorch", "uint8", scale, zp, x, q))
    return cases


def onnxruntime_cases(rng, np_rng):
    import onnxruntime
    from onnx import TensorProto, helper
    cases = []
    for i in range(20):
        dtype = "uint8" if i % 2 == 0 else "int8"
        scale = np.float32(fx.log_uniform(rng, 0.001, 0.1))
        zp = rng.randint(0, 255) if dtype == "uint8" else rng.randint(-128, 127)
        onnx_type = TensorProto.UINT8 if dtype == "uint8" else TensorProto.INT8
        node = helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"])
        graph = helper.make_graph([node], "q", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [512])],
                                  [helper.make_tensor_value_info("q", onnx_type, [512])],
                                  initializer=[helper.make_tensor("s", TensorProto.FLOAT, [], [scale]),
                                               helper.make_tensor("z", onnx_type, [], [zp])])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        model.ir_version = 8
        session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        x = _values(np_rng, float(scale))
        q = session.run(None, {"x": x})[0]
        cases.append(_case(f"ort-quantize-{i}", "onnxruntime", dtype, scale, zp, x, q))
    return cases


def tflm_cases(rng, np_rng):
    import tensorflow as tf
    from tflite_micro.python.tflite_micro import runtime
    cases = []
    for i in range(10):
        spread = fx.log_uniform(rng, 0.1, 10)
        offset = rng.uniform(-0.5, 0.5) * spread
        inp = tf.keras.Input(shape=(512,), batch_size=1)
        model = tf.keras.Model(inp, tf.keras.layers.Reshape((16, 32))(inp))

        def representative():
            for _ in range(8):
                yield [np_rng.uniform(offset - spread, offset + spread, size=(1, 512)).astype(np.float32)]

        converter = tf.lite.TFLiteConverter.from_keras_model(model)
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = representative
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_output_type = tf.int8
        flatbuffer = converter.convert()
        interpreter = tf.lite.Interpreter(model_content=flatbuffer,
                                          experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
        ops = [op["op_name"] for op in interpreter._get_ops_details()]
        assert "QUANTIZE" in ops, ops
        scale, zp = interpreter.get_output_details()[0]["quantization"]
        x = _values(np_rng, float(scale))
        micro = runtime.Interpreter.from_bytes(flatbuffer)
        micro.set_input(x.reshape(1, 512), 0)
        micro.invoke()
        q = micro.get_output(0).reshape(512)
        cases.append(_case(f"tflm-quantize-{i}", "tflite", "int8", np.float32(scale), zp, x, q))
    return cases


def provenance():
    import importlib.metadata as md
    return (f"torch {md.version('torch')} quantize_per_tensor (fbgemm build), onnxruntime {md.version('onnxruntime')} QuantizeLinear, "
            f"tflite-micro {md.version('tflite-micro')} QUANTIZE (model by tensorflow {md.version('tensorflow-cpu')} converter); "
            f"CPU {fx.cpu_flags()}; made by Tools/engines/make_fixtures.py")
