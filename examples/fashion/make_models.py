#!/usr/bin/env python3
"""Trains a LoLA-style CNN on Fashion-MNIST (Debian package
dataset-fashion-mnist, read from its IDX files; nothing is downloaded) and
writes it as ONNX with a test subset and reference logits, in the formats of
examples/digits (see its README). Needs numpy and onnx (PyPI); training is
plain numpy.

Model: 1x28x28 -> Conv 5x5x5 stride 2 -> 0.125 h^2 + 0.5 h -> Flatten
       -> Gemm 720 -> 10            (5 levels in the HE plan)
"""
import gzip
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "digits"))
from make_models import Adam, batches, save, softmax_xent_grad, write_calib, write_cfts  # noqa: E402

DATA = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
C2, C1 = 0.125, 0.5
NTEST = 300  # committed subset of the 10,000 test images


def idx(name):
    with gzip.open(os.path.join(DATA, name)) as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def im2col(x):
    """(N, 28, 28) -> (N, 144, 25): 5x5 patches at stride 2, no padding."""
    cols = [x[:, i:i + 24:2, j:j + 24:2].reshape(len(x), 144) for i in range(5) for j in range(5)]
    return np.stack(cols, axis=2)


def forward(x, Wc, bc, Wd, bd):
    cols = im2col(x.reshape(-1, 28, 28))
    h = cols @ Wc.T + bc                      # (N, 144, 5) position-major
    a = C2 * h * h + C1 * h
    flat = a.transpose(0, 2, 1).reshape(-1, 720)  # ONNX order C, H, W
    return cols, h, flat, flat @ Wd.T + bd


def train(xtr, ytr, rng, epochs=4):
    Wc = rng.normal(0, 0.2, (5, 25))
    bc = np.zeros(5)
    Wd = rng.normal(0, 0.05, (10, 720))
    bd = np.zeros(10)
    opt = Adam([Wc, bc, Wd, bd], 2e-3)
    for ep in range(epochs):
        for bi in batches(len(xtr), 128, rng):
            cols, h, flat, out = forward(xtr[bi], Wc, bc, Wd, bd)
            g = softmax_xent_grad(out, ytr[bi])
            gWd, gbd = g.T @ flat, g.sum(0)
            gflat = (g @ Wd).reshape(-1, 5, 144).transpose(0, 2, 1)
            gh = gflat * (2 * C2 * h + C1)
            opt.step([np.einsum("npc,npk->ck", gh, cols), gh.sum(axis=(0, 1)), gWd, gbd])
        print(f"epoch {ep + 1}/{epochs} done", flush=True)
    return Wc, bc, Wd, bd


def export(path, Wc, bc, Wd, bd):
    f32 = lambda a, n: numpy_helper.from_array(np.asarray(a, np.float32), n)
    inits = [f32(Wc.reshape(5, 1, 5, 5), "conv.weight"), f32(bc, "conv.bias"),
             f32(Wd, "fc.weight"), f32(bd, "fc.bias"), f32(C2, "c2"), f32(C1, "c1")]
    nodes = [
        helper.make_node("Conv", ["input", "conv.weight", "conv.bias"], ["h"], name="conv",
                         kernel_shape=[5, 5], strides=[2, 2]),
        helper.make_node("Mul", ["h", "h"], ["h_sq"], name="act_sq"),
        helper.make_node("Mul", ["h_sq", "c2"], ["h_sq_c2"], name="act_mul2"),
        helper.make_node("Mul", ["h", "c1"], ["h_c1"], name="act_mul1"),
        helper.make_node("Add", ["h_sq_c2", "h_c1"], ["a"], name="act_add"),
        helper.make_node("Flatten", ["a"], ["flat"], name="flatten", axis=1),
        helper.make_node("Gemm", ["flat", "fc.weight", "fc.bias"], ["logits"], name="fc", transB=1),
    ]
    graph = helper.make_graph(
        nodes, "fashion_cnn",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, 28, 28])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])], inits)
    save(graph, path)


def main():
    rng = np.random.default_rng(11)
    xtr = idx("train-images-idx3-ubyte.gz").reshape(-1, 784) / 255.0
    ytr = idx("train-labels-idx1-ubyte.gz").astype(np.int64)
    xte = idx("t10k-images-idx3-ubyte.gz").reshape(-1, 784) / 255.0
    yte = idx("t10k-labels-idx1-ubyte.gz").astype(np.int64)
    Wc, bc, Wd, bd = train(xtr, ytr, rng)
    full = np.concatenate([forward(xte[i:i + 1000], Wc, bc, Wd, bd)[3] for i in range(0, 10000, 1000)])
    print(f"fashion_cnn: test accuracy {np.mean(full.argmax(1) == yte) * 100:.2f}% on 10000")
    p = os.path.join(HERE, "fashion_cnn.onnx")
    export(p, Wc, bc, Wd, bd)
    sess = ReferenceEvaluator(p)
    sub = xte[:NTEST]
    ref = np.array([sess.run(None, {"input": x.reshape(1, 1, 28, 28).astype(np.float32)})[0][0]
                    for x in sub], dtype=np.float64)
    assert np.allclose(ref, full[:NTEST], atol=1e-3)
    write_cfts(os.path.join(HERE, "fashion_test.cfts"), sub, yte[:NTEST])
    write_cfts(os.path.join(HERE, "fashion_cnn.ref.cfts"), ref, ref.argmax(1))
    h = np.concatenate([forward(xtr[i:i + 2000], Wc, bc, Wd, bd)[1].ravel() for i in range(0, 60000, 2000)])
    write_calib(os.path.join(HERE, "fashion_cnn.calib"), [("h", h.min(), h.max())])
    print(f"fashion_cnn: accuracy on the committed {NTEST}: {np.mean(ref.argmax(1) == yte[:NTEST]) * 100:.2f}%")


if __name__ == "__main__":
    main()
