#!/usr/bin/env python3
"""Trains the two example models on scikit-learn's bundled 8x8 digits and
writes them as ONNX files, with the test split, reference outputs and
activation calibration ranges that the C frontend and its tests read.

Only needed to regenerate the committed files; the build and the tests never
run it. Requirements (PyPI): numpy, scikit-learn, onnx. Training is plain
numpy (hand-written gradients), so no deep-learning framework is needed; the
reference outputs come from onnx.reference, an evaluator independent of both
this training code and the C importer.

Models (chosen so they fit one CKKS modulus chain without bootstrapping):
  digits_mlp.onnx  64 -> Gemm 32 -> 0.25 h^2 + 0.5 h (Pow/Mul/Add nodes) -> Gemm 10
  digits_cnn.onnx  1x8x8 -> Conv 4x3x3 pad 1 -> BatchNormalization -> SiLU
                   (Sigmoid + Mul) -> AveragePool 2x2 -> Flatten -> Gemm 10

Files written next to this script (format in README.md):
  digits_test.cfts              test inputs (pixels / 16) and labels
  digits_mlp.ref.cfts           reference logits of the MLP on the test split
  digits_cnn.ref.cfts           reference logits of the CNN on the test split
  digits_{mlp,cnn}.calib        activation input ranges seen on the training set
"""
import os
import struct

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
OPSET = 17
IR_VERSION = 8  # readable by the ONNX 1.12 schema in Debian 12


def write_cfts(path, rows, labels):
    """CFTS v1: magic, version, count, width (u32 LE), count*width float64,
    count int32 labels (-1 when there is no label)."""
    rows = np.ascontiguousarray(rows, dtype="<f8")
    labels = np.ascontiguousarray(labels, dtype="<i4")
    n, w = rows.shape
    with open(path, "wb") as f:
        f.write(b"CFTS")
        f.write(struct.pack("<III", 1, n, w))
        f.write(rows.tobytes())
        f.write(labels.tobytes())


def write_calib(path, ranges):
    with open(path, "w") as f:
        f.write("# tensor min max: activation input range on the training set\n")
        for name, lo, hi in ranges:
            f.write(f"{name} {lo:.9g} {hi:.9g}\n")


class Adam:
    def __init__(self, params, lr):
        self.p, self.lr = params, lr
        self.m = [np.zeros_like(x) for x in params]
        self.v = [np.zeros_like(x) for x in params]
        self.t = 0

    def step(self, grads):
        self.t += 1
        for p, g, m, v in zip(self.p, grads, self.m, self.v):
            m *= 0.9
            m += 0.1 * g
            v *= 0.999
            v += 0.001 * g * g
            mh = m / (1 - 0.9**self.t)
            vh = v / (1 - 0.999**self.t)
            p -= self.lr * mh / (np.sqrt(vh) + 1e-8)


def softmax_xent_grad(logits, y):
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


def batches(n, size, rng):
    idx = rng.permutation(n)
    for i in range(0, n, size):
        yield idx[i:i + size]


# ---- MLP with a trained quadratic activation -------------------------------
C2, C1 = 0.25, 0.5


def mlp_forward(x, W1, b1, W2, b2):
    h = x @ W1.T + b1
    a = C2 * h * h + C1 * h
    return h, a, a @ W2.T + b2


def train_mlp(xtr, ytr, rng):
    W1 = rng.normal(0, 0.25, (32, 64))
    b1 = np.zeros(32)
    W2 = rng.normal(0, 0.25, (10, 32))
    b2 = np.zeros(10)
    opt = Adam([W1, b1, W2, b2], 3e-3)
    for _ in range(150):
        for bi in batches(len(xtr), 64, rng):
            x, y = xtr[bi], ytr[bi]
            h, a, out = mlp_forward(x, W1, b1, W2, b2)
            g = softmax_xent_grad(out, y)
            gW2, gb2 = g.T @ a, g.sum(0)
            ga = g @ W2
            gh = ga * (2 * C2 * h + C1)
            gW1, gb1 = gh.T @ x, gh.sum(0)
            opt.step([gW1, gb1, gW2, gb2])
    return W1, b1, W2, b2


def export_mlp(path, W1, b1, W2, b2):
    f32 = lambda a, n: numpy_helper.from_array(np.asarray(a, np.float32), n)
    inits = [f32(W1, "fc1.weight"), f32(b1, "fc1.bias"), f32(W2, "fc2.weight"),
             f32(b2, "fc2.bias"), f32(2.0, "two"), f32(C2, "c2"), f32(C1, "c1")]
    nodes = [
        helper.make_node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["h"], name="fc1", transB=1),
        helper.make_node("Pow", ["h", "two"], ["h_sq"], name="act_pow"),
        helper.make_node("Mul", ["h_sq", "c2"], ["h_sq_c2"], name="act_mul2"),
        helper.make_node("Mul", ["h", "c1"], ["h_c1"], name="act_mul1"),
        helper.make_node("Add", ["h_sq_c2", "h_c1"], ["a"], name="act_add"),
        helper.make_node("Gemm", ["a", "fc2.weight", "fc2.bias"], ["logits"], name="fc2", transB=1),
    ]
    graph = helper.make_graph(
        nodes, "digits_mlp",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 64])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])], inits)
    save(graph, path)


# ---- CNN: conv, batch norm, SiLU, average pool, dense ----------------------
def im2col(x):
    """x: (N, 8, 8) -> (N, 64, 9) patches of a 3x3 convolution with pad 1."""
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1)))
    cols = [xp[:, i:i + 8, j:j + 8].reshape(len(x), 64) for i in range(3) for j in range(3)]
    return np.stack(cols, axis=2)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def cnn_forward(x, Wc, bc, Wd, bd):
    cols = im2col(x.reshape(-1, 8, 8))          # (N, 64, 9)
    z = cols @ Wc.T + bc                          # (N, 64, 4) position-major
    s = sigmoid(z)
    a = z * s
    # average pool 2x2 over the 8x8 positions, per channel -> (N, 4, 4, 4)
    a4 = a.reshape(-1, 4, 2, 4, 2, 4).mean(axis=(2, 4))  # (N, 4y, 4x, C)
    flat = a4.transpose(0, 3, 1, 2).reshape(-1, 64)     # ONNX order C, H, W
    return cols, z, s, flat, flat @ Wd.T + bd


def train_cnn(xtr, ytr, rng):
    Wc = rng.normal(0, 0.4, (4, 9))
    bc = np.zeros(4)
    Wd = rng.normal(0, 0.2, (10, 64))
    bd = np.zeros(10)
    opt = Adam([Wc, bc, Wd, bd], 5e-3)
    for _ in range(150):
        for bi in batches(len(xtr), 64, rng):
            x, y = xtr[bi], ytr[bi]
            cols, z, s, flat, out = cnn_forward(x, Wc, bc, Wd, bd)
            g = softmax_xent_grad(out, y)
            gWd, gbd = g.T @ flat, g.sum(0)
            gflat = g @ Wd                                        # (N, 64) C,H,W
            ga4 = gflat.reshape(-1, 4, 4, 4).transpose(0, 2, 3, 1)  # (N, 4y, 4x, C)
            ga = np.repeat(np.repeat(ga4, 2, axis=1), 2, axis=2) / 4  # (N, 8, 8, C)
            ga = ga.reshape(-1, 64, 4)
            gz = ga * (s + z * s * (1 - s))
            gWc = np.einsum("npc,npk->ck", gz, cols)
            gbc = gz.sum(axis=(0, 1))
            opt.step([gWc, gbc, gWd, gbd])
    return Wc, bc, Wd, bd


def export_cnn(path, Wc, bc, Wd, bd, rng):
    # The exported convolution is deliberately scaled and shifted per channel
    # and the BatchNormalization node undoes it, so an importer that ignores
    # or mis-folds batch norm gives wrong logits.
    eps = 1e-5
    k = rng.uniform(0.5, 2.0, 4)
    m = rng.uniform(-1.0, 1.0, 4)
    gamma = rng.uniform(0.8, 1.25, 4)
    beta = rng.uniform(-0.2, 0.2, 4)
    # BN(y) = gamma (y - mean) / sqrt(var + eps) + beta must equal W x + b
    # for y = k (W x + b) + m: sqrt(var + eps) = gamma k, mean = m + beta k.
    var = (gamma * k) ** 2 - eps
    mean = m + beta * k
    f32 = lambda a, n: numpy_helper.from_array(np.asarray(a, np.float32), n)
    inits = [
        f32((Wc * k[:, None]).reshape(4, 1, 3, 3), "conv.weight"),
        f32(bc * k + m, "conv.bias"),
        f32(gamma, "bn.scale"), f32(beta, "bn.bias"), f32(mean, "bn.mean"), f32(var, "bn.var"),
        f32(Wd, "fc.weight"), f32(bd, "fc.bias"),
    ]
    nodes = [
        helper.make_node("Conv", ["input", "conv.weight", "conv.bias"], ["conv_out"], name="conv",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]),
        helper.make_node("BatchNormalization", ["conv_out", "bn.scale", "bn.bias", "bn.mean", "bn.var"],
                         ["z"], name="bn", epsilon=eps),
        helper.make_node("Sigmoid", ["z"], ["z_sig"], name="silu_sigmoid"),
        helper.make_node("Mul", ["z", "z_sig"], ["a"], name="silu_mul"),
        helper.make_node("AveragePool", ["a"], ["pooled"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["pooled"], ["flat"], name="flatten", axis=1),
        helper.make_node("Gemm", ["flat", "fc.weight", "fc.bias"], ["logits"], name="fc", transB=1),
    ]
    graph = helper.make_graph(
        nodes, "digits_cnn",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, 8, 8])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])], inits)
    save(graph, path)


def save(graph, path):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="cipherflow-examples")
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    onnx.save(model, path)


def reference_logits(path, xs, shape):
    sess = ReferenceEvaluator(path)
    out = [sess.run(None, {"input": x.reshape(shape).astype(np.float32)})[0][0] for x in xs]
    return np.array(out, dtype=np.float64)


def main():
    rng = np.random.default_rng(7)
    d = load_digits()
    x = d.data / 16.0
    xtr, xte, ytr, yte = train_test_split(x, d.target, test_size=0.2, random_state=0,
                                          stratify=d.target)
    write_cfts(os.path.join(HERE, "digits_test.cfts"), xte, yte)

    W1, b1, W2, b2 = train_mlp(xtr, ytr, rng)
    p = os.path.join(HERE, "digits_mlp.onnx")
    export_mlp(p, W1, b1, W2, b2)
    ref = reference_logits(p, xte, (1, 64))
    assert np.allclose(ref, mlp_forward(xte, W1, b1, W2, b2)[2], atol=1e-3)
    write_cfts(os.path.join(HERE, "digits_mlp.ref.cfts"), ref, ref.argmax(1))
    h = mlp_forward(xtr, W1, b1, W2, b2)[0]
    write_calib(os.path.join(HERE, "digits_mlp.calib"), [("h", h.min(), h.max())])
    print(f"digits_mlp: test accuracy {np.mean(ref.argmax(1) == yte) * 100:.2f}% on {len(yte)}")

    Wc, bc, Wd, bd = train_cnn(xtr, ytr, rng)
    p = os.path.join(HERE, "digits_cnn.onnx")
    export_cnn(p, Wc, bc, Wd, bd, rng)
    ref = reference_logits(p, xte, (1, 1, 8, 8))
    assert np.allclose(ref, cnn_forward(xte, Wc, bc, Wd, bd)[4], atol=1e-3)
    write_cfts(os.path.join(HERE, "digits_cnn.ref.cfts"), ref, ref.argmax(1))
    z = cnn_forward(xtr, Wc, bc, Wd, bd)[1]
    write_calib(os.path.join(HERE, "digits_cnn.calib"), [("z", z.min(), z.max())])
    print(f"digits_cnn: test accuracy {np.mean(ref.argmax(1) == yte) * 100:.2f}% on {len(yte)}")


if __name__ == "__main__":
    main()
