"""PyTorch eager peer for `./moslora bench adapters`: one training step (forward, backward, AdamW) of the same
LLaMA-like block (RMSNorm, rotary attention, SwiGLU) with LoRA rank r on q,k,v,o,gate,up,down, frozen base.
Uses Debian's python3-torch (1.13, no fused attention), with the same thread count as the JVM run.
Prints `lora_step_ms <median>`.
"""
import argparse, math, time, statistics
import os, sys

# Debian's torch 1.13 does not pass torch.set_num_threads on to OpenBLAS (pthreads build), which then uses every
# core: measured 2 BLAS threads after set_num_threads(1). Pin OpenBLAS before torch loads it.
for i, arg in enumerate(sys.argv):
    if arg == "--threads" and i + 1 < len(sys.argv) and int(sys.argv[i + 1]) > 0:
        os.environ["OPENBLAS_NUM_THREADS"] = sys.argv[i + 1]
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
for k, v in dict(hidden=1024, heads=16, inter=2688, seq=256, batch=2, rank=16, rounds=10, warmup=3, threads=0).items():
    p.add_argument("--" + k, type=int, default=v)
a = p.parse_args()
if a.threads:
    torch.set_num_threads(a.threads)
torch.manual_seed(0)

class LoraLinear(nn.Module):
    def __init__(self, i, o, r):
        super().__init__()
        self.base = nn.Linear(i, o, bias=False)
        self.base.weight.requires_grad_(False)
        self.A = nn.Linear(i, r, bias=False)
        self.B = nn.Linear(r, o, bias=False)
        nn.init.zeros_(self.B.weight)
        self.s = 2.0
    def forward(self, x):
        return self.base(x) + self.B(self.A(x)) * self.s

class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.w = nn.Parameter(torch.ones(d), requires_grad=False)
        self.eps = eps
    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.w

def rope(x, cos, sin):
    h = x.shape[-1] // 2
    return x * cos + torch.cat([-x[..., h:], x[..., :h]], -1) * sin

class Block(nn.Module):
    def __init__(self, d, heads, inter, r):
        super().__init__()
        self.h, self.dh = heads, d // heads
        self.q, self.k, self.v, self.o = (LoraLinear(d, d, r) for _ in range(4))
        self.g, self.u = LoraLinear(d, inter, r), LoraLinear(d, inter, r)
        self.d = LoraLinear(inter, d, r)
        self.n1, self.n2, self.nf = RMSNorm(d), RMSNorm(d), RMSNorm(d)
    def forward(self, x, cos, sin):
        b, l, d = x.shape
        y = self.n1(x)
        q = rope(self.q(y).view(b, l, self.h, self.dh).transpose(1, 2), cos, sin)
        k = rope(self.k(y).view(b, l, self.h, self.dh).transpose(1, 2), cos, sin)
        v = self.v(y).view(b, l, self.h, self.dh).transpose(1, 2)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(self.dh)
        att = att.masked_fill(torch.ones(l, l, dtype=torch.bool).triu(1), float("-inf")).softmax(-1)
        x = x + self.o((att @ v).transpose(1, 2).reshape(b, l, d))
        y = self.n2(x)
        x = x + self.d(F.silu(self.g(y)) * self.u(y))
        return self.nf(x)

m = Block(a.hidden, a.heads, a.inter, a.rank)
emb = torch.randn(32, a.hidden)
ids = torch.randint(0, 32, (a.batch, a.seq))
inv = 1.0 / (10000 ** (torch.arange(0, a.hidden // a.heads, 2).float() / (a.hidden // a.heads)))
f = torch.outer(torch.arange(a.seq).float(), inv)
cos, sin = torch.cat([f, f], -1).cos(), torch.cat([f, f], -1).sin()
opt = torch.optim.AdamW([p for p in m.parameters() if p.requires_grad], lr=1e-4, weight_decay=0.0)
times = []
for i in range(a.warmup + a.rounds):
    t0 = time.perf_counter()
    opt.zero_grad(set_to_none=False)
    loss = m(emb[ids], cos, sin).pow(2).mean()
    loss.backward()
    opt.step()
    if i >= a.warmup:
        times.append((time.perf_counter() - t0) * 1000)
print("torch", torch.__version__, "threads", torch.get_num_threads())
print("lora_step_ms %.3f" % statistics.median(times))
