#!/usr/bin/env bash
# Creates the Python environment that runs the real engines (PyTorch, ONNX Runtime, TFLite Micro and
# TensorFlow's converter) for Tools/engines/make_fixtures.py. About 3 GB; CI never installs it: the
# fixtures it produces are committed under Tests/Fixtures/engines/.
set -euo pipefail
venv="${QGEN_ENGINES_VENV:-$(cd "$(dirname "$0")/../.." && pwd)/.venv-engines}"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet numpy onnx onnxruntime torch torchvision tensorflow-cpu tflite-micro ai-edge-litert pytest scikit-learn
echo "$venv"
