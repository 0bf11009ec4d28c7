"""Trains the demo CNN (Examples/digits) on scikit-learn's bundled 8x8 handwritten digits (1,797 images,
no download) and writes its float weights, calibration data and held-out test set as .npy.

    .venv-engines/bin/python Tools/train_digits.py      # the engine venv (Tools/engines/setup_venv.sh) has torch and scikit-learn

The model: Conv2d 1->8 3x3 + ReLU, Conv2d 8->16 3x3 stride 2 + ReLU (4x4), Flatten, Linear 256->10.
Pixels are scaled to [0, 1] (the data's 0..16 divided by 16). The split is fixed (seed 0, 20 % held out),
training is deterministic (one thread, seeded), so re-running it rewrites the same files on the same
machine; the files are committed and `make demo` needs no Python.
"""
import pathlib

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

OUT = pathlib.Path(__file__).resolve().parents[1] / "Examples" / "digits"


class DigitsCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.fc = nn.Linear(16 * 4 * 4, 10)

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        x = torch.relu(self.conv2(x))
        return self.fc(torch.flatten(x, 1))


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None, :, :]
    y = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, random_state=0, stratify=y)
    model = DigitsCNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    generator = torch.Generator().manual_seed(0)
    for epoch in range(40):
        order = torch.randperm(len(xt), generator=generator)
        for i in range(0, len(xt), 64):
            batch = order[i:i + 64]
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(xt[batch]), yt[batch])
            loss.backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        accuracy = (model(torch.from_numpy(x_test)).argmax(1).numpy() == y_test).mean()
    OUT.mkdir(parents=True, exist_ok=True)
    for name, tensor in (("conv1_w", model.conv1.weight), ("conv1_b", model.conv1.bias), ("conv2_w", model.conv2.weight),
                         ("conv2_b", model.conv2.bias), ("fc_w", model.fc.weight), ("fc_b", model.fc.bias)):
        np.save(OUT / f"{name}.npy", tensor.detach().numpy().astype(np.float32))
    # Calibration: 200 training images (not the test set).
    np.save(OUT / "calibration.npy", x_train[:200])
    np.save(OUT / "test_images.npy", x_test)
    np.save(OUT / "test_labels.npy", y_test)
    print(f"wrote {OUT}: float test accuracy {accuracy:.4f} on {len(y_test)} held-out images (torch {torch.__version__})")


if __name__ == "__main__":
    main()
