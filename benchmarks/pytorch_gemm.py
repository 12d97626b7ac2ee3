"""PyTorch peer for `./moslora bench gemm`: times single float32 matrix products with Debian's python3-torch
(OpenBLAS), at the JVM run's thread count. Each --gemm M,K,N,t|n is [M,K] times W, W stored [N,K] and used
transposed (t, a Linear's forward x @ W.t()) or stored [K,N] (n, the backward's grad @ W).
Prints `gemm M,K,N,t|n <ms> <ms> ...` (every timed round, after two warm-up products).
"""
import argparse, time
import os, sys

# Debian's torch 1.13 does not pass torch.set_num_threads on to OpenBLAS (pthreads build), which then uses every
# core: measured 2 BLAS threads after set_num_threads(1). Pin OpenBLAS before torch loads it.
for i, arg in enumerate(sys.argv):
    if arg == "--threads" and i + 1 < len(sys.argv) and int(sys.argv[i + 1]) > 0:
        os.environ["OPENBLAS_NUM_THREADS"] = sys.argv[i + 1]
import torch

p = argparse.ArgumentParser()
p.add_argument("--gemm", action="append", default=[])
p.add_argument("--rounds", type=int, default=7)
p.add_argument("--threads", type=int, default=0)
a = p.parse_args()
if a.threads:
    torch.set_num_threads(a.threads)
torch.manual_seed(0)
for spec in a.gemm:
    m, k, n, layout = spec.split(",")
    m, k, n = int(m), int(k), int(n)
    x = torch.randn(m, k)
    w = torch.randn(n, k).t() if layout == "t" else torch.randn(k, n)
    times = []
    for i in range(2 + a.rounds):
        t0 = time.perf_counter()
        y = x @ w
        t = (time.perf_counter() - t0) * 1000
        del y
        if i >= 2:
            times.append(t)
    print("gemm." + spec, " ".join("%.4f" % t for t in times))
