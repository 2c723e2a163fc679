"""The peer of BenchMain's train-step and eval-forward (benchmark only, never part of HSPNet):
the same model and step in plain PyTorch, run the way the original Python implementation runs
them, so that one GPU call times both pipelines on the same card (docs/benchmarks.md, Protocol).
Written from shared/SPEC.md; the sizes are those of src/test/java/hspnet/testutil/SyntheticHspNet.java.

    python3 bench/torch_peer.py [--device cuda|cpu] [--size rn50|small] [--batch 128] [--image-size 224]
        [--warmup 10] [--steps 30] [--amp on|off] [--amp-dtype float16|bfloat16] [--fused on|off]
        [--channels-last on|off] [--cudnn-benchmark on|off] [--text-context full|eot] [--rows-out FILE]

Prints `torch-train-step: median 98.1 ms, 1305 images/s, peak 8.10 GiB` (and torch-eval-forward)
and appends history rows to --rows-out. Exit status 1 when the last training loss is not finite.
CPU smoke: --device cpu --size small --batch 4 --image-size 64 --warmup 1 --steps 2.
Runs under torch 1.13 (Debian 12) and 2.x: only APIs present, and not deprecated, in both.
"""
import argparse
import contextlib
import copy
import datetime
import math
import statistics
import sys
import time
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

GROUP_SIZES = [1, 8, 5, 10, 5, 10, 7, 10, 6, 6, 5, 7]   # COCO's 12 supercategories, 80 labels
VOCAB, SOT, EOT, CONTEXT, N_CTX, REWEIGHT_P = 49408, 49406, 49407, 77, 4, 0.2
# SyntheticHspNet.Size: RN50 is the bar's model; SMALL the seconds-long CPU model
SIZES = {
    "rn50": dict(embed=1024, layers=(3, 4, 6, 3), width=64, text_width=512, text_heads=8, text_layers=12),
    "small": dict(embed=64, layers=(1, 1, 1, 1), width=16, text_width=64, text_heads=2, text_layers=2),
}
GIB = float(1 << 30)


# ---- CLIP (SPEC §1), random weights with OpenAI's initialisation -------------------------------

class Bottleneck(nn.Module):
    def __init__(self, inplanes, planes, stride):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(inplanes, planes, 1, bias=False), nn.BatchNorm2d(planes)
        self.conv2, self.bn2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False), nn.BatchNorm2d(planes)
        # the stride is an average pool after the 3x3 conv (anti-aliased), not a strided conv
        self.avgpool = nn.AvgPool2d(stride) if stride > 1 else nn.Identity()
        self.conv3, self.bn3 = nn.Conv2d(planes, planes * 4, 1, bias=False), nn.BatchNorm2d(planes * 4)
        self.downsample = None
        if stride > 1 or inplanes != planes * 4:
            # OpenAI pools in the shortcut even at stride 1 (a no-op kernel); kept, as the original runs it
            self.downsample = nn.Sequential(OrderedDict([("-1", nn.AvgPool2d(stride)), (
                "0", nn.Conv2d(inplanes, planes * 4, 1, bias=False)), ("1", nn.BatchNorm2d(planes * 4))]))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(self.avgpool(out)))
        identity = x if self.downsample is None else self.downsample(x)
        return F.relu(out + identity)


class AttentionPool2d(nn.Module):
    def __init__(self, spacial, dim, heads, out_dim):
        super().__init__()
        self.positional_embedding = nn.Parameter(torch.randn(spacial * spacial + 1, dim) / dim ** 0.5)
        self.k_proj, self.q_proj, self.v_proj = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.c_proj = nn.Linear(dim, out_dim)
        self.heads = heads

    def forward(self, x):
        x = x.flatten(start_dim=2).permute(2, 0, 1)                       # (HW, N, C)
        x = torch.cat([x.mean(dim=0, keepdim=True), x], dim=0)
        x = x + self.positional_embedding[:, None, :].to(x.dtype)
        # only the mean token is queried, as OpenAI's current CLIP does (and our AttentionPool2d)
        out, _ = F.multi_head_attention_forward(
            query=x[:1], key=x, value=x, embed_dim_to_check=x.shape[-1], num_heads=self.heads,
            q_proj_weight=self.q_proj.weight, k_proj_weight=self.k_proj.weight, v_proj_weight=self.v_proj.weight,
            in_proj_weight=None, in_proj_bias=torch.cat([self.q_proj.bias, self.k_proj.bias, self.v_proj.bias]),
            bias_k=None, bias_v=None, add_zero_attn=False, dropout_p=0.0, out_proj_weight=self.c_proj.weight,
            out_proj_bias=self.c_proj.bias, use_separate_proj_weight=True, training=self.training, need_weights=False)
        return out.squeeze(0)


class ModifiedResNet(nn.Module):
    def __init__(self, layers, out_dim, heads, resolution, width):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(3, width // 2, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(width // 2)
        self.conv2, self.bn2 = nn.Conv2d(width // 2, width // 2, 3, padding=1, bias=False), nn.BatchNorm2d(width // 2)
        self.conv3, self.bn3 = nn.Conv2d(width // 2, width, 3, padding=1, bias=False), nn.BatchNorm2d(width)
        self.avgpool = nn.AvgPool2d(2)
        inplanes, stages = width, []
        for s, n in enumerate(layers):
            blocks = []
            for b in range(n):
                blocks.append(Bottleneck(inplanes, width << s, 2 if b == 0 and s > 0 else 1))
                inplanes = (width << s) * 4
            stages.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.attnpool = AttentionPool2d(resolution // 32, width * 32, heads, out_dim)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        x = self.avgpool(F.relu(self.bn3(self.conv3(x))))
        return self.attnpool(self.layer4(self.layer3(self.layer2(self.layer1(x)))))


class ResidualAttentionBlock(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.attn = nn.MultiheadAttention(width, heads)               # sequence-first, as OpenAI's
        self.ln_1 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(OrderedDict([("c_fc", nn.Linear(width, 4 * width)), ("c_proj", nn.Linear(4 * width, width))]))
        self.ln_2 = nn.LayerNorm(width)

    def forward(self, x, mask):
        h = self.ln_1(x)
        x = x + self.attn(h, h, h, need_weights=False, attn_mask=mask.to(h.dtype))[0]
        h = self.mlp.c_fc(self.ln_2(x))
        return x + self.mlp.c_proj(h * torch.sigmoid(1.702 * h))     # QuickGELU


class TextEncoder(nn.Module):
    """CLIP's text path from token embeddings on; HSPNet feeds it prompt embeddings."""

    def __init__(self, width, heads, layers, embed):
        super().__init__()
        self.positional_embedding = nn.Parameter(torch.empty(CONTEXT, width).normal_(0, 0.01))
        self.transformer = nn.Module()                                  # the original's state-dict names
        self.transformer.resblocks = nn.ModuleList([ResidualAttentionBlock(width, heads) for _ in range(layers)])
        self.ln_final = nn.LayerNorm(width)
        self.text_projection = nn.Parameter(torch.empty(width, embed).normal_(0, width ** -0.5))
        # causal mask: -inf above the diagonal
        self.register_buffer("mask", torch.full((CONTEXT, CONTEXT), float("-inf")).triu_(1), persistent=False)
        proj_std, attn_std, fc_std = width ** -0.5 * (2 * layers) ** -0.5, width ** -0.5, (2 * width) ** -0.5
        for b in self.transformer.resblocks:                            # OpenAI's initialize_parameters
            nn.init.normal_(b.attn.in_proj_weight, std=attn_std)
            nn.init.zeros_(b.attn.in_proj_bias)
            nn.init.normal_(b.attn.out_proj.weight, std=proj_std)
            nn.init.zeros_(b.attn.out_proj.bias)
            nn.init.normal_(b.mlp.c_fc.weight, std=fc_std)
            nn.init.normal_(b.mlp.c_proj.weight, std=proj_std)

    def forward(self, prompts, eot, length):
        # length 77 runs the whole context as the original does; EOT + 1 is our text tower's shortcut
        x = prompts[:, :length] + self.positional_embedding[:length].to(prompts.dtype)
        x = x.permute(1, 0, 2)
        mask = self.mask[:length, :length]
        for block in self.transformer.resblocks:
            x = block(x, mask)
        x = self.ln_final(x.permute(1, 0, 2))
        return x[torch.arange(x.shape[0], device=x.device), eot] @ self.text_projection


# ---- HSPNet (SPEC §2) ------------------------------------------------------------------------

def split_relation(r, p):
    """Row top-int(3n/4) of the cosine block, diagonal zeroed, row scaled to sum p, diagonal 1-p."""
    n = r.shape[0]
    idx = r.topk(int(3 / 4 * n), dim=1).indices
    a = torch.zeros_like(r).scatter_(1, idx, r.gather(1, idx))
    a.fill_diagonal_(0)
    s = a.sum(dim=1, keepdim=True)
    a = torch.where(s == 0, torch.zeros_like(a), a / s * p)
    return a.fill_diagonal_(1 - p)


class GraphConvolution(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_in, n_out).uniform_(-1 / math.sqrt(n_out), 1 / math.sqrt(n_out)))

    def forward(self, x, adj):
        return adj @ (x @ self.weight)


class HGCN(nn.Module):
    def __init__(self, e):
        super().__init__()
        self.gc1, self.gc2, self.gc3 = GraphConvolution(e, 2 * e), GraphConvolution(2 * e, 2 * e), GraphConvolution(2 * e, e)
        self.gamma = nn.Parameter(torch.full((1,), 0.9))

    def forward(self, x, adj):
        h = F.leaky_relu(self.gc1(x, adj), 0.2)
        h = F.leaky_relu(self.gc2(h, adj), 0.2)
        return self.gamma * self.gc3(h, adj) + (1 - self.gamma) * x


class HSPNet(nn.Module):
    def __init__(self, s, image_size, seed):
        super().__init__()
        g, c, d, e = len(GROUP_SIZES), sum(GROUP_SIZES), s["text_width"], s["embed"]
        token_embedding = nn.Embedding(VOCAB, d)                        # used to build the prompts only
        nn.init.normal_(token_embedding.weight, std=0.02)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))   # unused, as the original's
        parents = [rows([320, 1125, 539, 320, 1000 + i, 269]) for i in range(g)]   # "a photo of a {group}."
        children, group_of = [], []
        for i, n in enumerate(GROUP_SIZES):
            for _ in range(n):
                k = len(children)                                       # "X X X X {label}.", 1-3 name tokens
                children.append(rows([343] * N_CTX + [2000 + 7 * k + x for x in range(1 + k % 3)] + [269]))
                group_of.append(i)
        parents, children = torch.tensor(parents), torch.tensor(children)
        with torch.no_grad():
            pe, ce = token_embedding(parents), token_embedding(children)
        self.parent_prompt_learner = nn.Module()
        self.parent_prompt_learner.ctx = nn.Parameter(pe[0, 1:1 + N_CTX].clone())  # never used: no gradient
        for name, t in (("token_prefix", pe[:, :1]), ("token_suffix", pe[:, 1 + N_CTX:]),
                        ("token_middle", pe[:, 1:1 + N_CTX]), ("embedding", pe)):
            self.parent_prompt_learner.register_buffer(name, t.clone())
        self.child_prompt_learner = nn.Module()
        self.child_prompt_learner.register_buffer("token_prefix", ce[:, :1].clone())
        self.child_prompt_learner.register_buffer("token_suffix", ce[:, 1 + N_CTX:].clone())
        self.child_prompt_learner.meta_net = nn.Sequential()
        self.child_prompt_learner.meta_net.add_module("linear1", nn.Linear(e, N_CTX * d))
        self.child_prompt_learner.meta_net.add_module("relu", nn.ReLU(inplace=True))
        self.child_prompt_learner.meta_net.add_module("linear2", nn.Linear(N_CTX * d, N_CTX * d))
        self.image_encoder = ModifiedResNet(s["layers"], e, max(1, s["width"] * 32 // 64), image_size, s["width"])
        self.text_encoder = TextEncoder(d, s["text_heads"], s["text_layers"], e)
        self.gcn = HGCN(e)
        # plain tensors, not in the state dict (the original rebuilds them from its relation file)
        gen = torch.Generator().manual_seed(seed)
        v = F.normalize(torch.randn(c + g, 64, generator=gen), dim=1)
        r = v @ v.t()                                                   # cosine of random unit vectors
        self.register_buffer("rel_child", split_relation(r[:c, :c], REWEIGHT_P), persistent=False)
        self.register_buffer("rel_parent", split_relation(r[c:, c:], REWEIGHT_P), persistent=False)
        self.register_buffer("group_of", torch.tensor(group_of), persistent=False)
        self.register_buffer("parent_eot", parents.argmax(dim=-1), persistent=False)
        self.register_buffer("child_eot", children.argmax(dim=-1), persistent=False)
        self.parent_len = self.child_len = CONTEXT
        self.eot_len = (int(parents.argmax(-1).max()) + 1, int(children.argmax(-1).max()) + 1)
        p = self.image_encoder.attnpool                                 # OpenAI's initialize_parameters
        for w in (p.q_proj.weight, p.k_proj.weight, p.v_proj.weight, p.c_proj.weight):
            nn.init.normal_(w, std=p.c_proj.in_features ** -0.5)
        for m in self.image_encoder.modules():
            if isinstance(m, Bottleneck):
                nn.init.zeros_(m.bn3.weight)

    def text_features(self):
        """Label features (C, E), L2-normalised: prompts -> text tower -> GCN, both levels."""
        # the group features are recomputed every forward, as the original does (we cache them)
        tp = self.text_encoder(self.parent_prompt_learner.embedding, self.parent_eot, self.parent_len)
        tp = self.gcn(tp, self.rel_parent)
        cl = self.child_prompt_learner
        ctx = cl.meta_net(tp)[self.group_of].view(len(self.group_of), N_CTX, -1)
        tc = self.text_encoder(torch.cat([cl.token_prefix, ctx, cl.token_suffix], dim=1), self.child_eot, self.child_len)
        tc = self.gcn(tc, self.rel_child)
        return tc / tc.norm(dim=-1, keepdim=True)

    def logits(self, image_features, text_features):
        img = image_features / image_features.norm(dim=-1, keepdim=True)
        return 10.0 * img @ text_features.t()                           # a fixed 10, not CLIP's logit_scale

    def forward(self, images):
        return self.logits(self.image_encoder(images), self.text_features())


def rows(words):
    return ([SOT] + words + [EOT] + [0] * CONTEXT)[:CONTEXT]


# ---- training recipe (SPEC §3, ModelBench.recipe) ----------------------------------------------

def splc(logits, targets, epoch, tau=0.6, change_epoch=1, margin=1.0, gamma=2.0):
    z = torch.where(targets == 1, logits - margin, logits)
    if epoch >= change_epoch:
        with torch.no_grad():
            targets = torch.where(torch.sigmoid(z) > tau, torch.ones_like(targets), targets)
    p = torch.sigmoid(z)
    w = ((1 - p) * targets + p * (1 - targets)) ** gamma                 # not detached, as the original
    return (-(targets * F.logsigmoid(z) + (1 - targets) * F.logsigmoid(-z)) * w).sum()


def param_groups(model, wd):
    """add_weight_decay(): [non-GCN no-decay, non-GCN decay, GCN no-decay, GCN decay], trainable only."""
    groups = [[], [], [], []]
    for name, p in model.named_parameters():
        if p.requires_grad:
            groups[2 * name.startswith("gc") + (not (p.dim() == 1 or name.endswith(".bias")))].append(p)
    return [{"params": ps, "weight_decay": wd if i % 2 else 0.0} for i, ps in enumerate(groups)]


def ema_update(ema, model, decay):
    # the original's ModelEma: every state entry, one tensor at a time; int buffers truncate in copy_
    with torch.no_grad():
        for e, m in zip(ema.state_dict().values(), model.state_dict().values()):
            e.copy_(decay * e + (1.0 - decay) * m)


def make_optimizer(model, max_lr, total_steps, wd=1e-4, fused=False):
    """train.py's Adam (global weight_decay 0, L2 per group) and per-step OneCycleLR (pct_start 0.2)."""
    kwargs = {"fused": True} if fused else {}                           # the kwarg exists from torch 2.0 on
    optimizer = torch.optim.Adam(param_groups(model, wd), lr=max_lr[0], weight_decay=0, **kwargs)
    return optimizer, torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=max_lr, total_steps=total_steps, pct_start=0.2)


def make_scaler(enabled):
    if hasattr(getattr(torch, "amp", None), "GradScaler"):
        return torch.amp.GradScaler("cuda", enabled=enabled)
    return torch.cuda.amp.GradScaler(enabled=enabled)                   # torch < 2.3 has only this (now deprecated) one


def train_step(model, ema, decay, optimizer, scheduler, scaler, autocast, images, targets, epoch):
    """train.py's order: forward (autocast), SPLC, zero_grad, scaled backward, step, update, OneCycle, EMA."""
    with autocast():
        logits = model(images).float()
    loss = splc(logits, targets, epoch)
    optimizer.zero_grad(set_to_none=True)                               # torch 2.x's default, as model.zero_grad()
    scaler.scale(loss).backward()
    scaler.step(optimizer)                                              # reads found_inf: one host sync, as the original
    scaler.update()
    scheduler.step()
    ema_update(ema, model, decay)
    return loss.detach(), logits.detach()


def timed(step, warmup, steps, cuda):
    """Warm-up, then each step between two synchronisations; median ms and the allocator's peak."""
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    for i in range(warmup):
        step(i)
    sync()
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    ms = []
    for i in range(steps):
        sync()
        t0 = time.perf_counter()
        step(warmup + i)
        sync()
        ms.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(ms), min(ms), max(ms), (torch.cuda.max_memory_allocated() / GIB if cuda else None)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    onoff = lambda v: {"on": True, "true": True, "off": False, "false": False}[v]
    ap.add_argument("--device", choices=["cuda", "cpu"], default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--size", choices=sorted(SIZES))
    ap.add_argument("--batch", type=int)
    ap.add_argument("--image-size", type=int)
    ap.add_argument("--warmup", type=int)
    ap.add_argument("--steps", type=int)
    ap.add_argument("--amp", type=onoff, default=True)
    ap.add_argument("--amp-dtype", choices=["float16", "bfloat16"], default="float16")
    # BenchArgs' defaults, mirrored. The original runs NCHW, leaves cudnn.benchmark off, and uses
    # torch.optim.Adam's default implementation (per tensor in its torch 1.x; foreach in torch 2.x)
    ap.add_argument("--fused", type=onoff, default=False, help="Adam(fused=True), torch >= 2.0")
    ap.add_argument("--channels-last", type=onoff, default=True)
    ap.add_argument("--cudnn-benchmark", type=onoff, default=True)
    ap.add_argument("--text-context", choices=["full", "eot"], default="full",
                    help="full: 77 positions as the original; eot: EOT + 1 of the longest prompt, as ours")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rows-out")
    a = ap.parse_args()
    cuda = a.device == "cuda"
    if cuda and not torch.cuda.is_available():
        sys.exit("torch_peer: --device cuda but torch sees no CUDA device")
    # the same device-dependent defaults as BenchArgs
    pick = lambda v, on_gpu, on_cpu: v if v is not None else (on_gpu if cuda else on_cpu)
    a.size = pick(a.size, "rn50", "small")
    a.batch, a.warmup, a.steps = pick(a.batch, 128, 8), pick(a.warmup, 10, 2), pick(a.steps, 30, 5)
    a.image_size = pick(a.image_size, 224, 224 if a.size == "rn50" else 64)
    if a.image_size % 32 or a.batch < 1 or a.steps < 1 or a.warmup < 0:
        sys.exit("torch_peer: --image-size must be a multiple of 32, --batch and --steps positive")
    dev = torch.device(a.device)
    channels_last = cuda and a.channels_last
    if cuda:
        torch.backends.cudnn.benchmark = a.cudnn_benchmark
    card = torch.cuda.get_device_name(dev) if cuda else "cpu"
    amp_dtype = torch.float16 if a.amp_dtype == "float16" else torch.bfloat16
    mixed = cuda and a.amp
    print("torch_peer: torch %s, device %s%s" % (torch.__version__, card, " (CUDA %s, cuDNN %s)" % (
        torch.version.cuda, torch.backends.cudnn.version()) if cuda else " (%d threads)" % torch.get_num_threads()))
    print("  CLIP %s, batch %d, %d px, %d labels in %d groups; warm-up %d, median of %d steps" % (
        a.size, a.batch, a.image_size, sum(GROUP_SIZES), len(GROUP_SIZES), a.warmup, a.steps))
    w = lambda f: "on" if f else "off"
    print("  amp %s (%s), fused Adam %s, channels-last %s, cuDNN benchmark %s, text context %s, group features recomputed"
          % (w(mixed), a.amp_dtype, w(a.fused), w(channels_last), w(cuda and a.cudnn_benchmark), a.text_context))

    torch.manual_seed(a.seed)
    model = HSPNet(SIZES[a.size], a.image_size, a.seed)
    if a.text_context == "eot":
        model.parent_len, model.child_len = model.eot_len
    for name, p in model.named_parameters():                            # the trainer freezes the text tower
        if "text_encoder" in name:
            p.requires_grad_(False)
    model.to(dev)
    memory_format = torch.channels_last if channels_last else torch.contiguous_format
    model.image_encoder.to(memory_format=memory_format)
    images = torch.randn(a.batch, 3, a.image_size, a.image_size, device=dev).contiguous(memory_format=memory_format)
    c = sum(GROUP_SIZES)
    targets = torch.zeros(a.batch, c, dtype=torch.long, device=dev)
    targets.scatter_(1, torch.randint(c, (a.batch, 1), device=dev), 1)  # one random positive per image
    autocast = (lambda: torch.autocast(device_type="cuda", dtype=amp_dtype)) if mixed else contextlib.nullcontext
    date = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    out_rows = []

    def report(name, t):
        med, lo, hi, peak = t
        ips = a.batch * 1000.0 / med
        print("%s: median %.1f ms, %.0f images/s, peak %s (min %.1f, max %.1f ms)" % (
            name, med, ips, "%.2f GiB" % peak if peak is not None else "-", lo, hi))
        out_rows.append("| %s | python-peer | %s | %s | %d | %.1f | %.0f | %s |" % (
            date, card, name, a.batch, med, ips, "%.2f" % peak if peak is not None else "-"))

    # (b) eval-forward first, as BenchMain: the label features once, then image tower + logits + sigmoid
    model.eval()
    with torch.no_grad(), autocast():
        label_features = model.text_features()

    def eval_step(i):
        with torch.no_grad(), autocast():
            torch.sigmoid(model.logits(model.image_encoder(images), label_features))

    report("torch-eval-forward", timed(eval_step, a.warmup, a.steps, cuda))
    del label_features

    # (a) train-step: the EMA a copy of the model, Adam over the four groups, OneCycle, GradScaler
    ema = copy.deepcopy(model).eval()
    model.train()                                                       # epoch >= 1: BatchNorm on batch stats
    optimizer, scheduler = make_optimizer(model, [1e-4, 1e-4, 5e-4, 5e-4], 641 * 80, fused=a.fused)
    scaling = mixed and amp_dtype == torch.float16                      # bf16 needs no loss scaling
    scaler = make_scaler(scaling)
    decay = 0.82 ** (1.0 / 641)                                         # ModelEma.decayForStepsPerEpoch(641)
    last = {}

    def step(i):                                                        # SPLC correcting, as from epoch 1
        last["loss"] = train_step(model, ema, decay, optimizer, scheduler, scaler, autocast, images, targets, 1)[0]

    before = torch.cuda.memory_allocated() if cuda else None
    t = timed(step, a.warmup, a.steps, cuda)
    report("torch-train-step", t)
    loss = float(last["loss"])
    print("    last loss %.4f; loss scale %.0f%s" % (loss, scaler.get_scale() if scaling else 1.0, "" if not cuda else
          "; allocated %.3f GiB before the timed steps, %.3f GiB after" % (before / GIB, torch.cuda.memory_allocated() / GIB)))
    if a.rows_out:
        with open(a.rows_out, "a") as f:
            f.write("".join(r + "\n" for r in out_rows))
    if not math.isfinite(loss):
        print("FAIL torch-train-step: the loss is %s after %d steps" % (loss, a.warmup + a.steps))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
