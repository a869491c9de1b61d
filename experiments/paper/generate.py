"""Writes the 15 paper specs (experiments/paper/vit-*-*.yaml) from one table of facts, so that what the specs share
(data, checkpoints, fine-tuning recipe, verification) is written once and cannot drift between files.

    /usr/bin/python3 experiments/paper/generate.py

Python 3.11, standard library only. Every value cites its section of the team's method notes (atlas-method.md, 'M §x')
or of the paper numbers (numbers.md, 'N §x'); the specs are never edited by hand: edit this script and rerun it.
"""
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# (spec name, release folder name (checkpoints/<model>/<X>Val/), train split size, fine-tuning epochs) in the paper's
# Table 5 order. Train sizes and epochs: N §6 "Dataset splits and fine-tuning epochs (paper Table 5)"; EuroSAT 12 is
# main finetune.py's value (M §2; M §6 trap 19: 13 in the ssl branch).
DATASETS = [
    ("cars", "Cars", 7330, 35), ("dtd", "DTD", 3384, 76), ("eurosat", "EuroSAT", 21600, 12),
    ("gtsrb", "GTSRB", 23976, 11), ("mnist", "MNIST", 55000, 5), ("resisc45", "RESISC45", 17010, 15),
    ("sun397", "SUN397", 17865, 14), ("svhn", "SVHN", 68257, 4), ("cifar10", "CIFAR10", 45000, 5),
    ("cifar100", "CIFAR100", 45000, 6), ("imagenet", "ImageNet", 1276167, 10), ("stl10", "STL10", 4500, 4),
    ("food101", "Food101", 70750, 15), ("caltech101", "Caltech101", 6941, 10), ("caltech256", "Caltech256", 22037, 8),
    ("fgvc_aircraft", "FGVCAircraft", 3334, 60), ("flowers102", "Flowers102", 1020, 40),
    ("oxford_iiit_pet", "OxfordIIITPet", 3312, 5), ("cub200", "CUB200", 5395, 20), ("pascal_voc", "PascalVOC", 7844, 10),
    ("country211", "Country211", 31650, 15), ("ucf101", "UCF101", 7639, 20),
]
CLASSIC = ["cars", "dtd", "eurosat", "gtsrb", "mnist", "resisc45", "sun397", "svhn"]  # M §4.1
ALL = [d[0] for d in DATASETS]
INFO = {d[0]: d for d in DATASETS}

# Task negation per target: (epochs, lr multiplier of 1e-3), M §4.2 (tuned on validation for ViT-B/32; the release has
# one table for every backbone).
NEGATION = {"cars": (20, 5), "dtd": (20, 10), "eurosat": (3, 5), "gtsrb": (5, 5), "mnist": (7, 3),
            "resisc45": (10, 2), "sun397": (10, 3), "svhn": (2, 5)}

BACKBONES = [("vit-b-32", "ViT-B-32", 1), ("vit-b-16", "ViT-B-16", 1), ("vit-l-14", "ViT-L-14", 2)]
FAMILIES = ["addition", "negation", "few-shot", "test-time", "peft"]

BATCH = 128          # M §2 fine-tuning batch; M §3.3 coefficient-learning batch
WARMUP = 500         # M §2 linear warm-up steps


def finetune_steps(name):
    """Optimiser steps of the release's fine-tuning: epochs x batches per epoch (M §2: S = epochs·num_batches/accum;
    with accumulation the loader's batch halves and the step count is the same)."""
    _, _, train, epochs = INFO[name]
    return epochs * math.ceil(train / BATCH)


def header(slug, backbone, family, accum, tasks, what):
    name = f"{slug}-{family}"
    out = [
        "# yaml-language-server: $schema=../schema/experiment.schema.json",
        "# Written by experiments/paper/generate.py (never edit by hand). 'M §x' = the team's method notes",
        "# (atlas-method.md), 'N §x' = the paper-numbers notes (numbers.md).",
        f"# {what}",
        "# The only things a user fills in are two environment variables (README, 'Paper profile: your first hour'):",
        "#   ATLAS_DATA         the data root, in the layouts of docs/datasets.md (the atlas code's --data-location)",
        "#   ATLAS_CHECKPOINTS  the converted checkpoints: <backbone>/openai.safetensors (whole OpenAI CLIP),",
        "#                      <backbone>/<X>Val/finetuned.safetensors (the authors' released fine-tunes), and",
        "#                      bpe_simple_vocab_16e6.txt.gz (open_clip's tokenizer vocabulary)",
        "# Fine-tuned weights enter by import: the authors' released checkpoints (HF fredzzhang/atlas), converted once.",
        "# The paper's task vectors are those checkpoints minus OpenAI CLIP (M §2.1), so importing them is the faithful",
        "# way to meet its numbers; fine-tuning here (fp32, other random draws) gives other vectors and shifts every",
        "# downstream number, and costs the GPU time README estimates. Delete a task's finetuned_checkpoint to fine-tune",
        "# it instead with the recipe under 'finetune', which is the paper's (M §2).",
        f"name: {name}",
        "seed: 1",
        "# The imports and dataset stages never touch the GPU; planning accepts cuda on a machine without one.",
        "device: cuda",
        f"backbone: {backbone}",
        f"pretrained_checkpoint: ${{ATLAS_CHECKPOINTS}}/{backbone}/openai.safetensors   # OpenAI CLIP, both towers (M §1.1)",
        "tokenizer_vocabulary: ${ATLAS_CHECKPOINTS}/bpe_simple_vocab_16e6.txt.gz          # open_clip's BPE (M §1.2)",
        "",
        "data:",
        "  root: ${ATLAS_DATA}",
        f"  datasets: [{', '.join(tasks)}]",
        "",
        "# One task per dataset; classes and templates default to the dataset's (M §1.2, the release's templates.py).",
        "# finetune.steps: the release's epochs x ceil(train / 128) (N §6 Table 5 sizes and epochs), used only when a",
        "# task is fine-tuned here rather than imported (and by PEFT's LoRA task vectors).",
        "tasks:",
    ]
    for t in tasks:
        steps = finetune_steps(t)
        _, folder, train, epochs = INFO[t]
        out += [f"  - name: {t}",
                f"    source: {t}",
                f"    finetuned_checkpoint: ${{ATLAS_CHECKPOINTS}}/{backbone}/{folder}Val/finetuned.safetensors"]
        if steps <= WARMUP:
            out += [f"    # needs: a warm-up longer than the run ({epochs} epochs x {math.ceil(train / BATCH)} batches = {steps} steps < {WARMUP}:",
                    f"    # the release's linear ramp lr*(s+1)/{WARMUP} never ends; the spec requires warmup_steps < steps)",
                    f"    finetune: {{ steps: {steps}, warmup_steps: {steps - 1} }}"]
        else:
            out += [f"    finetune: {{ steps: {steps} }}   # {epochs} epochs x {math.ceil(train / BATCH)} batches"]
    out += [
        "",
        "# The release's fine-tuning recipe (M §2): AdamW lr 1e-5, wd 0.1, batch 128, 500 warm-up steps then cosine,",
        "# clip 1.0, open_clip's training crop (scale 0.9-1, no flip).",
        "finetune:",
        "  lr: 1.0e-5",
        "  weight_decay: 0.1",
        f"  batch: {BATCH}",
        "  steps: 2000                 # overridden per task above (the classic tasks' ~2000 iterations, M §2)",
        f"  warmup_steps: {WARMUP}",
        "  schedule: cosine",
        "  grad_clip: 1.0",
        "  crop_scale: [0.9, 1.0]",
    ]
    if accum > 1:
        out.append(f"  gradient_accumulation: {accum}    # ViT-L-14: 128 as 2 x 64 (M §2)")
    out += [
        "# needs: fp16 autocast with a GradScaler (M §2, §3.3): TorchSharp 0.107 has none, so everything runs in fp32",
        "# (README, 'GPU: building with CUDA').",
        "",
        "evaluate:",
        "  batch: 512                  # evaluation is fp32, whole split, top-1 (M §1.4)",
        "",
        "# The paper's numbers for this backbone (experiments/reference/paper/<backbone>/), within the field's +-1 point,",
        "# each average compared with the mean of the paper's own per-dataset rows (N §8: the printed averages differ).",
        "verify:",
        "  paper:",
        "    folder: experiments/reference/paper",
        "    tolerance: 1.0",
        "    average: row_mean",
        "",
        "# Batch-job resources for ./build.sh --executor=slurm (README, 'Executors'); a local run ignores them. Every job of a",
        "# cuda spec gets one GPU (each stage's process checks for one). Add your cluster's partition and account under",
        "# defaults. The time limits are ceilings chosen for an A100-class GPU, not measurements: raise them for slower cards.",
        "slurm:",
        '  defaults: { cpus: 4, mem: 64G, time: "12:00:00" }',
        "  families:",
        '    dataset: { mem: 16G, time: "02:00:00" }   # reads and checks one dataset folder',
        '    report: { mem: 16G, time: "00:30:00" }',
        "",
    ]
    return name, out


def learn(lr, epochs, batch, schedule, crop, accum, indent="  "):
    lines = [f"{indent}learn:",
             f"{indent}  lr: {lr}",
             f"{indent}  weight_decay: 0.1        # AdamW's decoupled decay on Lambda (M §3.3, §6 trap 4)",
             f"{indent}  epochs: {epochs}",
             f"{indent}  batch: {batch}",
             f"{indent}  schedule: {schedule}",
             f"{indent}  grad_clip: 1.0",
             f"{indent}  crop_scale: [{crop}]"]
    if accum > 1:
        lines.append(f"{indent}  gradient_accumulation: {accum}   # ViT-L-14 halves each step's batch (M §3.3)")
    return lines


def addition(accum, backbone):
    return [
        "# Task addition (M §4.1; paper Sec. 4.2, Tables 2 and 8): one Lambda for the 8 classic tasks, learned on their",
        "# validation splits with the training crop, 16 images per task and step (128 / 8), lr 1e-3 constant, 20 epochs,",
        "# the best epoch by mean normalised validation accuracy. Rows: the paper's (task arithmetic, isotropic and",
        "# blockwise aTLAS); TIES and AdaMerging are not in the paper.",
        "# The release steps the optimiser when i % accum == 0 (M §6 trap 17: the first micro-batch alone); accumulation",
        "# here sums every k micro-batches, the evident intent.",
        "addition:",
        "  methods: [task_arithmetic, atlas_isotropic, atlas_blockwise]",
        "  tasks: [" + ", ".join(CLASSIC) + "]",
        *learn("1.0e-3", 20, 16, "constant", "0.9, 1.0", accum),
        "  alpha_grid: { start: 0.0, stop: 1.0, count: 21 }   # eval_task_addition.py: linspace(0, 1, 21) (M §4.1)",
    ]


def negation(accum, backbone):
    out = [
        "# Task negation (M §4.2; paper Sec. 4.1, Tables 1 and 7): per target, Lambda over its own vector only, 64 target",
        "# + 64 ImageNet validation images per step, loss -CE(target) + CE(control), constant lr 1e-3 x the target's",
        "# multiplier, kept while ImageNet keeps 95% of its zero-shot validation accuracy. Per-target epochs and rates are",
        "# the release's (tuned on ViT-B/32; the release uses the same table for every backbone).",
        "negation:",
        *learn("1.0e-3", 10, 64, "constant", "0.9, 1.0", accum),
        "  control_threshold: 0.95",
        "  alpha_grid: { start: 0.0, stop: 1.0, count: 21 }   # eval_task_negation.py (M §4.2)",
        "  targets:",
    ]
    for t in CLASSIC:
        epochs, mult = NEGATION[t]
        out.append(f"    - {{ task: {t}, control: imagenet, epochs: {epochs}, lr: {mult}.0e-3 }}   # 1e-3 x {mult}")
    return out


def few_shot(accum, backbone):
    seeds = [
        "  seeds: 3                    # Table 9 (ViT-B/32): 3 seeds",
    ] if backbone == "ViT-B-32" else [
        "  seeds: 1                    # Table 12 (other backbones): one seed",
        "# needs: the few-shot table's per-dataset clamp at zero-shot: Table 12 averages each dataset's accuracy clamped",
        "# at zero-shot (its caption), the run's table averages them unclamped, so its means can only be lower.",
    ]
    return [
        "# Few-shot recognition (M §4.3; paper Sec. 5.1, Tables 9, 11, 12): every dataset a target, Lambda over the other",
        "# 21 vectors, k in 1..16 shots, lr 0.1 cosine without warm-up, 10 epochs of at least 10 batches of 128,",
        "# Tip-Adapter's augmentation (crop 0.5-1 and flips), the best epoch on the full validation split (M §6 trap 5).",
        "few_shot:",
        "  targets: [" + ", ".join(ALL) + "]",
        "  shots: [1, 2, 4, 8, 16]",
        *seeds,
        *learn("0.1", 10, BATCH, "cosine", "0.5, 1.0", accum),
        "  min_batches_per_epoch: 10",
        "  selection: validation",
    ]


def test_time(accum, backbone):
    return [
        "# Test-time adaptation (M §4.4; paper Sec. 5.3, Table 3): Lambda over the other 21 vectors from each target's",
        "# unlabelled test split, lr 1e-3 cosine, 10 epochs, batch 128, strong views crop 0.5-1 with flips. Objectives:",
        "# the paper's SAR and UFM (UFM in its paper form, App. E; the defaults of test_time.ufm).",
        "# needs: a contrastive (SimCLR) objective, Table 3's first column (M §4.4 'simclr'); and test_time.seeds: the",
        "# paper averages 3 seeds.",
        "test_time:",
        "  targets: [" + ", ".join(ALL) + "]",
        "  objectives: [sar, ufm]",
        *learn("1.0e-3", 10, BATCH, "cosine", "0.5, 1.0", accum),
    ]


def peft(accum, backbone):
    return [
        "# PEFT (M §4.5; paper Sec. 6.2, App. F, Table 17): aTLAS x K over the other 21 tasks' LoRA task vectors against",
        "# LoRA r 16, on nested shares of each target's training split, batch 128, crop 0.5-1 with flips; aTLAS lr 0.1",
        "# cosine (best validation epoch), LoRA lr 1e-3 (last step). K: Table 17's 1, 5, 20, 80, 1200; shares: its seven.",
        "# The paper reports PEFT for ViT-B/32 only; the other backbones' files have no reference table to verify.",
        "# needs: per-target epochs (peft.epochs is one number; the release uses the fine-tuning epochs per dataset, M §4.5:",
        "# " + ", ".join(f"{n} {INFO[n][3] if n != 'eurosat' else 13}" for n in ALL) + ").",
        "# needs: LoRA's 500 warm-up steps as steps (peft.lora has only warmup_fraction; 0.1 stands in).",
        *(["# needs: gradient accumulation for PEFT on ViT-L-14 (M §3.3)."] if accum > 1 else []),
        "peft:",
        "  targets: [" + ", ".join(ALL) + "]",
        "  fractions: [0.01, 0.05, 0.1, 0.25, 0.35, 0.5, 1.0]",
        "  methods: [atlas, lora]",
        "  epochs: 10",
        f"  batch: {BATCH}",
        "  crop_scale: [0.5, 1.0]",
        "  atlas: { lr: 0.1, partitions: [1, 5, 20, 80, 1200], selection: validation }",
        "  lora: { lr: 1.0e-3, rank: 16, alpha: 32, warmup_fraction: 0.1, selection: last }",
    ]


SECTIONS = {
    "addition": (addition, CLASSIC, "Task addition on the 8 classic tasks (paper Sec. 4.2, Tables 2 and 8)."),
    "negation": (negation, CLASSIC + ["imagenet"], "Task negation of the 8 classic tasks, ImageNet the control (paper Sec. 4.1, Tables 1 and 7)."),
    "few-shot": (few_shot, ALL, "Few-shot recognition on the 22 datasets (paper Sec. 5.1, Tables 9, 11, 12)."),
    "test-time": (test_time, ALL, "Test-time adaptation on the 22 datasets (paper Sec. 5.3, Table 3)."),
    "peft": (peft, ALL, "aTLAS x K against LoRA on the 22 datasets (paper Sec. 6.2, Table 17)."),
}


def main():
    for slug, backbone, accum in BACKBONES:
        for family in FAMILIES:
            section, tasks, what = SECTIONS[family]
            name, lines = header(slug, backbone, family, accum, tasks, what)
            lines += section(accum, backbone)
            with open(os.path.join(HERE, f"{name}.yaml"), "w", encoding="utf-8", newline="\n") as f:
                f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
