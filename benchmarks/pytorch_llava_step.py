"""PyTorch eager peer for `./moslora bench llava-train`: one LoRA training step of the same small LLaVA.

The model is written here in plain torch from the llava-hf config.json the bench passes (--config):
CLIP vision tower (patch conv without bias, class token, positions, pre_layrnorm, pre-norm layers with
quick_gelu MLPs; features = hidden state of layer -2, class token dropped, so the last layer is not run),
the mlp2x_gelu projector, and a LLaMA decoder (RMSNorm, rotary attention with grouped KV heads, causal,
SwiGLU, untied head). Image features are spliced at <image>; the loss is the shifted cross-entropy over the
answer tokens (-100 elsewhere). LoRA rank r, alpha 2r on q,k,v,o,gate,up,down of the LLM, projector trainable,
vision tower frozen, AdamW (lr 1e-4, no weight decay, no clipping) -- as the Java bench does. Weights are random:
only time matters. Uses Debian's python3-torch (1.13: no fused attention) with the bench's thread count.

Prints `key value` lines: torch, threads, params_total, params_trainable and (unless --count-only)
lora_step_ms (median), baseline_rss_mib (after import torch), peak_rss_mib (VmHWM at the end).
"""
import os, sys

# Debian's torch 1.13 does not pass torch.set_num_threads on to OpenBLAS (pthreads build), which then uses every
# core: measured 2 BLAS threads after set_num_threads(1). Pin OpenBLAS before torch loads it.
for i, arg in enumerate(sys.argv):
    if arg == "--threads" and i + 1 < len(sys.argv) and int(sys.argv[i + 1]) > 0:
        os.environ["OPENBLAS_NUM_THREADS"] = sys.argv[i + 1]
import argparse, json, math, statistics, time
import torch
import torch.nn as nn
import torch.nn.functional as F


def status_mib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1]) / 1024.0
    return -1.0


BASELINE_MIB = status_mib("VmRSS:")

p = argparse.ArgumentParser()
p.add_argument("--config", required=True)
for k, v in dict(batch=4, text_tokens=64, rank=16, warmup=1, rounds=5, steps=2, threads=0).items():
    p.add_argument("--" + k.replace("_", "-"), type=int, default=v)
p.add_argument("--count-only", action="store_true")
a = p.parse_args()
if a.threads:
    torch.set_num_threads(a.threads)
torch.manual_seed(0)

cfg = json.load(open(a.config))
tc, vc = cfg["text_config"], cfg["vision_config"]
V_HIDDEN, V_INTER, V_LAYERS, V_HEADS = vc["hidden_size"], vc["intermediate_size"], vc["num_hidden_layers"], vc["num_attention_heads"]
V_IMAGE, V_PATCH, V_CH = vc["image_size"], vc["patch_size"], vc.get("num_channels", 3)
V_EPS = vc.get("layer_norm_eps", 1e-5)
assert vc.get("hidden_act", "quick_gelu") == "quick_gelu"
T_HIDDEN, T_INTER, T_LAYERS = tc["hidden_size"], tc["intermediate_size"], tc["num_hidden_layers"]
T_HEADS = tc["num_attention_heads"]
T_KV = tc.get("num_key_value_heads") or T_HEADS
T_VOCAB, T_EPS, T_THETA = tc["vocab_size"], tc.get("rms_norm_eps", 1e-6), tc.get("rope_theta", 10000.0)
FEATURE_LAYER = cfg.get("vision_feature_layer", -2)
assert isinstance(FEATURE_LAYER, int) and cfg.get("vision_feature_select_strategy", "default") == "default"
assert cfg.get("projector_hidden_act", "gelu") == "gelu" and not cfg.get("tie_word_embeddings", False)
PROJ_BIAS = cfg.get("multimodal_projector_bias", True)
PATCHES = (V_IMAGE // V_PATCH) ** 2


def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


class ClipLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.h, self.dh = V_HEADS, V_HIDDEN // V_HEADS
        self.q, self.k, self.v, self.o = (nn.Linear(V_HIDDEN, V_HIDDEN) for _ in range(4))
        self.ln1, self.ln2 = nn.LayerNorm(V_HIDDEN, eps=V_EPS), nn.LayerNorm(V_HIDDEN, eps=V_EPS)
        self.fc1, self.fc2 = nn.Linear(V_HIDDEN, V_INTER), nn.Linear(V_INTER, V_HIDDEN)

    def forward(self, x):
        b, l, d = x.shape
        y = self.ln1(x)
        q, k, v = (t(y).view(b, l, self.h, self.dh).transpose(1, 2) for t in (self.q, self.k, self.v))
        att = ((q @ k.transpose(-1, -2)) / math.sqrt(self.dh)).softmax(-1)
        x = x + self.o((att @ v).transpose(1, 2).reshape(b, l, d))
        return x + self.fc2(quick_gelu(self.fc1(self.ln2(x))))


class ClipVision(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch = nn.Conv2d(V_CH, V_HIDDEN, V_PATCH, V_PATCH, bias=False)
        self.cls = nn.Parameter(torch.randn(V_HIDDEN))
        self.pos = nn.Embedding(PATCHES + 1, V_HIDDEN)
        self.pre = nn.LayerNorm(V_HIDDEN, eps=V_EPS)
        self.layers = nn.ModuleList(ClipLayer() for _ in range(V_LAYERS))
        self.post = nn.LayerNorm(V_HIDDEN, eps=V_EPS)  # counted, never run: LLaVA reads an inner layer

    def forward(self, pixels):
        b = pixels.shape[0]
        x = self.patch(pixels).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(b, 1, -1), x], 1) + self.pos.weight
        x = self.pre(x)
        depth = FEATURE_LAYER if FEATURE_LAYER >= 0 else V_LAYERS + 1 + FEATURE_LAYER
        for layer in self.layers[:depth]:
            x = layer(x)
        return x[:, 1:]


class LoraLinear(nn.Module):
    def __init__(self, i, o, r):
        super().__init__()
        self.base = nn.Linear(i, o, bias=False)
        self.A = nn.Linear(i, r, bias=False)
        self.B = nn.Linear(r, o, bias=False)
        nn.init.zeros_(self.B.weight)
        self.s = 2.0  # alpha / r with alpha = 2r

    def forward(self, x):
        return self.base(x) + self.B(self.A(x)) * self.s


class RMSNorm(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.w = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + T_EPS) * self.w


def rope(x, cos, sin):
    h = x.shape[-1] // 2
    return x * cos + torch.cat([-x[..., h:], x[..., :h]], -1) * sin


class LlamaLayer(nn.Module):
    def __init__(self, r):
        super().__init__()
        self.dh = T_HIDDEN // T_HEADS
        self.q, self.o = LoraLinear(T_HIDDEN, T_HEADS * self.dh, r), LoraLinear(T_HEADS * self.dh, T_HIDDEN, r)
        self.k, self.v = LoraLinear(T_HIDDEN, T_KV * self.dh, r), LoraLinear(T_HIDDEN, T_KV * self.dh, r)
        self.g, self.u, self.d = LoraLinear(T_HIDDEN, T_INTER, r), LoraLinear(T_HIDDEN, T_INTER, r), LoraLinear(T_INTER, T_HIDDEN, r)
        self.n1, self.n2 = RMSNorm(T_HIDDEN), RMSNorm(T_HIDDEN)

    def forward(self, x, cos, sin, mask):
        b, l, _ = x.shape
        y = self.n1(x)
        q = rope(self.q(y).view(b, l, T_HEADS, self.dh).transpose(1, 2), cos, sin)
        k = rope(self.k(y).view(b, l, T_KV, self.dh).transpose(1, 2), cos, sin)
        v = self.v(y).view(b, l, T_KV, self.dh).transpose(1, 2)
        if T_KV != T_HEADS:
            k, v = (t.repeat_interleave(T_HEADS // T_KV, 1) for t in (k, v))
        att = ((q @ k.transpose(-1, -2)) / math.sqrt(self.dh)).masked_fill(mask, float("-inf")).softmax(-1)
        x = x + self.o((att @ v).transpose(1, 2).reshape(b, l, -1))
        y = self.n2(x)
        return x + self.d(F.silu(self.g(y)) * self.u(y))


class Llava(nn.Module):
    def __init__(self, r):
        super().__init__()
        self.vision = ClipVision()
        self.proj1 = nn.Linear(V_HIDDEN, T_HIDDEN, bias=PROJ_BIAS)
        self.proj2 = nn.Linear(T_HIDDEN, T_HIDDEN, bias=PROJ_BIAS)
        self.embed = nn.Embedding(T_VOCAB, T_HIDDEN)
        self.layers = nn.ModuleList(LlamaLayer(r) for _ in range(T_LAYERS))
        self.norm = RMSNorm(T_HIDDEN)
        self.head = nn.Linear(T_HIDDEN, T_VOCAB, bias=False)

    def forward(self, ids, pixels, labels):
        # ids: [B, T] with the <image> placeholder at position 1 (its id ignored); image features go there
        text = self.embed(ids)
        image = self.proj2(F.gelu(self.proj1(self.vision(pixels))))
        x = torch.cat([text[:, :1], image, text[:, 2:]], 1)
        lab = torch.cat([labels[:, :1], torch.full(image.shape[:2], -100, dtype=labels.dtype), labels[:, 2:]], 1)
        l = x.shape[1]
        dh = T_HIDDEN // T_HEADS
        inv = 1.0 / (T_THETA ** (torch.arange(0, dh, 2).float() / dh))
        f = torch.outer(torch.arange(l).float(), inv)
        cos, sin = torch.cat([f, f], -1).cos(), torch.cat([f, f], -1).sin()
        mask = torch.ones(l, l, dtype=torch.bool).triu(1)
        for layer in self.layers:
            x = layer(x, cos, sin, mask)
        logits = self.head(self.norm(x))
        return F.cross_entropy(logits[:, :-1].reshape(-1, T_VOCAB), lab[:, 1:].reshape(-1), ignore_index=-100)


m = Llava(a.rank)
for name, p_ in m.named_parameters():
    p_.requires_grad_(name.startswith("proj") or ".A." in name or ".B." in name)
trainable = [p_ for p_ in m.parameters() if p_.requires_grad]
print("torch", torch.__version__)
print("threads", torch.get_num_threads())
print("params_total", sum(p_.numel() for p_ in m.parameters()))
print("params_trainable", sum(p_.numel() for p_ in trainable))
if a.count_only:
    raise SystemExit(0)

ids = torch.randint(3, T_VOCAB, (a.batch, a.text_tokens))
labels = torch.full_like(ids, -100)
answer = a.text_tokens // 2
labels[:, -answer:] = ids[:, -answer:]
pixels = torch.randn(a.batch, V_CH, V_IMAGE, V_IMAGE)
opt = torch.optim.AdamW(trainable, lr=1e-4, weight_decay=0.0)
times = []
for i in range((a.warmup + a.rounds) * a.steps):
    t0 = time.perf_counter()
    opt.zero_grad(set_to_none=False)
    m(ids, pixels, labels).backward()
    opt.step()
    if i >= a.warmup * a.steps:
        times.append((time.perf_counter() - t0) * 1000)
print("lora_step_ms %.3f" % statistics.median(times))
print("baseline_rss_mib %.1f" % BASELINE_MIB)
print("peak_rss_mib %.1f" % status_mib("VmHWM:"))
