"""Estimated GPU time of each paper spec, from the paper's recipe: image passes x the backbone's FLOPs per image, at an
assumed throughput. An estimate, not a measurement: it counts only the image tower's matrix work (no data loading,
no JPEG decoding or resizing on the CPU, no composition of θ from the task vectors, no text tower except the heads).

    /usr/bin/python3 experiments/paper/estimate.py [effective TFLOP/s, default 10]

Python 3.11, standard library only. Split sizes and epochs come from generate.py (numbers.md §6, paper Table 5).
"""
import math
import sys

from generate import ALL, CLASSIC, DATASETS, NEGATION, BATCH, finetune_steps

# Split sizes (train, val, test) from numbers.md §6 (paper Table 5); the train sizes are generate.py's.
VAL_TEST = {
    "cars": (814, 8041), "dtd": (376, 1880), "eurosat": (2700, 2700), "gtsrb": (2664, 12630), "mnist": (5000, 10000),
    "resisc45": (1890, 6300), "sun397": (1985, 19850), "svhn": (5000, 26032), "cifar10": (5000, 10000),
    "cifar100": (5000, 10000), "imagenet": (5000, 50000), "stl10": (500, 8000), "food101": (5000, 25250),
    "caltech101": (694, 1736), "caltech256": (2448, 6122), "fgvc_aircraft": (3333, 3333), "flowers102": (1020, 6149),
    "oxford_iiit_pet": (368, 3669), "cub200": (599, 5794), "pascal_voc": (7818, 14976), "country211": (10550, 21100),
    "ucf101": (1898, 3783),
}
TRAIN = {d[0]: d[2] for d in DATASETS}
CLASSES = {
    "cars": 196, "dtd": 47, "eurosat": 10, "gtsrb": 43, "mnist": 10, "resisc45": 45, "sun397": 397, "svhn": 10,
    "cifar10": 10, "cifar100": 100, "imagenet": 1000, "stl10": 10, "food101": 101, "caltech101": 101,
    "caltech256": 257, "fgvc_aircraft": 100, "flowers102": 102, "oxford_iiit_pet": 37, "cub200": 200, "pascal_voc": 20,
    "country211": 211, "ucf101": 101,
}
# Template counts (atlas-method.md §1.2).
TEMPLATES = {
    "cars": 8, "dtd": 8, "eurosat": 3, "gtsrb": 3, "mnist": 1, "resisc45": 18, "sun397": 2, "svhn": 1, "cifar10": 18,
    "cifar100": 18, "imagenet": 80, "stl10": 2, "food101": 1, "caltech101": 34, "caltech256": 34, "fgvc_aircraft": 2,
    "flowers102": 1, "oxford_iiit_pet": 1, "cub200": 1, "pascal_voc": 1, "country211": 5, "ucf101": 48,
}

# (image width, layers, patch, text width, text layers): open_clip's model configs.
ARCH = {"ViT-B-32": (768, 12, 32, 512, 12), "ViT-B-16": (768, 12, 16, 512, 12), "ViT-L-14": (1024, 24, 14, 768, 12)}


def image_gflops(backbone):
    """Forward FLOPs (2 per multiply-add) of the image tower on one 224 x 224 image."""
    w, layers, patch, _, _ = ARCH[backbone]
    n = (224 // patch) ** 2 + 1
    per_layer = 12 * w * w * n + 2 * n * n * w          # qkv, out, MLP (4x) matrices; attention scores and mixing
    embed = 3 * patch * patch * w * (n - 1)
    return 2 * (layers * per_layer + embed) / 1e9


def text_gflops(backbone):
    _, _, _, w, layers = ARCH[backbone]
    n = 77
    return 2 * layers * (12 * w * w * n + 2 * n * n * w) / 1e9


TRAIN_UNITS = 3  # forward + backward through the tower (the gradient w.r.t. Λ needs ∂L/∂θ for every block)


def foundation(tasks):
    """Image passes of heads (as text passes converted below), zero-shot and fine-tuned evaluation on val and test."""
    return sum(2 * (VAL_TEST[t][0] + VAL_TEST[t][1]) for t in tasks)


def heads_texts(tasks):
    return sum(CLASSES[t] * TEMPLATES[t] for t in tasks)


def addition(backbone):
    val = sum(VAL_TEST[t][0] for t in CLASSIC)
    test = sum(VAL_TEST[t][1] for t in CLASSIC)
    steps = min(math.ceil(VAL_TEST[t][0] / 16) for t in CLASSIC)  # the smallest validation split sets the epoch
    atlas = 20 * steps * BATCH * TRAIN_UNITS + 20 * val + test    # per variant: training, per-epoch validation, test
    task_arithmetic = 21 * val + test
    return 2 * atlas + task_arithmetic


def negation(backbone):
    total = 0
    imagenet_val, imagenet_test = VAL_TEST["imagenet"]
    for t in CLASSIC:
        epochs, _ = NEGATION[t]
        val, test = VAL_TEST[t]
        steps = math.ceil(val / 64)
        total += epochs * steps * BATCH * TRAIN_UNITS + epochs * (val + imagenet_val) + test + imagenet_test
        total += 21 * (val + imagenet_val) + test + imagenet_test   # the task-arithmetic baseline
    return total


def oversampled_batches(n):
    r = n / BATCH
    copies = int(10 / r) + 1 if r < 10 else 1
    return math.ceil(n * copies / BATCH)


def few_shot(backbone):
    seeds = 3 if backbone == "ViT-B-32" else 1               # Table 9 (B/32) 3 seeds; Table 12 one
    total = 0
    for t in ALL:
        val, test = VAL_TEST[t]
        for k in (1, 2, 4, 8, 16):
            batches = oversampled_batches(CLASSES[t] * k)
            gradient = 10 * batches * BATCH * TRAIN_UNITS + 10 * val + test
            gradient_free = 50 * batches * BATCH + test              # 50 objective passes, forward only
            adapters = batches * BATCH + 3 * test                    # one caching pass; three adapters tested
            total += seeds * (gradient + gradient_free + adapters)
    return total


def test_time(backbone):
    total = 0
    for t in ALL:
        test = VAL_TEST[t][1]
        steps = test // 96
        ufm = 10 * steps * BATCH * (1 + TRAIN_UNITS) + 10 * test + test  # weak forward + strong train; trusted set per epoch
        sar = 10 * steps * BATCH * 2 * TRAIN_UNITS + test                # two SAM passes
        total += test + ufm + sar                                        # + the zero-shot pseudo-labels
    return total


def peft(backbone, epochs=10, fractions=(0.01, 0.05, 0.1, 0.25, 0.35, 0.5, 1.0), variants=6):
    total = 0
    for t in ALL:
        val, test = VAL_TEST[t]
        total += finetune_steps(t) * BATCH * TRAIN_UNITS + test        # the LoRA task vector of t (pool of the others)
        for f in fractions:
            steps = epochs * math.ceil(max(1, int(TRAIN[t] * f)) / BATCH)
            total += variants * (steps * BATCH * TRAIN_UNITS + test) + 5 * epochs * val  # aTLAS x K selects on val
    return total


FAMILIES = {
    "addition": (addition, CLASSIC), "negation": (negation, CLASSIC + ["imagenet"]),
    "few-shot": (few_shot, ALL), "test-time": (test_time, ALL), "peft": (peft, ALL),
}


def main():
    tflops = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    print(f"effective throughput {tflops} TFLOP/s (fp32)")
    print(f"image-tower GFLOPs per image (forward): " + ", ".join(f"{b} {image_gflops(b):.1f}" for b in ARCH))
    print("spec | image passes (millions) | hours")
    for slug, backbone in (("vit-b-32", "ViT-B-32"), ("vit-b-16", "ViT-B-16"), ("vit-l-14", "ViT-L-14")):
        for family, (count, tasks) in FAMILIES.items():
            passes = count(backbone) + foundation(tasks)
            flops = passes * image_gflops(backbone) * 1e9 + heads_texts(tasks) * text_gflops(backbone) * 1e9
            print(f"{slug}-{family} | {passes / 1e6:.1f} | {flops / (tflops * 1e12) / 3600:.1f}")
    steps = sum(finetune_steps(t) for t in ALL)
    for backbone in ARCH:
        hours = steps * BATCH * TRAIN_UNITS * image_gflops(backbone) * 1e9 / (tflops * 1e12) / 3600
        print(f"fine-tuning all 22 tasks instead of importing them, {backbone}: {steps * BATCH / 1e6:.1f} M images, {hours:.1f} hours")


if __name__ == "__main__":
    main()
