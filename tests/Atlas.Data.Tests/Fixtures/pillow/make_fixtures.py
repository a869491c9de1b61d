"""Reference values for Atlas.Data.Images from Pillow (decoding, BICUBIC resize) and a numpy re-statement of
torchvision 0.14's Resize(int) / CenterCrop / ToTensor / Normalize (open_clip 2.10's eval transform).

Run from this folder with Debian's Python (Pillow 9.4, numpy 1.24):  /usr/bin/python3 make_fixtures.py
Writes inputs/ (encoded images), expected/ (raw little-endian arrays) and manifest.json.
"""
import hashlib
import json
import math
import os

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
MEAN = (0.48145466, 0.4578275, 0.40821073)
STD = (0.26862954, 0.26130258, 0.27577711)
rng = np.random.default_rng(20261128)


def synthetic(width, height):
    """Gradients (different per channel) plus noise, so every resampling tap matters."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    r = 255 * x / max(width - 1, 1)
    g = 255 * y / max(height - 1, 1)
    b = 127 + 100 * np.sin(x / 3.0) * np.cos(y / 5.0)
    img = np.stack([r, g, b], axis=-1) + rng.normal(0, 25, size=(height, width, 3))
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def write_inputs():
    os.makedirs(os.path.join(HERE, "inputs"), exist_ok=True)
    p = lambda name: os.path.join(HERE, "inputs", name)
    Image.fromarray(synthetic(37, 23)).save(p("rgb_37x23.png"))
    Image.fromarray(synthetic(64, 48)).save(p("rgb_64x48.png"))
    Image.fromarray(synthetic(160, 120)).save(p("rgb_160x120_420.jpg"), quality=90, subsampling=2)
    Image.fromarray(synthetic(47, 35)).save(p("rgb_47x35_444.jpg"), quality=95, subsampling=0)
    Image.fromarray(synthetic(61, 45)).save(p("rgb_61x45.ppm"))  # binary P6
    Image.fromarray(synthetic(33, 50)[:, :, 1]).save(p("grey_33x50.png"))  # mode L
    Image.fromarray(synthetic(29, 31)[:, :, 0]).save(p("grey_29x31.pgm"))  # binary P5
    Image.fromarray(synthetic(21, 26)[:, :, 2]).save(p("grey_21x26.jpg"), quality=90)  # one-component JPEG
    Image.fromarray(synthetic(40, 30)).quantize(colors=37).save(p("palette_40x30.png"))  # mode P
    # EXIF orientation 6 ("rotate 90 CW to display"): Pillow's open ignores it, so must the decoder.
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(synthetic(48, 32)).save(p("exif_rotated_48x32.jpg"), quality=90, exif=exif)


def save(array, name):
    os.makedirs(os.path.join(HERE, "expected"), exist_ok=True)
    arr = np.ascontiguousarray(array)
    arr.astype(arr.dtype.newbyteorder("<")).tofile(os.path.join(HERE, "expected", name))
    return name


def torchvision_resize_size(width, height, size):
    """torchvision 0.14 _compute_resized_output_size for an int size: shorter side = size, the other truncated."""
    short, long = (width, height) if width <= height else (height, width)
    new_short, new_long = size, int(size * long / short)
    return (new_short, new_long) if width <= height else (new_long, new_short)  # (w, h)


def eval_transform(img, size):
    """open_clip 2.10 eval: Resize(size, BICUBIC), CenterCrop(size), RGB, ToTensor, Normalize (float32 like torch)."""
    w, h = torchvision_resize_size(img.width, img.height, size)
    if (w, h) != img.size:
        img = img.resize((w, h), Image.BICUBIC)
    top = int(round((h - size) / 2.0))
    left = int(round((w - size) / 2.0))
    arr = np.asarray(img.convert("RGB"))[top:top + size, left:left + size, :]
    x = arr.astype(np.float32).transpose(2, 0, 1) / np.float32(255)
    mean = np.asarray(MEAN, dtype=np.float32).reshape(3, 1, 1)
    std = np.asarray(STD, dtype=np.float32).reshape(3, 1, 1)
    return ((x - mean) / std).astype(np.float32)


def main():
    write_inputs()
    manifest = {"pillow": Image.__version__, "numpy": np.__version__, "mean": MEAN, "std": STD,
                "decode": [], "resize": [], "eval": [], "resized_crop": []}
    names = sorted(os.listdir(os.path.join(HERE, "inputs")))
    for name in names:
        with Image.open(os.path.join(HERE, "inputs", name)) as im:
            mode = im.mode
            rgb = im.convert("RGB")
        manifest["decode"].append({"input": name, "mode": mode, "width": rgb.width, "height": rgb.height,
                                   "expected": save(np.asarray(rgb), f"decode_{name}.rgb")})

    def rgb_of(name):
        with Image.open(os.path.join(HERE, "inputs", name)) as im:
            return im.convert("RGB")

    resize_cases = [
        ("rgb_64x48.png", 31, 17, None),  # downscale, both axes
        ("rgb_64x48.png", 64, 20, None),  # vertical only
        ("rgb_64x48.png", 40, 30, (3.5, 2.25, 50.75, 40.0)),  # fractional box
        ("rgb_64x48.png", 30, 40, (10, 5, 40, 45)),  # integer box, same width as box
        ("rgb_37x23.png", 80, 51, None),  # upscale
        ("rgb_37x23.png", 13, 50, None),  # shrink one axis, stretch the other
        ("rgb_160x120_420.jpg", 50, 37, None),  # strong downscale (support 3.2×)
        ("rgb_160x120_420.jpg", 24, 24, (20.25, 0.0, 140.125, 119.5)),
        ("grey_33x50.png", 17, 26, None),
        ("rgb_61x45.ppm", 61, 45, (0.5, 0.5, 60.5, 44.5)),  # same size, shifted box
        ("rgb_64x48.png", 23, 70, None, "bilinear"),
        ("rgb_160x120_420.jpg", 41, 33, (0.1, 7.3, 155.0, 101.7), "bilinear"),
    ]
    for i, (name, w, h, box, *rest) in enumerate(resize_cases):
        filt = rest[0] if rest else "bicubic"
        out = rgb_of(name).resize((w, h), Image.BICUBIC if filt == "bicubic" else Image.BILINEAR, box=box)
        manifest["resize"].append({"input": name, "width": w, "height": h, "box": box, "filter": filt,
                                   "expected": save(np.asarray(out), f"resize_{i:02d}.rgb")})

    eval_cases = [("rgb_160x120_420.jpg", 32), ("rgb_37x23.png", 32), ("grey_33x50.png", 24), ("palette_40x30.png", 24),
                  ("rgb_61x45.ppm", 24), ("rgb_64x48.png", 48), ("grey_29x31.pgm", 29), ("rgb_47x35_444.jpg", 24)]
    for i, (name, size) in enumerate(eval_cases):
        with Image.open(os.path.join(HERE, "inputs", name)) as im:
            # torchvision's ImageFolder loader converts to RGB at load time (pil_loader).
            t = eval_transform(im.convert("RGB"), size)
        manifest["eval"].append({"input": name, "size": size, "expected": save(t, f"eval_{i:02d}.f32")})

    # torchvision's resized_crop on a PIL image: crop (top, left, height, width), then resize to size×size, then
    # (RandomHorizontalFlip) a mirror; the parameters are fixed here, the random draw is tested on its own.
    crop_cases = [("rgb_160x120_420.jpg", 10, 25, 100, 120, 24, False), ("rgb_64x48.png", 3, 0, 45, 40, 24, True),
                  ("rgb_37x23.png", 0, 5, 23, 30, 32, True)]
    for i, (name, top, left, h, w, size, flip) in enumerate(crop_cases):
        out = rgb_of(name).crop((left, top, left + w, top + h)).resize((size, size), Image.BICUBIC)
        if flip:
            out = out.transpose(Image.FLIP_LEFT_RIGHT)
        manifest["resized_crop"].append({"input": name, "top": top, "left": left, "height": h, "width": w,
                                         "size": size, "flip": flip, "expected": save(np.asarray(out), f"crop_{i:02d}.rgb")})

    # A wider sweep kept small by storing SHA-256 digests of Pillow's output bytes: random output sizes (1 to 300
    # per side, so strong shrinking and strong stretching), with and without random fractional boxes, and the eval
    # transform at CLIP's 224 on a 500×375 JPEG (the shape of a typical ImageNet photo).
    manifest["resize_sweep"] = []
    sweep_rng = np.random.default_rng(7)
    for i in range(40):
        name = ["rgb_160x120_420.jpg", "rgb_64x48.png", "rgb_37x23.png"][i % 3]
        src = rgb_of(name)
        w, h = (int(v) for v in sweep_rng.integers(1, 301, size=2))
        box = None
        if i % 2 == 1:
            x0, x1 = sorted(sweep_rng.uniform(0, src.width, size=2))
            y0, y1 = sorted(sweep_rng.uniform(0, src.height, size=2))
            box = tuple(round(float(v), 3) for v in (x0, y0, x1, y1))
        filt = "bilinear" if i % 5 == 4 else "bicubic"
        out = src.resize((w, h), Image.BICUBIC if filt == "bicubic" else Image.BILINEAR, box=box)
        manifest["resize_sweep"].append({"input": name, "width": w, "height": h, "box": box, "filter": filt,
                                         "sha256": hashlib.sha256(np.asarray(out).tobytes()).hexdigest()})
    photo = synthetic(500, 375).astype(np.float64)
    photo = np.clip(photo * 0.5 + np.asarray(Image.fromarray(synthetic(25, 19)).resize((500, 375), Image.BILINEAR)) * 0.5, 0, 255)
    Image.fromarray(photo.astype(np.uint8)).save(os.path.join(HERE, "inputs", "photo_500x375.jpg"), quality=75)
    with Image.open(os.path.join(HERE, "inputs", "photo_500x375.jpg")) as im:
        t = eval_transform(im.convert("RGB"), 224)
    manifest["eval_224"] = {"input": "photo_500x375.jpg", "size": 224, "sha256": hashlib.sha256(t.tobytes()).hexdigest(),
                            "expected_head": [float(v) for v in t.reshape(-1)[:8]]}

    with open(os.path.join(HERE, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
