"""Writes src/Atlas.Data/Datasets/Text/<dataset>.templates.txt (all 22 datasets) and <dataset>.classes.txt (the 14
folder/list-layout datasets) from the aTLAS code (github:fredzzhang/atlas, src/datasets/*.py) and raw name lists.

The atlas sources are parsed with Python's `ast` (never imported or executed). Class names are the names the atlas
code's dataset objects yield on the real dataset: hard-coded lists are taken as they are (ImageNet, RESISC45,
Country211, PascalVOC, EuroSAT's mapping); names the atlas code derives from folder or file names are derived here the
same way from the raw upstream names in raw/ (SUN397 folders from TFDS' sun397_labels.txt, Caltech folder names,
CUB-200's classes.txt, and CLIP's data/prompts.md lists for FGVC variants.txt, Food-101, Oxford-IIIT Pet, DTD and
UCF101).

Run: /usr/bin/python3 make_text.py <atlas checkout at commit 557d7fb> <repo root>
"""
import ast
import os
import re
import sys

atlas, root = sys.argv[1], sys.argv[2]
out = os.path.join(root, 'src/Atlas.Data/Datasets/Text')
here = os.path.dirname(os.path.abspath(__file__))


def source(name):
    return open(os.path.join(atlas, 'src/datasets', name)).read()


def raw(name):
    return [l.rstrip('\n') for l in open(os.path.join(here, 'raw', name)) if l.strip()]


def literal_list(src, target=None, attr=None):
    """The first list literal assigned to `target` (module level) or to `self.<attr>`."""
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.List):
            t = node.targets[0]
            if (target and isinstance(t, ast.Name) and t.id == target) or \
               (attr and isinstance(t, ast.Attribute) and t.attr == attr):
                return [ast.literal_eval(e) for e in node.value.elts]
    raise KeyError(target or attr)


def write(dataset, kind, lines):
    assert all('\n' not in l and l == l.strip() and l for l in lines), dataset
    with open(os.path.join(out, f'{dataset}.{kind}.txt'), 'w', newline='\n') as f:
        f.write('\n'.join(lines) + '\n')


# ---- templates (all 22): each lambda's f-string body with {c} for the class name ----
spec_names = {
    'Cars': 'cars', 'DTD': 'dtd', 'EuroSAT': 'eurosat', 'GTSRB': 'gtsrb', 'MNIST': 'mnist', 'RESISC45': 'resisc45',
    'SUN397': 'sun397', 'SVHN': 'svhn', 'CIFAR10': 'cifar10', 'CIFAR100': 'cifar100', 'ImageNet': 'imagenet',
    'STL10': 'stl10', 'Food101': 'food101', 'Caltech101': 'caltech101', 'Caltech256': 'caltech256',
    'FGVCAircraft': 'fgvc_aircraft', 'Flowers102': 'flowers102', 'OxfordIIITPet': 'oxford_iiit_pet',
    'CUB200': 'cub200', 'PascalVOC': 'pascal_voc', 'Country211': 'country211', 'UCF101': 'ucf101',
}
tree = ast.parse(source('templates.py'))
lists = {}
mapping = None
for node in tree.body:
    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
        name = node.targets[0].id
        if isinstance(node.value, ast.List):
            templates = []
            for lam in node.value.elts:
                assert isinstance(lam, ast.Lambda) and lam.args.args[0].arg == 'c'
                body = lam.body
                assert isinstance(body, ast.JoinedStr), ast.dump(body)
                text = ''
                for part in body.values:
                    if isinstance(part, ast.Constant):
                        text += part.value
                    else:
                        assert isinstance(part, ast.FormattedValue) and part.value.id == 'c'
                        text += '{c}'
                templates.append(text)
            lists[name] = templates
        elif name == 'dataset_to_template':
            mapping = {ast.literal_eval(k): v.id for k, v in zip(node.value.keys, node.value.values)}
assert set(mapping) == set(spec_names), set(mapping) ^ set(spec_names)
for atlas_name, spec in spec_names.items():
    write(spec, 'templates', lists[mapping[atlas_name]])

# ---- class names of the 14 folder/list-layout datasets ----
write('imagenet', 'classes', literal_list(source('imagenet.py'), target='imagenet_classnames'))
write('resisc45', 'classes', [' '.join(c.split('_')) for c in literal_list(source('resisc45.py'), target='classes')])
write('country211', 'classes', literal_list(source('country211.py'), attr='classnames'))
write('pascal_voc', 'classes', literal_list(source('voc2007.py'), attr='classnames'))

# DTD: sorted folder names, '_' -> ' ' (CLIP's list is the folder names).
dtd = raw('clip_DescribableTextures.txt')
write('dtd', 'classes', [c.replace('_', ' ') for c in sorted(dtd)])

# EuroSAT: sorted folder names of 2750/, pretified, then the atlas code's map to OpenAI's names.
eurosat_src = source('eurosat.py')
m = re.search(r'ours_to_open_ai = (\{.*?\})', eurosat_src, re.S)
ours_to_open_ai = ast.literal_eval(m.group(1))
folders = ['AnnualCrop', 'Forest', 'HerbaceousVegetation', 'Highway', 'Industrial', 'Pasture', 'PermanentCrop',
           'Residential', 'River', 'SeaLake']


def pretify(c):
    words = [w.lower() for w in re.findall(r'[A-Z](?:[a-z]+|[A-Z]*(?=[A-Z]|$))', c)]
    s = ' '.join(words)
    return s + ' area' if s.endswith('al') else s


write('eurosat', 'classes', [ours_to_open_ai[pretify(f)] for f in sorted(folders)])

# SUN397: folder "<letter>_<name>[_<sub>]" made by the atlas preparation script; class = folder[2:], '_' -> ' '.
sun_folders = sorted('_'.join(p.split('/'))[1:] for p in raw('sun397_raw.txt'))
write('sun397', 'classes', [f[2:].replace('_', ' ') for f in sun_folders])

# Food-101: sorted meta json keys, '_' -> ' ' (CLIP's list is those names with spaces; '_' and ' ' sort alike).
food = raw('clip_Food101.txt')
assert food == sorted(food)
write('food101', 'classes', [c.replace('_', ' ') for c in sorted(c.replace(' ', '_') for c in food)])


def caltech_name(n):
    return n.split('.')[-1].replace('-', ' ').replace(' 101', '')


c101 = sorted(raw('caltech101_raw.txt'))
c101.remove('BACKGROUND_Google')
write('caltech101', 'classes', [caltech_name(n) for n in c101])
write('caltech256', 'classes', [caltech_name(n) for n in sorted(raw('caltech256_raw.txt'))])

# FGVC Aircraft: variants.txt lines as they are.
write('fgvc_aircraft', 'classes', raw('clip_FGVCAircraft.txt'))

# Oxford-IIIT Pet: label order is the breeds' case-insensitive alphabetical order (the annotation files' class ids);
# the atlas code title-cases each '_'-separated part of the image-name prefix.
pets = sorted(raw('clip_OxfordPets.txt'), key=str.lower)
write('oxford_iiit_pet', 'classes', [' '.join(p.title() for p in c.replace(' ', '_').split('_')) for c in pets])

# CUB-200: classes.txt "<id> <nnn>.<Name_With_Underscores>" -> name after the dot, '_' -> ' '.
write('cub200', 'classes', [l.split(' ')[1].split('.')[-1].replace('_', ' ') for l in raw('cub200_raw.txt')])

# UCF101: the split_zhou_UCF101.json class names (CamelCase folder names split into words joined by '_'),
# in label order; CLIP's list holds the same words joined by spaces.
write('ucf101', 'classes', [c.replace(' ', '_') for c in raw('clip_UCF101.txt')])
print('written to', out)
