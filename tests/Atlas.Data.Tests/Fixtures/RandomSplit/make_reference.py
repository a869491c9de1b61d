"""Reference indices of torch.utils.data.random_split(range(n), [n - v, v], generator=torch.Generator().manual_seed(s)),
the aTLAS code's validation carve-out (src/datasets/registry.py split_train_into_train_val: v = min(int(n * 0.1), 5000),
seed 0) and its Caltech 80/20 train/test split (src/datasets/caltech.py: train = int(n * 0.8)).

Run: /usr/bin/python3 make_reference.py > random_split_reference.json   (torch 1.13, Debian package)
"""
import hashlib
import json
import torch
from torch.utils.data import random_split


def digest(indices):
    return hashlib.sha256(','.join(str(i) for i in indices).encode()).hexdigest()


cases = []
for n, first_fraction, seed in [
        (1, None, 0), (2, None, 0), (10, None, 0), (11, None, 0), (100, None, 0), (1000, None, 0), (3760, None, 0),
        (60000, None, 0), (73257, None, 0), (1281167, None, 0), (100, None, 1), (60000, None, 42),
        (8677, 0.8, 0), (30607, 0.8, 0)]:
    if first_fraction is None:
        held = min(int(n * 0.1), 5000)
        kept = n - held
    else:
        kept = int(n * first_fraction)
        held = n - kept
    first, second = random_split(range(n), [kept, held], generator=torch.Generator().manual_seed(seed))
    first, second = list(first.indices), list(second.indices)
    cases.append({
        'n': n, 'kept': kept, 'held': held, 'seed': seed,
        'kept_head': first[:5], 'held_head': second[:5], 'held_tail': second[-5:],
        'kept_sha256': digest(first), 'held_sha256': digest(second),
    })
print(json.dumps({'torch': torch.__version__, 'cases': cases}, indent=1))
