"""The bench's PyTorch side: the mini CLIP image tower and the four measured steps, written directly in PyTorch.

Each call times one operation (forward, finetune, atlas or lora) on a fixed random batch, or this torch's matrix-product
peak (matmul), or recomputes the logits the project exported (check: weights, images and head as raw float32 files
named in manifest.json) and reports how far they are from the project's, and prints one JSON object.
The tower mirrors Atlas.Models (pre-LN transformer, fused q/k/v projection, QuickGELU, class token, ln_post, proj) and
the steps mirror Atlas.Training (cross-entropy through a frozen head, global grad-norm clipping at 1, AdamW). Attention
is written out (softmax(QKᵀ/√d)V) because torch 1.13 has no scaled_dot_product_attention.
"""
import argparse
import json
import math
import os
import re
import statistics
import time

import torch
import torch.nn.functional as F


def parse():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--op", required=True, choices=["forward", "finetune", "atlas", "lora", "matmul", "check"])
    for name, default in [("image", 28), ("channels", 1), ("patch", 7), ("width", 64), ("layers", 4), ("heads", 4),
                          ("mlp-ratio", 4), ("embed", 64), ("batch", 32), ("classes", 10), ("tasks", 7), ("rank", 16),
                          ("threads", 1), ("steps", 30), ("warmup", 5), ("seed", 1), ("matmul-side", 1024)]:
        p.add_argument("--" + name, type=int, default=default)
    p.add_argument("--alpha", type=float, default=32.0)
    p.add_argument("--exported", help="folder the project exported for --op check")
    return p.parse_args()


def tower_weights(a, g):
    w, grid = a.width, (a.image // a.patch) ** 2
    def normal(*shape, std=0.02):
        return torch.randn(*shape, generator=g) * std
    weights = {
        "visual.conv1.weight": normal(w, a.channels, a.patch, a.patch),
        "visual.class_embedding": normal(w),
        "visual.positional_embedding": normal(grid + 1, w),
        "visual.ln_pre.weight": torch.ones(w), "visual.ln_pre.bias": torch.zeros(w),
        "visual.ln_post.weight": torch.ones(w), "visual.ln_post.bias": torch.zeros(w),
        "visual.proj": normal(w, a.embed),
    }
    for layer in range(a.layers):
        b = f"visual.transformer.resblocks.{layer}."
        hidden = w * a.mlp_ratio
        weights.update({
            b + "ln_1.weight": torch.ones(w), b + "ln_1.bias": torch.zeros(w),
            b + "ln_2.weight": torch.ones(w), b + "ln_2.bias": torch.zeros(w),
            b + "attn.in_proj_weight": normal(3 * w, w), b + "attn.in_proj_bias": torch.zeros(3 * w),
            b + "attn.out_proj.weight": normal(w, w), b + "attn.out_proj.bias": torch.zeros(w),
            b + "mlp.c_fc.weight": normal(hidden, w), b + "mlp.c_fc.bias": torch.zeros(hidden),
            b + "mlp.c_proj.weight": normal(w, hidden), b + "mlp.c_proj.bias": torch.zeros(w),
        })
    return weights


def encode_image(images, w, a):
    x = F.conv2d(images, w["visual.conv1.weight"], stride=a.patch).flatten(2).transpose(1, 2)
    n, width = x.shape[0], a.width
    x = torch.cat([w["visual.class_embedding"].view(1, 1, width).expand(n, 1, width), x], 1) + w["visual.positional_embedding"]
    x = F.layer_norm(x, (width,), w["visual.ln_pre.weight"], w["visual.ln_pre.bias"], 1e-5)
    head_dim = width // a.heads
    for layer in range(a.layers):
        b = f"visual.transformer.resblocks.{layer}."
        h = F.layer_norm(x, (width,), w[b + "ln_1.weight"], w[b + "ln_1.bias"], 1e-5)
        tokens = h.shape[1]
        qkv = F.linear(h, w[b + "attn.in_proj_weight"], w[b + "attn.in_proj_bias"])
        q, k, v = qkv.view(n, tokens, 3, a.heads, head_dim).permute(2, 0, 3, 1, 4)
        attended = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(head_dim), -1) @ v
        attended = attended.transpose(1, 2).reshape(n, tokens, width)
        x = x + F.linear(attended, w[b + "attn.out_proj.weight"], w[b + "attn.out_proj.bias"])
        h = F.layer_norm(x, (width,), w[b + "ln_2.weight"], w[b + "ln_2.bias"], 1e-5)
        h = F.linear(h, w[b + "mlp.c_fc.weight"], w[b + "mlp.c_fc.bias"])
        h = h * torch.sigmoid(1.702 * h)
        x = x + F.linear(h, w[b + "mlp.c_proj.weight"], w[b + "mlp.c_proj.bias"])
    pooled = F.layer_norm(x[:, 0], (width,), w["visual.ln_post.weight"], w["visual.ln_post.bias"], 1e-5)
    return pooled @ w["visual.proj"]


def step_seconds(step, warmup, steps):
    times = []
    for i in range(warmup + steps):
        started = time.perf_counter()
        step()
        if i >= warmup:
            times.append(time.perf_counter() - started)
    return times


def report(a, **fields):
    blas = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    print(json.dumps({"op": a.op, **fields, "torch": torch.__version__, "blas": blas.group(1) if blas else "unknown",
                      "threads": torch.get_num_threads()}))


def check(a):
    import numpy as np
    with open(os.path.join(a.exported, "manifest.json")) as f:
        manifest = json.load(f)
    tensors = {name: torch.from_numpy(np.fromfile(os.path.join(a.exported, entry["file"]), dtype="<f4")).view(entry["shape"])
               for name, entry in manifest.items()}
    weights = {name: t for name, t in tensors.items() if name.startswith("visual.")}
    with torch.no_grad():
        logits = F.normalize(encode_image(tensors["images"], weights, a), dim=-1) @ tensors["head"].t()
    difference = (logits - tensors["logits"]).abs()
    report(a, max_abs_difference=difference.max().item(), max_abs_logit=tensors["logits"].abs().max().item(),
           logits=logits.numel())


def main():
    a = parse()
    torch.set_num_threads(a.threads)
    g = torch.Generator().manual_seed(a.seed)
    if a.op == "check":
        check(a)
        return
    if a.op == "matmul":
        x, y = torch.randn(a.matmul_side, a.matmul_side, generator=g), torch.randn(a.matmul_side, a.matmul_side, generator=g)
        fastest = min(step_seconds(lambda: x @ y, 2, 10))  # a peak: the fastest product, as the project measures it
        report(a, gflops=2 * a.matmul_side ** 3 / fastest / 1e9)
        return
    pretrained = tower_weights(a, g)
    head = F.normalize(torch.randn(a.classes, a.embed, generator=g), dim=-1) * 100
    images = torch.rand(a.batch, a.channels, a.image, a.image, generator=g) * 2 - 1
    labels = torch.randint(0, a.classes, (a.batch,), generator=g)

    def loss_of(weights):
        features = F.normalize(encode_image(images, weights, a), dim=-1)
        return F.cross_entropy(features @ head.t(), labels)

    blocks = list(pretrained)
    if a.op == "forward":
        trained, compose = {}, None
    elif a.op == "finetune":
        trained = {name: t.clone().requires_grad_(True) for name, t in pretrained.items()}
        compose = lambda: trained
    elif a.op == "atlas":
        vectors = [{name: torch.randn(t.shape, generator=g) * 0.01 for name, t in pretrained.items()} for _ in range(a.tasks)]
        stacks = {name: torch.stack([v[name] for v in vectors]) for name in blocks}
        trained = {"coefficients": torch.zeros(a.tasks, len(blocks), requires_grad=True)}
        def compose():
            coefficients = trained["coefficients"]
            return {name: pretrained[name] + (coefficients[:, j].view([-1] + [1] * pretrained[name].dim()) * stacks[name]).sum(0)
                    for j, name in enumerate(blocks)}
    else:
        targets = [n for n in blocks if n.endswith(("attn.in_proj_weight", "attn.out_proj.weight", "c_fc.weight", "c_proj.weight"))]
        trained = {}
        for name in targets:
            out_features, in_features = pretrained[name].shape
            trained[name + ".lora_A"] = (torch.randn(a.rank, in_features, generator=g) / math.sqrt(in_features)).requires_grad_(True)
            trained[name + ".lora_B"] = torch.zeros(out_features, a.rank, requires_grad=True)
        scale = a.alpha / a.rank
        def compose():
            merged = dict(pretrained)
            for name in targets:
                merged[name] = pretrained[name] + trained[name + ".lora_B"] @ trained[name + ".lora_A"] * scale
            return merged
    optimizer = torch.optim.AdamW(list(trained.values()), lr=1e-5, weight_decay=0.1) if trained else None

    def step():
        if optimizer is None:
            with torch.no_grad():
                loss_of(pretrained)
            return
        loss = loss_of(compose())
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(trained.values()), 1.0)
        optimizer.step()
        optimizer.zero_grad()

    report(a, median_ms=statistics.median(step_seconds(step, a.warmup, a.steps)) * 1000, steps=a.steps)


if __name__ == "__main__":
    main()
