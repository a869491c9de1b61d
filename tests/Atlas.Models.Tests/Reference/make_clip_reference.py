#!/usr/bin/python3
"""Builds clip_reference.json: a tiny CLIP written the way OpenAI CLIP / open_clip write it (sequence-first
nn.MultiheadAttention, nn.LayerNorm, QuickGELU MLP, EOT pooling at argmax of the ids), with seeded random weights,
fixed inputs and the embeddings PyTorch computes. The C# test runs ClipForward on the same weights and compares.

Run with Debian's python3-torch:  /usr/bin/python3 make_clip_reference.py  (writes next to this script)
"""
import base64
import json
import math
import os
from collections import OrderedDict

import torch
from torch import nn

VISION = dict(image_size=28, channels=1, patch_size=7, width=32, layers=2, heads=2, mlp_ratio=4, embed_dim=16)
# Text differs from vision in width and head count so that a swapped config or head split shows up.
TEXT = dict(context_length=8, vocab_size=64, width=24, layers=2, heads=3, mlp_ratio=4, embed_dim=16)


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class ResidualAttentionBlock(nn.Module):
    def __init__(self, width, heads, mlp_ratio):
        super().__init__()
        self.ln_1 = nn.LayerNorm(width)
        self.attn = nn.MultiheadAttention(width, heads)
        self.ln_2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(OrderedDict([
            ("c_fc", nn.Linear(width, width * mlp_ratio)),
            ("gelu", QuickGELU()),
            ("c_proj", nn.Linear(width * mlp_ratio, width)),
        ]))

    def forward(self, x, attn_mask=None):  # x: [T, N, W]
        y = self.ln_1(x)
        x = x + self.attn(y, y, y, need_weights=False, attn_mask=attn_mask)[0]
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, width, layers, heads, mlp_ratio):
        super().__init__()
        self.resblocks = nn.ModuleList([ResidualAttentionBlock(width, heads, mlp_ratio) for _ in range(layers)])

    def forward(self, x, attn_mask=None):
        for block in self.resblocks:
            x = block(x, attn_mask)
        return x


class VisionTransformer(nn.Module):
    def __init__(self, image_size, channels, patch_size, width, layers, heads, mlp_ratio, embed_dim):
        super().__init__()
        grid = image_size // patch_size
        self.conv1 = nn.Conv2d(channels, width, kernel_size=patch_size, stride=patch_size, bias=False)
        self.class_embedding = nn.Parameter(torch.empty(width))
        self.positional_embedding = nn.Parameter(torch.empty(grid * grid + 1, width))
        self.ln_pre = nn.LayerNorm(width)
        self.transformer = Transformer(width, layers, heads, mlp_ratio)
        self.ln_post = nn.LayerNorm(width)
        self.proj = nn.Parameter(torch.empty(width, embed_dim))

    def forward(self, x):
        x = self.conv1(x)
        x = x.reshape(x.shape[0], x.shape[1], -1).permute(0, 2, 1)
        cls = self.class_embedding + torch.zeros(x.shape[0], 1, x.shape[-1], dtype=x.dtype)
        x = torch.cat([cls, x], dim=1) + self.positional_embedding
        x = self.ln_pre(x)
        x = self.transformer(x.permute(1, 0, 2)).permute(1, 0, 2)
        return self.ln_post(x[:, 0, :]) @ self.proj


class CLIP(nn.Module):
    def __init__(self, vision, text):
        super().__init__()
        self.visual = VisionTransformer(**vision)
        self.transformer = Transformer(text["width"], text["layers"], text["heads"], text["mlp_ratio"])
        self.token_embedding = nn.Embedding(text["vocab_size"], text["width"])
        self.positional_embedding = nn.Parameter(torch.empty(text["context_length"], text["width"]))
        self.ln_final = nn.LayerNorm(text["width"])
        self.text_projection = nn.Parameter(torch.empty(text["width"], text["embed_dim"]))
        self.logit_scale = nn.Parameter(torch.ones([]) * math.log(1 / 0.07))
        n = text["context_length"]
        self.register_buffer("attn_mask", torch.empty(n, n).fill_(float("-inf")).triu_(1), persistent=False)

    def encode_image(self, images):
        return self.visual(images)

    def encode_text(self, tokens):
        x = self.token_embedding(tokens) + self.positional_embedding
        x = self.transformer(x.permute(1, 0, 2), attn_mask=self.attn_mask).permute(1, 0, 2)
        x = self.ln_final(x)
        return x[torch.arange(x.shape[0]), tokens.argmax(dim=-1)] @ self.text_projection


def encode(tensor):
    tensor = tensor.detach().contiguous()
    if tensor.dtype == torch.int64:
        return {"shape": list(tensor.shape), "int64": tensor.flatten().tolist()}
    data = tensor.to(torch.float32).numpy().astype("<f4").tobytes()
    return {"shape": list(tensor.shape), "float32": base64.b64encode(data).decode("ascii")}


def main():
    torch.manual_seed(20240607)
    model = CLIP(VISION, TEXT).eval()
    with torch.no_grad():
        # Random everything (non-zero biases, non-unit LayerNorm affines) so that every weight is exercised.
        for name, p in model.named_parameters():
            if name == "logit_scale":
                continue
            if "ln_" in name and name.endswith(".weight"):
                p.copy_(1 + 0.2 * torch.randn_like(p))
            elif p.dim() == 1:
                p.copy_(0.2 * torch.randn_like(p))
            else:
                p.copy_(torch.randn_like(p) * p[0].numel() ** -0.5)

        images = torch.randn(3, VISION["channels"], VISION["image_size"], VISION["image_size"])
        sot, eot = TEXT["vocab_size"] - 2, TEXT["vocab_size"] - 1
        tokens = torch.tensor([
            [sot, 5, 17, 40, eot, 0, 0, 0],
            [sot, eot, 0, 0, 0, 0, 0, 0],
            [sot, 1, 2, 3, 4, 5, 6, eot],  # EOT in the last slot
            [sot, 61, 33, 9, 60, 12, eot, 0],
        ], dtype=torch.int64)
        image_embeddings = model.encode_image(images)
        text_embeddings = model.encode_text(tokens)

    fixture = {
        "generator": "make_clip_reference.py with torch " + torch.__version__,
        "vision": VISION,
        "text": TEXT,
        # state_dict order mirrors open_clip's module structure, so the C# test also checks canonical order.
        "weights": OrderedDict((name, encode(t)) for name, t in model.state_dict().items()),
        "images": encode(images),
        "tokens": encode(tokens),
        "image_embeddings": encode(image_embeddings),
        "text_embeddings": encode(text_embeddings),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "clip_reference.json")
    with open(path, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
