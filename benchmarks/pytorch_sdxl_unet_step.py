"""PyTorch eager peer for `./moslora sdxl bench`: the same SDXL-family UNet (diffusers' UNet2DConditionModel
blocks, written out here in plain torch because Debian has no diffusers) built from the same unet config JSON,
timing the same two cases as the Java side:

- one DreamBooth training step with LoRA (rank r, alpha = r, on to_q, to_k, to_v, to_out.0; frozen base):
  noise latents at a random timestep (SDXL's scaled-linear schedule), UNet forward with text tokens, pooled
  text embedding and time ids, MSE against the noise, backward, AdamW (lr 1e-4, weight decay 1e-4);
- one denoising step of the plain base: UNet forward on the classifier-free-guidance batch of 2, no autograd,
  then the guidance combination.

Weights are random (only time matters). The two cases run interleaved, in a freshly shuffled order each round;
medians are printed as `lora_step_ms X` and `base_denoise_ms X` (wall time), `lora_step_cpu_ms X` and
`base_denoise_cpu_ms X` (CPU time of the calling thread: all the work with one torch thread, without the waiting
a busy machine adds), with `torch_version` and `torch_threads`. With --count-params it only prints the
parameter counts (`params_base N`, `params_lora_adapter N`), which a Java test compares with ours.
Debian's python3-torch is 1.13: no fused attention, so attention is softmax(q·kᵀ/√d)·v written out.
"""
import os, sys

# Debian's torch 1.13 does not pass torch.set_num_threads on to OpenBLAS (pthreads build), which then uses every
# core: measured 2 BLAS threads after set_num_threads(1). Pin OpenBLAS before torch loads it.
for i, arg in enumerate(sys.argv):
    if arg == "--threads" and i + 1 < len(sys.argv) and int(sys.argv[i + 1]) > 0:
        os.environ["OPENBLAS_NUM_THREADS"] = sys.argv[i + 1]
import argparse, collections, json, math, random, statistics, time
import torch
import torch.nn as nn
import torch.nn.functional as F

TARGETS = ("to_q", "to_k", "to_v", "to_out.0")


# What every block shares from the config (the Java side's UNetBlockSettings).
Settings = collections.namedtuple("Settings", "temb groups eps linear downsample_padding")


def per_block(value, blocks):
    return list(value) if isinstance(value, list) else [value] * blocks


class LoraLinear(nn.Module):
    """base(x) + B(A(x))·alpha/r around a frozen base Linear, PEFT's names; B starts at zero, A gaussian."""

    def __init__(self, base, r):
        super().__init__()
        self.base_layer = base
        base.requires_grad_(False)
        self.lora_A = nn.Linear(base.in_features, r, bias=False)
        self.lora_B = nn.Linear(r, base.out_features, bias=False)
        nn.init.normal_(self.lora_A.weight, std=1.0 / r)
        nn.init.zeros_(self.lora_B.weight)
        self.scaling = 1.0  # alpha = r, as the paper's DreamBooth script

    def forward(self, x):
        return self.base_layer(x) + self.lora_B(self.lora_A(x)) * self.scaling


class Timesteps(nn.Module):
    def __init__(self, dim, flip, shift):
        super().__init__()
        half = dim // 2
        self.dim, self.flip = dim, flip
        k = torch.arange(half, dtype=torch.float64)
        self.register_buffer("freqs", torch.exp(-math.log(10000) * k / (half - shift)).float(), persistent=False)

    def forward(self, t):
        args = t.float().reshape(-1, 1) * self.freqs.reshape(1, -1)
        sin, cos = args.sin(), args.cos()
        emb = torch.cat([cos, sin] if self.flip else [sin, cos], 1)
        return F.pad(emb, (0, 1)) if self.dim % 2 else emb


class TimestepEmbedding(nn.Module):
    def __init__(self, i, d):
        super().__init__()
        self.linear_1, self.linear_2 = nn.Linear(i, d), nn.Linear(d, d)

    def forward(self, x):
        return self.linear_2(F.silu(self.linear_1(x)))


class ResnetBlock2D(nn.Module):
    def __init__(self, i, o, s):
        super().__init__()
        self.norm1 = nn.GroupNorm(s.groups, i, s.eps)
        self.conv1 = nn.Conv2d(i, o, 3, 1, 1)
        self.time_emb_proj = nn.Linear(s.temb, o)
        self.norm2 = nn.GroupNorm(s.groups, o, s.eps)
        self.conv2 = nn.Conv2d(o, o, 3, 1, 1)
        self.conv_shortcut = nn.Conv2d(i, o, 1) if i != o else None

    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return (self.conv_shortcut(x) if self.conv_shortcut is not None else x) + h


class Attention(nn.Module):
    def __init__(self, qdim, cdim, heads, head_dim):
        super().__init__()
        inner = heads * head_dim
        self.heads, self.head_dim = heads, head_dim
        self.to_q = nn.Linear(qdim, inner, bias=False)
        self.to_k = nn.Linear(cdim, inner, bias=False)
        self.to_v = nn.Linear(cdim, inner, bias=False)
        self.to_out = nn.ModuleList([nn.Linear(inner, qdim)])

    def split(self, t):
        b, l, _ = t.shape
        return t.reshape(b, l, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, x, context=None):
        src = x if context is None else context
        q, k, v = self.split(self.to_q(x)), self.split(self.to_k(src)), self.split(self.to_v(src))
        att = (q @ k.transpose(-1, -2) / math.sqrt(self.head_dim)).softmax(-1)
        o = (att @ v).transpose(1, 2)
        return self.to_out[0](o.reshape(o.shape[0], o.shape[1], -1))


class GEGLU(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.proj = nn.Linear(dim, dim * 8)

    def forward(self, x):
        value, gate = self.proj(x).chunk(2, -1)
        return value * F.gelu(gate)


class FeedForward(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.net = nn.ModuleList([GEGLU(dim), nn.Dropout(0.0), nn.Linear(dim * 4, dim)])

    def forward(self, x):
        for layer in self.net:
            x = layer(x)
        return x


class BasicTransformerBlock(nn.Module):
    def __init__(self, dim, heads, head_dim, cdim):
        super().__init__()
        self.norm1, self.norm2, self.norm3 = nn.LayerNorm(dim), nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attn1 = Attention(dim, dim, heads, head_dim)
        self.attn2 = Attention(dim, cdim, heads, head_dim)
        self.ff = FeedForward(dim)

    def forward(self, x, context):
        x = self.attn1(self.norm1(x)) + x
        x = self.attn2(self.norm2(x), context) + x
        return self.ff(self.norm3(x)) + x


class Transformer2DModel(nn.Module):
    def __init__(self, ch, heads, layers, cdim, s):
        super().__init__()
        head_dim = ch // heads
        inner = heads * head_dim
        self.linear = linear = s.linear
        self.norm = nn.GroupNorm(s.groups, ch, 1e-6)
        self.proj_in = nn.Linear(ch, inner) if linear else nn.Conv2d(ch, inner, 1)
        self.transformer_blocks = nn.ModuleList(BasicTransformerBlock(inner, heads, head_dim, cdim) for _ in range(layers))
        self.proj_out = nn.Linear(inner, ch) if linear else nn.Conv2d(inner, ch, 1)

    def forward(self, x, context):
        b, _, h, w = x.shape
        t = self.norm(x)
        if not self.linear:
            t = self.proj_in(t)
        t = t.permute(0, 2, 3, 1).reshape(b, h * w, -1)
        if self.linear:
            t = self.proj_in(t)
        for block in self.transformer_blocks:
            t = block(t, context)
        if self.linear:
            t = self.proj_out(t)
        t = t.reshape(b, h, w, -1).permute(0, 3, 1, 2)
        if not self.linear:
            t = self.proj_out(t)
        return t + x


class Conv(nn.Module):
    """Holder giving diffusers' `downsamplers.0.conv` / `upsamplers.0.conv` names."""

    def __init__(self, ch, stride, padding):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 3, stride, padding)


class DownBlock(nn.Module):
    def __init__(self, s, i, o, layers, cross, heads, tlayers, cdim, down):
        super().__init__()
        self.resnets = nn.ModuleList(ResnetBlock2D(i if n == 0 else o, o, s) for n in range(layers))
        self.attentions = nn.ModuleList(Transformer2DModel(o, heads, tlayers, cdim, s) for _ in range(layers)) if cross else None
        self.downsamplers = nn.ModuleList([Conv(o, 2, s.downsample_padding)]) if down else None

    def forward(self, x, temb, context):
        states = []
        for n, resnet in enumerate(self.resnets):
            x = resnet(x, temb)
            if self.attentions is not None:
                x = self.attentions[n](x, context)
            states.append(x)
        if self.downsamplers is not None:
            x = self.downsamplers[0].conv(x)
            states.append(x)
        return states


class UpBlock(nn.Module):
    def __init__(self, s, i, prev, o, layers, cross, heads, tlayers, cdim, up):
        super().__init__()
        self.resnets = nn.ModuleList(
            ResnetBlock2D((prev if n == 0 else o) + (i if n == layers - 1 else o), o, s) for n in range(layers))
        self.attentions = nn.ModuleList(Transformer2DModel(o, heads, tlayers, cdim, s) for _ in range(layers)) if cross else None
        self.upsamplers = nn.ModuleList([Conv(o, 1, 1)]) if up else None

    def forward(self, x, skips, temb, context):
        for n, resnet in enumerate(self.resnets):
            x = resnet(torch.cat([x, skips.pop()], 1), temb)
            if self.attentions is not None:
                x = self.attentions[n](x, context)
        if self.upsamplers is not None:
            x = self.upsamplers[0].conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))
        return x


class MidBlock(nn.Module):
    def __init__(self, s, ch, heads, tlayers, cdim):
        super().__init__()
        self.attentions = nn.ModuleList([Transformer2DModel(ch, heads, tlayers, cdim, s)])
        self.resnets = nn.ModuleList([ResnetBlock2D(ch, ch, s) for _ in range(2)])

    def forward(self, x, temb, context):
        x = self.resnets[0](x, temb)
        return self.resnets[1](self.attentions[0](x, context), temb)


class UNet2DConditionModel(nn.Module):
    """The subset of diffusers' config our Java UNet builds: (CrossAttn)DownBlock2D / (CrossAttn)UpBlock2D,
    UNetMidBlock2DCrossAttn, positional time embedding, optional text_time added conditioning."""

    def __init__(self, c):
        super().__init__()
        ch = c["block_out_channels"]
        n = len(ch)
        layers = per_block(c.get("layers_per_block", 2), n)
        tlayers = per_block(c.get("transformer_layers_per_block", 1), n)
        heads = per_block(c.get("attention_head_dim", 8), n)
        cdim = per_block(c.get("cross_attention_dim", 1280), n)
        groups, eps = c.get("norm_num_groups", 32), c.get("norm_eps", 1e-5)
        linear = c.get("use_linear_projection", False)
        temb = c.get("time_embedding_dim") or ch[0] * 4
        flip, shift = c.get("flip_sin_to_cos", True), c.get("freq_shift", 0)
        k_in, k_out = c.get("conv_in_kernel", 3), c.get("conv_out_kernel", 3)
        self.conv_in = nn.Conv2d(c.get("in_channels", 4), ch[0], k_in, 1, (k_in - 1) // 2)
        self.time_proj = Timesteps(ch[0], flip, shift)
        self.time_embedding = TimestepEmbedding(ch[0], temb)
        self.text_time = c.get("addition_embed_type") == "text_time"
        if self.text_time:
            self.add_time_proj = Timesteps(c["addition_time_embed_dim"], flip, shift)
            self.add_embedding = TimestepEmbedding(c["projection_class_embeddings_input_dim"], temb)
        s = Settings(temb, groups, eps, linear, c.get("downsample_padding", 1))
        self.down_blocks = nn.ModuleList()
        out = ch[0]
        for i, t in enumerate(c["down_block_types"]):
            prev, out = out, ch[i]
            self.down_blocks.append(DownBlock(s, prev, out, layers[i], t.startswith("CrossAttn"), heads[i], tlayers[i],
                                              cdim[i], i < n - 1))
        self.mid_block = MidBlock(s, ch[-1], heads[-1], tlayers[-1], cdim[-1])
        self.up_blocks = nn.ModuleList()
        out = ch[-1]
        for i, t in enumerate(c["up_block_types"]):
            m = n - 1 - i
            prev, out = out, ch[m]
            self.up_blocks.append(UpBlock(s, ch[max(m - 1, 0)], prev, out, layers[m] + 1, t.startswith("CrossAttn"),
                                          heads[m], tlayers[m], cdim[m], i < n - 1))
        self.conv_norm_out = nn.GroupNorm(groups, ch[0], eps)
        self.conv_out = nn.Conv2d(ch[0], c.get("out_channels", 4), k_out, 1, (k_out - 1) // 2)

    def forward(self, latents, t, context, text_embeds, time_ids):
        b = latents.shape[0]
        emb = self.time_embedding(self.time_proj(t.expand(b) if t.dim() == 0 else t))
        if self.text_time:
            feats = self.add_time_proj(time_ids.flatten()).reshape(b, -1)
            emb = emb + self.add_embedding(torch.cat([text_embeds, feats], 1))
        x = self.conv_in(latents)
        skips = [x]
        for block in self.down_blocks:
            states = block(x, emb, context)
            skips.extend(states)
            x = states[-1]
        x = self.mid_block(x, emb, context)
        for block in self.up_blocks:
            x = block(x, skips, emb, context)
        return self.conv_out(F.silu(self.conv_norm_out(x)))


def check_supported(c):
    for t in c["down_block_types"]:
        assert t in ("DownBlock2D", "CrossAttnDownBlock2D"), t
    for t in c["up_block_types"]:
        assert t in ("UpBlock2D", "CrossAttnUpBlock2D"), t
    assert c.get("mid_block_type", "UNetMidBlock2DCrossAttn") == "UNetMidBlock2DCrossAttn"
    assert c.get("addition_embed_type") in (None, "text_time")
    assert c.get("resnet_out_scale_factor", 1.0) == 1.0 and c.get("time_embedding_type", "positional") == "positional"


def inject_lora(model, r):
    """Wraps every Linear whose path ends with a target name, as PEFT matches target_modules."""
    model.requires_grad_(False)
    for path, module in list(model.named_modules()):
        if isinstance(module, nn.Linear) and any(path == t or path.endswith("." + t) for t in TARGETS):
            parent_path, _, name = path.rpartition(".")
            parent = model.get_submodule(parent_path)
            if isinstance(parent, nn.ModuleList):
                parent[int(name)] = LoraLinear(module, r)
            else:
                setattr(parent, name, LoraLinear(module, r))
    return model


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--config", required=True, help="a diffusers unet/config.json")
    # size: the latents' side; seq: text tokens (77, CLIP's context) — the Java side passes both
    for k, v in dict(rank=4, rounds=10, warmup=2, threads=0, size=32, seq=77, seed=0).items():
        p.add_argument("--" + k, type=int, default=v)
    p.add_argument("--count-params", action="store_true")
    a = p.parse_args()
    with open(a.config) as f:
        c = json.load(f)
    check_supported(c)
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    base = UNet2DConditionModel(c)
    lora = inject_lora(UNet2DConditionModel(c), a.rank)
    adapter = sum(p.numel() for p in lora.parameters() if p.requires_grad)
    if a.count_params:
        print("params_base %d" % sum(p.numel() for p in base.parameters()))
        print("params_lora_adapter %d" % adapter)
        return

    size, channels = a.size, c.get("in_channels", 4)
    cdim = per_block(c.get("cross_attention_dim", 1280), len(c["block_out_channels"]))[0]
    pooled = c["projection_class_embeddings_input_dim"] - 6 * c["addition_time_embed_dim"] if c.get("addition_embed_type") == "text_time" else 0
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=torch.float64) ** 2  # SDXL's scaled_linear
    alphas_cumprod = torch.cumprod(1 - betas, 0)
    ids = torch.tensor([[size * 8, size * 8, 0, 0, size * 8, size * 8]], dtype=torch.float32)
    x0 = torch.randn(1, channels, size, size)
    context, text_embeds = torch.randn(1, a.seq, cdim), torch.randn(1, pooled)
    opt = torch.optim.AdamW([p for p in lora.parameters() if p.requires_grad], lr=1e-4, weight_decay=1e-4)
    rng = random.Random(a.seed)

    def train_step():
        t = rng.randrange(1000)
        noise = torch.randn_like(x0)
        abar = alphas_cumprod[t].item()
        noisy = x0 * math.sqrt(abar) + noise * math.sqrt(1 - abar)
        opt.zero_grad(set_to_none=False)
        pred = lora(noisy, torch.tensor([float(t)]), context, text_embeds, ids)
        F.mse_loss(pred, noise).backward()
        opt.step()

    latents2 = torch.randn(2, channels, size, size)
    context2, text_embeds2 = torch.randn(2, a.seq, cdim), torch.randn(2, pooled)
    ids2 = ids.repeat(2, 1)

    def denoise_step():
        with torch.no_grad():
            out = base(latents2, torch.tensor([500.0, 500.0]), context2, text_embeds2, ids2)
            uncond, text = out.chunk(2)
            (uncond + 5.0 * (text - uncond)).sum().item()

    cases = {"lora_step": train_step, "base_denoise": denoise_step}
    wall, cpu = {k: [] for k in cases}, {k: [] for k in cases}
    order = random.Random(42)
    names = list(cases)
    for r in range(-a.warmup, a.rounds):
        order.shuffle(names)
        for name in names:
            c0, t0 = time.thread_time(), time.perf_counter()
            cases[name]()
            if r >= 0:
                wall[name].append((time.perf_counter() - t0) * 1000)
                cpu[name].append((time.thread_time() - c0) * 1000)
    print("torch_version", torch.__version__)
    print("torch_threads", torch.get_num_threads())
    for name in cases:
        print("%s_ms %.3f" % (name, statistics.median(wall[name])))
        print("%s_cpu_ms %.3f" % (name, statistics.median(cpu[name])))


if __name__ == "__main__":
    main()
