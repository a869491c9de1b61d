#!/usr/bin/python3
"""Parity goldens for real-CLIP loading: a small random CLIP written here from the published architecture (the CLIP
paper and Hugging Face's CLIPModel structure; NOT transformers itself, which this machine does not have), its weights
saved under Hugging Face's names (fp32 and fp16) and open_clip's names, a Hugging Face config.json per MLP activation,
fixed inputs, and the unnormalised embeddings this implementation computes.

Run with Debian's python3-torch 1.13:  /usr/bin/python3 make_parity.py  (writes next to this script)

Architecture, as CLIPModel.get_image_features / get_text_features compute it:
  image: conv patch embedding (no bias) -> [class embedding; patches] + position embedding -> pre_layrnorm ->
         pre-norm blocks -> post_layernorm of the class token -> visual_projection (no bias)
  text:  token embedding + position embedding -> causal pre-norm blocks -> final_layer_norm -> the row at the
         end-of-text position (argmax of input_ids; end-of-text is the highest id, as in CLIP) -> text_projection
  block: x + out_proj(attention(q_proj, k_proj, v_proj of layer_norm1(x))); then x + fc2(act(fc1(layer_norm2(x))))
  attention: heads are contiguous slices of the width, scores scaled by head_dim^-0.5, softmax, heads concatenated.
  act: quick_gelu x*sigmoid(1.702x) (OpenAI's weights) or gelu (exact erf).  LayerNorm eps 1e-5.

Every weight is exactly representable in fp16, so the fp16 copy must reproduce the same goldens.
The tokenizer vocabulary is transformers' test_tokenization_clip.py example (23 ids; start-of-text 21, end-of-text 22,
the highest id as in CLIP), so input_ids rows 0, 1 and 3 are what CLIP's tokenizer makes of "lower newer", "lower"
and "" with that vocabulary.
"""
import json
import math
import os
import struct
from collections import OrderedDict

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))

# Text differs from vision in width so that a swapped tower or a wrong transpose shows up; the projections are not square.
VISION = dict(image_size=32, num_channels=3, patch_size=8, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
              intermediate_size=128)
TEXT = dict(vocab_size=23, max_position_embeddings=16, hidden_size=24, num_hidden_layers=2, num_attention_heads=4,
            intermediate_size=96)
PROJECTION_DIM = 16
LAYER_NORM_EPS = 1e-5
START_OF_TEXT, END_OF_TEXT = 21, 22

# transformers' CLIP tokenizer test: "lower" -> lo w er</w> = 10 2 16; "newer" -> n e w er</w> = 9 3 2 16.
TOKENIZER_ROWS = {
    "lower newer": [10, 2, 16, 9, 3, 2, 16],
    "lower": [10, 2, 16],
    "": [],
}


def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


def gelu(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


ACTIVATIONS = {"quick_gelu": quick_gelu, "gelu": gelu}


def layer_norm(x, ln):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + LAYER_NORM_EPS) * ln.weight + ln.bias


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.q_proj = nn.Linear(width, width)
        self.k_proj = nn.Linear(width, width)
        self.v_proj = nn.Linear(width, width)
        self.out_proj = nn.Linear(width, width)

    def forward(self, x, causal):
        n, t, w = x.shape
        d = w // self.heads

        def split(y):  # [N, T, W] -> [N, heads, T, d]
            return y.view(n, t, self.heads, d).transpose(1, 2)

        q, k, v = split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x))
        scores = (q @ k.transpose(-1, -2)) * d ** -0.5
        if causal:
            future = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
            scores = scores.masked_fill(future, float("-inf"))
        out = torch.softmax(scores, dim=-1) @ v
        return self.out_proj(out.transpose(1, 2).reshape(n, t, w))


class Mlp(nn.Module):
    def __init__(self, width, hidden):
        super().__init__()
        self.fc1 = nn.Linear(width, hidden)
        self.fc2 = nn.Linear(hidden, width)

    def forward(self, x, act):
        return self.fc2(act(self.fc1(x)))


class EncoderLayer(nn.Module):
    def __init__(self, width, heads, hidden):
        super().__init__()
        self.self_attn = Attention(width, heads)
        self.layer_norm1 = nn.LayerNorm(width)
        self.mlp = Mlp(width, hidden)
        self.layer_norm2 = nn.LayerNorm(width)

    def forward(self, x, act, causal):
        x = x + self.self_attn(layer_norm(x, self.layer_norm1), causal)
        return x + self.mlp(layer_norm(x, self.layer_norm2), act)


class Encoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.layers = nn.ModuleList(EncoderLayer(cfg["hidden_size"], cfg["num_attention_heads"], cfg["intermediate_size"])
                                    for _ in range(cfg["num_hidden_layers"]))

    def forward(self, x, act, causal):
        for layer in self.layers:
            x = layer(x, act, causal)
        return x


class VisionEmbeddings(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        w, p = cfg["hidden_size"], cfg["patch_size"]
        self.class_embedding = nn.Parameter(torch.zeros(w))
        self.patch_embedding = nn.Conv2d(cfg["num_channels"], w, kernel_size=p, stride=p, bias=False)
        self.position_embedding = nn.Embedding((cfg["image_size"] // p) ** 2 + 1, w)

    def forward(self, pixels):
        patches = self.patch_embedding(pixels).flatten(2).transpose(1, 2)  # [N, grid^2, W]
        cls = self.class_embedding.view(1, 1, -1).expand(pixels.shape[0], 1, -1)
        return torch.cat([cls, patches], dim=1) + self.position_embedding.weight


class VisionModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embeddings = VisionEmbeddings(cfg)
        self.pre_layrnorm = nn.LayerNorm(cfg["hidden_size"])  # Hugging Face's spelling
        self.encoder = Encoder(cfg)
        self.post_layernorm = nn.LayerNorm(cfg["hidden_size"])

    def forward(self, pixels, act):
        x = layer_norm(self.embeddings(pixels), self.pre_layrnorm)
        x = self.encoder(x, act, causal=False)
        return layer_norm(x[:, 0, :], self.post_layernorm)


class TextEmbeddings(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.token_embedding = nn.Embedding(cfg["vocab_size"], cfg["hidden_size"])
        self.position_embedding = nn.Embedding(cfg["max_position_embeddings"], cfg["hidden_size"])

    def forward(self, ids):
        return self.token_embedding.weight[ids] + self.position_embedding.weight[: ids.shape[1]]


class TextModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embeddings = TextEmbeddings(cfg)
        self.encoder = Encoder(cfg)
        self.final_layer_norm = nn.LayerNorm(cfg["hidden_size"])

    def forward(self, ids, act):
        x = layer_norm(self.encoder(self.embeddings(ids), act, causal=True), self.final_layer_norm)
        return x[torch.arange(ids.shape[0]), ids.argmax(dim=-1)]


class Clip(nn.Module):
    def __init__(self):
        super().__init__()
        self.text_model = TextModel(TEXT)
        self.vision_model = VisionModel(VISION)
        self.visual_projection = nn.Linear(VISION["hidden_size"], PROJECTION_DIM, bias=False)
        self.text_projection = nn.Linear(TEXT["hidden_size"], PROJECTION_DIM, bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(0.0))

    def image_embeds(self, pixels, act):
        return self.visual_projection(self.vision_model(pixels, act))

    def text_embeds(self, ids, act):
        return self.text_projection(self.text_model(ids, act))

    def logits_per_image(self, image_embeds, text_embeds):
        image = image_embeds / image_embeds.norm(dim=-1, keepdim=True)
        text = text_embeds / text_embeds.norm(dim=-1, keepdim=True)
        return self.logit_scale.exp() * image @ text.t()


def randomise(model, generator):
    """Non-trivial weights: LayerNorm scales around 1 and biases around 0 but neither 1 nor 0; matrices scaled by
    fan-in so activations stay O(1); everything rounded to fp16-representable values."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            leaf = name.rsplit(".", 1)[-1]
            is_norm = "layer_norm" in name or "layrnorm" in name or "layernorm" in name
            if is_norm and leaf == "weight":
                value = 1.0 + 0.25 * torch.randn(p.shape, generator=generator)
            elif leaf == "bias":
                value = 0.1 * torch.randn(p.shape, generator=generator)
            elif name == "logit_scale":
                value = torch.tensor(math.log(1 / 0.07))
            elif "class_embedding" in name:
                value = 0.5 * torch.randn(p.shape, generator=generator)
            elif "position_embedding" in name or "token_embedding" in name:
                value = 0.5 * torch.randn(p.shape, generator=generator)
            else:
                fan_in = p[0].numel()
                value = torch.randn(p.shape, generator=generator) / math.sqrt(fan_in)
            p.copy_(value.half().float())


# --- safetensors, written by hand: 8-byte little-endian header length, JSON header, raw little-endian data ---
DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.int64: "I64"}


def save_safetensors(path, tensors, metadata=None):
    header, chunks, offset = OrderedDict(), [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        t = t.detach().contiguous()
        data = t.numpy().astype(t.numpy().dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # pad so the data starts 8-byte aligned, as the safetensors library does
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)


def open_clip_names(hf):
    """Hugging Face -> open_clip names (transformers' convert_clip_original_pytorch_to_hf.py, read backwards):
    q/k/v fused into in_proj rows in that order, the two projections transposed."""
    out = OrderedDict()
    simple = {
        "vision_model.embeddings.class_embedding": "visual.class_embedding",
        "vision_model.embeddings.position_embedding.weight": "visual.positional_embedding",
        "vision_model.embeddings.patch_embedding.weight": "visual.conv1.weight",
        "text_model.embeddings.token_embedding.weight": "token_embedding.weight",
        "text_model.embeddings.position_embedding.weight": "positional_embedding",
        "logit_scale": "logit_scale",
    }
    for tower, ln_names, prefix, blocks in (
            ("vision_model", {"pre_layrnorm": "ln_pre", "post_layernorm": "ln_post"}, "visual.", VISION["num_hidden_layers"]),
            ("text_model", {"final_layer_norm": "ln_final"}, "", TEXT["num_hidden_layers"])):
        for hf_ln, oc_ln in ln_names.items():
            for leaf in ("weight", "bias"):
                simple[f"{tower}.{hf_ln}.{leaf}"] = f"{prefix}{oc_ln}.{leaf}"
        for i in range(blocks):
            src, dst = f"{tower}.encoder.layers.{i}.", f"{prefix}transformer.resblocks.{i}."
            for leaf in ("weight", "bias"):
                simple[f"{src}layer_norm1.{leaf}"] = f"{dst}ln_1.{leaf}"
                simple[f"{src}layer_norm2.{leaf}"] = f"{dst}ln_2.{leaf}"
                simple[f"{src}self_attn.out_proj.{leaf}"] = f"{dst}attn.out_proj.{leaf}"
                simple[f"{src}mlp.fc1.{leaf}"] = f"{dst}mlp.c_fc.{leaf}"
                simple[f"{src}mlp.fc2.{leaf}"] = f"{dst}mlp.c_proj.{leaf}"
                out[f"{dst}attn.in_proj_{leaf}"] = torch.cat([hf[f"{src}self_attn.{p}_proj.{leaf}"] for p in "qkv"], 0)
    for hf_name, oc_name in simple.items():
        out[oc_name] = hf[hf_name]
    out["visual.proj"] = hf["visual_projection.weight"].t().contiguous()
    out["text_projection"] = hf["text_projection.weight"].t().contiguous()
    assert len(out) + 4 * (VISION["num_hidden_layers"] + TEXT["num_hidden_layers"]) == len(hf), "every tensor mapped"
    return out


def builtin_check(oc, pixels, ids, act):
    """The same embeddings a second way, from the open_clip-named copy with torch's own layers (conv2d, layer_norm,
    multi_head_attention_forward on the fused in_proj, F.gelu): guards the hand-written model above against a slip."""
    F = nn.functional

    def ln(x, name):
        return F.layer_norm(x, x.shape[-1:], oc[name + ".weight"], oc[name + ".bias"], LAYER_NORM_EPS)

    def blocks(x, prefix, layers, heads, mask):
        for i in range(layers):
            b = f"{prefix}transformer.resblocks.{i}."
            h = ln(x, b + "ln_1").transpose(0, 1)  # sequence-first, as nn.MultiheadAttention wants
            w = h.shape[-1]
            attn, _ = F.multi_head_attention_forward(
                h, h, h, w, heads, oc[b + "attn.in_proj_weight"], oc[b + "attn.in_proj_bias"], None, None, False, 0.0,
                oc[b + "attn.out_proj.weight"], oc[b + "attn.out_proj.bias"], training=False, need_weights=False,
                attn_mask=mask)
            x = x + attn.transpose(0, 1)
            hidden = F.linear(ln(x, b + "ln_2"), oc[b + "mlp.c_fc.weight"], oc[b + "mlp.c_fc.bias"])
            hidden = F.gelu(hidden) if act == "gelu" else hidden * torch.sigmoid(1.702 * hidden)
            x = x + F.linear(hidden, oc[b + "mlp.c_proj.weight"], oc[b + "mlp.c_proj.bias"])
        return x

    p = VISION["patch_size"]
    x = F.conv2d(pixels, oc["visual.conv1.weight"], stride=p).flatten(2).transpose(1, 2)
    x = torch.cat([oc["visual.class_embedding"].expand(x.shape[0], 1, -1), x], 1) + oc["visual.positional_embedding"]
    x = blocks(ln(x, "visual.ln_pre"), "visual.", VISION["num_hidden_layers"], VISION["num_attention_heads"], None)
    image = ln(x[:, 0], "visual.ln_post") @ oc["visual.proj"]

    t = ids.shape[1]
    mask = torch.full((t, t), float("-inf")).triu(1)  # open_clip's causal mask
    x = F.embedding(ids, oc["token_embedding.weight"]) + oc["positional_embedding"][:t]
    x = ln(blocks(x, "", TEXT["num_hidden_layers"], TEXT["num_attention_heads"], mask), "ln_final")
    text = x[torch.arange(x.shape[0]), ids.argmax(-1)] @ oc["text_projection"]
    return image, text


def hf_config(act):
    """A Hugging Face CLIPModel config.json for the sizes above."""
    common = dict(hidden_act=act, layer_norm_eps=LAYER_NORM_EPS, attention_dropout=0.0, initializer_factor=1.0,
                  initializer_range=0.02)
    return {
        "architectures": ["CLIPModel"],
        "model_type": "clip",
        "projection_dim": PROJECTION_DIM,
        "logit_scale_init_value": 2.6592,
        "text_config": dict(TEXT, model_type="clip_text_model", projection_dim=PROJECTION_DIM,
                            bos_token_id=START_OF_TEXT, eos_token_id=END_OF_TEXT, pad_token_id=0, **common),
        "vision_config": dict(VISION, model_type="clip_vision_model", projection_dim=PROJECTION_DIM, **common),
        "torch_dtype": "float32",
    }


def input_ids(generator):
    context = TEXT["max_position_embeddings"]
    rows = []
    for ids in TOKENIZER_ROWS.values():
        rows.append([START_OF_TEXT] + ids + [END_OF_TEXT])
    # A full row: end-of-text at the last position, ordinary tokens drawn from ids 0..20 (below the specials).
    rows.insert(2, [START_OF_TEXT] + torch.randint(0, START_OF_TEXT, (context - 2,), generator=generator).tolist() + [END_OF_TEXT])
    return torch.tensor([r + [0] * (context - len(r)) for r in rows], dtype=torch.int64)


def main():
    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(20261128)
    model = Clip()
    randomise(model, generator)
    hf = OrderedDict((name, p.detach().clone()) for name, p in model.named_parameters())

    pixels = torch.randn(3, VISION["num_channels"], VISION["image_size"], VISION["image_size"], generator=generator)
    ids = input_ids(generator)
    assert (ids.argmax(-1) == torch.tensor([8, 4, 15, 1])).all(), ids  # end-of-text positions vary

    save_safetensors(os.path.join(HERE, "model.safetensors"), hf, {"format": "pt"})
    save_safetensors(os.path.join(HERE, "model_fp16.safetensors"), OrderedDict((k, v.half()) for k, v in hf.items()), {"format": "pt"})
    save_safetensors(os.path.join(HERE, "open_clip_model.safetensors"), open_clip_names(hf), {"format": "pt"})
    save_safetensors(os.path.join(HERE, "inputs.safetensors"), OrderedDict(pixel_values=pixels, input_ids=ids))

    with torch.no_grad():
        for act, fn in ACTIVATIONS.items():
            suffix = "" if act == "quick_gelu" else "_" + act
            with open(os.path.join(HERE, f"config{suffix}.json"), "w") as f:
                json.dump(hf_config(act), f, indent=2)
                f.write("\n")
            image = model.image_embeds(pixels, fn)
            text = model.text_embeds(ids, fn)
            logits = model.logits_per_image(image, text)
            check_image, check_text = builtin_check(open_clip_names(hf), pixels, ids, act)
            agreement = max((image - check_image).abs().max().item(), (text - check_text).abs().max().item())
            assert agreement < 1e-5, (act, agreement)
            save_safetensors(os.path.join(HERE, f"outputs{suffix}.safetensors"),
                             OrderedDict(image_embeds=image, text_embeds=text, logits_per_image=logits),
                             {"activation": act, "torch": torch.__version__})
            print(act, "image_embeds", tuple(image.shape), "abs max %.3f" % image.abs().max().item(),
                  "text_embeds", tuple(text.shape), "abs max %.3f" % text.abs().max().item(),
                  "built-in layers agree to %.1e" % agreement)

    # Cross-check the hand-written LayerNorm / GELU against torch's own, so a slip in the reference shows up here.
    x = torch.randn(5, 7, generator=generator)
    ln = nn.LayerNorm(7)
    assert torch.allclose(layer_norm(x, ln), nn.functional.layer_norm(x, (7,), ln.weight, ln.bias, LAYER_NORM_EPS), atol=1e-6)
    assert torch.allclose(gelu(x), nn.functional.gelu(x), atol=1e-6)

    # The vocabulary of transformers' tokenizer test (ids = line order), so `atlas embed --text` finds it beside the model.
    vocab = ["l", "o", "w", "e", "r", "s", "t", "i", "d", "n", "lo", "l</w>", "w</w>", "r</w>", "t</w>", "low</w>",
             "er</w>", "lowest</w>", "newer</w>", "wider", "<unk>", "<|startoftext|>", "<|endoftext|>"]
    with open(os.path.join(HERE, "vocab.json"), "w") as f:
        json.dump({token: i for i, token in enumerate(vocab)}, f)
        f.write("\n")
    with open(os.path.join(HERE, "merges.txt"), "w") as f:
        f.write("#version: 0.2\nl o\nlo w</w>\ne r</w>\n")


if __name__ == "__main__":
    main()
