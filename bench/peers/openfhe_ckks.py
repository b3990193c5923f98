#!/usr/bin/env python3
"""Times OpenFHE's CKKS primitives with the parameters of our "n16-peer" preset.

N=2^16, 32768 slots, q0 60 bits + 24 x 50-bit scaling primes, scale 2^50,
FIXEDMANUAL rescaling, HYBRID key switching with dnum 3 (OpenFHE picks
P = 8 x 60-bit primes), uniform ternary secret, HEStd_128_classic. Every
operation runs at the top level with a new result, like `cipherflow bench
ckks`. Prints one JSON object per line in the bench format, suite
"ckks-openfhe", same case names. Needs the `openfhe` Python package
(PyPI wheel; the 1.6.1 wheel is built for CPython 3.10). Run it with
OMP_NUM_THREADS=1 for single-thread figures.

Usage: openfhe_ckks.py [--reps N] [--quick]
"""
import argparse
import json
import statistics
import sys
import time

import openfhe as fhe


def context(quick):
    p = fhe.CCParamsCKKSRNS()
    if quick:
        p.SetRingDim(1 << 12)
        p.SetMultiplicativeDepth(5)
        p.SetSecurityLevel(fhe.SecurityLevel.HEStd_NotSet)
        p.SetBatchSize(1 << 11)
    else:
        p.SetRingDim(1 << 16)
        p.SetMultiplicativeDepth(24)
        p.SetSecurityLevel(fhe.SecurityLevel.HEStd_128_classic)
        p.SetBatchSize(1 << 15)
    p.SetScalingModSize(50)
    p.SetFirstModSize(60)
    p.SetScalingTechnique(fhe.ScalingTechnique.FIXEDMANUAL)
    p.SetKeySwitchTechnique(fhe.KeySwitchTechnique.HYBRID)
    p.SetNumLargeDigits(3)
    p.SetSecretKeyDist(fhe.SecretKeyDist.UNIFORM_TERNARY)
    cc = fhe.GenCryptoContext(p)
    for feature in (fhe.PKESchemeFeature.PKE, fhe.PKESchemeFeature.KEYSWITCH,
                    fhe.PKESchemeFeature.LEVELEDSHE):
        cc.Enable(feature)
    return cc


def timed(fn, reps):
    fn()  # warm-up, untimed
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - t0)
    return samples


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()

    cc = context(args.quick)
    n = cc.GetRingDimension()
    slots = n // 2
    keys = cc.KeyGen()
    cc.EvalMultKeyGen(keys.secretKey)
    steps = list(range(1, 9))
    cc.EvalRotateKeyGen(keys.secretKey, steps)
    vals = [((i * 7919) % 2001) / 1000.0 - 1.0 for i in range(slots)]
    pt = cc.MakeCKKSPackedPlaintext(vals)
    a = cc.Encrypt(keys.publicKey, pt)
    b = cc.Encrypt(keys.publicKey, pt)
    m = cc.GetCyclotomicOrder()

    def hoisted():
        pre = cc.EvalFastRotationPrecompute(a)
        return [cc.EvalFastRotation(a, k, m, pre) for k in steps]

    cases = [
        ("encode", lambda: cc.MakeCKKSPackedPlaintext(vals)),
        ("encrypt", lambda: cc.Encrypt(keys.publicKey, pt)),
        ("add", lambda: cc.EvalAdd(a, b)),
        ("mul_plain", lambda: cc.EvalMult(a, pt)),
        ("mul_relin", lambda: cc.EvalMult(a, b)),
        ("rescale", lambda: cc.Rescale(a)),
        ("rotate", lambda: cc.EvalRotate(a, 1)),
        ("hoisted_rotate", hoisted),
        ("rotate_unhoisted", lambda: [cc.EvalRotate(a, k) for k in steps]),
    ]
    params = {"preset": "toy" if args.quick else "n16-peer", "n": n,
              "limbs": (6 if args.quick else 25), "dnum": 3, "threads": 1, "library": "openfhe-python 1.6.1"}
    for name, fn in cases:
        s = sorted(timed(fn, args.reps))
        print(json.dumps({"suite": "ckks-openfhe", "name": name, "params": params,
                          "median_ns": int(statistics.median(s)), "min_ns": s[0],
                          "max_ns": s[-1], "reps": len(s)}, separators=(",", ":")), flush=True)

    # The same end-to-end check as the peer notes: decrypt(rotate(rescale(a*b), 1)).
    r = cc.EvalRotate(cc.Rescale(cc.EvalMult(a, b)), 1)
    out = cc.Decrypt(r, keys.secretKey)
    out.SetLength(slots)
    got = out.GetRealPackedValue()
    err = max(abs(got[i] - vals[(i + 1) % slots] ** 2) for i in range(slots))
    print(f"openfhe check: max error {err:.3g}", file=sys.stderr)
    return 0 if err < 1e-3 else 1


if __name__ == "__main__":
    sys.exit(main())
