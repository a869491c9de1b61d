"""Generates the MatData fixtures: MAT v5 files (scipy.io.savemat), CIFAR batches pickled byte for byte as Python 2's
cPickle wrote the real ones (protocol 2), Python 3 pickles, refused pickles, and tiny JPEGs. Run from this folder with
/usr/bin/python3 generate.py (Debian: Python 3.11, numpy 1.24, scipy 1.10, Pillow 9.4). Every value the tests check is
written here as a formula or literal; the script also loads what it wrote back with pickle/scipy as a check."""
import os, pickle, shutil, struct
import numpy as np
import scipy.io as sio
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
TEXT = os.path.join(HERE, "../../../../src/Atlas.Data/Datasets/Text")
ROOT = os.path.join(HERE, "root")
shutil.rmtree(ROOT, ignore_errors=True)

def path(*parts):
    p = os.path.join(ROOT, *parts)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p

def classes(name):
    return [l for l in open(os.path.join(TEXT, name + ".classes.txt")).read().split("\n") if l]

# ---- MAT v5 format fixtures --------------------------------------------------------------------------------------
os.makedirs(os.path.join(HERE, "mat"), exist_ok=True)
cell = np.empty((1, 3), dtype=object)
cell[0, 0] = np.array([[1.0, 2.0]])
cell[0, 1] = "text"
cell[0, 2] = np.array([[7]], dtype=np.int32)
structs = np.empty((1, 2), dtype=[("fname", "O"), ("class", "O")])
structs[0, 0] = ("a.jpg", np.array([[3]], dtype=np.uint8))
structs[0, 1] = ("b.jpg", np.array([[5]], dtype=np.uint8))
variables = {
    "d": np.array([[1.5, -2.0, 3.0], [4.0, 5.25, 6.0]]),
    "s": np.array([[0.5, -1.25, 3.0]], dtype=np.float32),
    "i8": np.array([[-128, 0, 127]], dtype=np.int8),
    "u8": np.array([[0, 200, 255]], dtype=np.uint8),
    "i16": np.array([[-32768, 1234, 32767]], dtype=np.int16),
    "u16": np.array([[0, 40000, 65535]], dtype=np.uint16),
    "i32": np.array([[-2147483648, 7, 2147483647]], dtype=np.int32),
    "u32": np.array([[0, 3000000000, 4294967295]], dtype=np.uint32),
    "i64": np.array([[-(2 ** 40), 0, 2 ** 62]], dtype=np.int64),
    "u64": np.array([[0, 2 ** 63 + 5, 2 ** 64 - 1]], dtype=np.uint64),
    "b": np.array([[True, False, True]]),
    "z": np.arange(24, dtype=np.uint8).reshape(2, 3, 4),
    "t": "hello",
    "m": np.array(["ab", "cd"]),
    "u": "na\u00efve \u20ac",
    "c": cell,
    "st": structs,
    "one": {"x": 2.5, "name": "n"},
}
for compressed in (False, True):
    name = os.path.join(HERE, "mat", f"formats_{'compressed' if compressed else 'uncompressed'}.mat")
    sio.savemat(name, variables, do_compression=compressed)
    back = sio.loadmat(name)
    assert np.array_equal(back["z"], variables["z"]) and back["u"][0] == variables["u"], name

# ---- SVHN: X(row, column, channel, image) = (7 row + 3 column + 50 channel + 11 image) mod 256 ---------------------
def svhn(count):
    h, w, c, n = np.meshgrid(np.arange(32), np.arange(32), np.arange(3), np.arange(count), indexing="ij")
    return ((7 * h + 3 * w + 50 * c + 11 * n) % 256).astype(np.uint8)
sio.savemat(path("svhn", "train_32x32.mat"),
            {"X": svhn(10), "y": np.array([[1], [2], [10], [4], [5], [6], [7], [8], [9], [10]], dtype=np.uint8)},
            do_compression=True)
sio.savemat(path("svhn", "test_32x32.mat"), {"X": svhn(3), "y": np.array([[10.0], [3.0], [1.0]])}, do_compression=False)

# ---- Tiny JPEGs (the readers only list them) ------------------------------------------------------------------
def jpeg(p, shade):
    Image.new("RGB", (4, 3), (shade, 255 - shade, 40)).save(p, quality=90)

# ---- Stanford Cars: annotations struct arrays and the meta cell array --------------------------------------------
def annotations(rows):
    a = np.empty((1, len(rows)), dtype=[(f, "O") for f in ("bbox_x1", "bbox_y1", "bbox_x2", "bbox_y2", "class", "fname")])
    for i, (fname, cls) in enumerate(rows):
        a[0, i] = (np.array([[1]], np.uint8), np.array([[2]], np.uint8), np.array([[30]], np.uint16),
                   np.array([[20]], np.uint16), np.array([[cls]], np.uint8), fname)
    return a
car_names = classes("cars")
meta = np.empty((1, len(car_names)), dtype=object)
for i, n in enumerate(car_names):
    meta[0, i] = n
meta[0, 0] = car_names[0].replace(" ", "_", 1)  # 'AM_General ...': the atlas code shows '_' as ' '
sio.savemat(path("stanford_cars", "devkit", "cars_meta.mat"), {"class_names": meta}, do_compression=False)
train_rows = [(f"{i:05d}.jpg", c) for i, c in zip(range(1, 11), [14, 3, 196, 1, 1, 90, 14, 7, 150, 2])]
test_rows = [("00001.jpg", 196), ("00002.jpg", 1)]
sio.savemat(path("stanford_cars", "devkit", "cars_train_annos.mat"), {"annotations": annotations(train_rows)}, do_compression=True)
sio.savemat(path("stanford_cars", "cars_test_annos_withlabels.mat"), {"annotations": annotations(test_rows)}, do_compression=False)
for i, (f, _) in enumerate(train_rows):
    jpeg(path("stanford_cars", "cars_train", f), 20 * i)
for i, (f, _) in enumerate(test_rows):
    jpeg(path("stanford_cars", "cars_test", f), 200 + i)

# ---- Flowers-102: 12 images; labels 1-based; the split ids in file order ----------------------------------------
flower_labels = [77, 1, 102, 5, 5, 50, 77, 3, 9, 100, 2, 41]
sio.savemat(path("flowers-102", "imagelabels.mat"), {"labels": np.array([flower_labels], dtype=np.float64)})
sio.savemat(path("flowers-102", "setid.mat"), {"trnid": np.array([[3, 1, 7, 12]], np.uint16),
                                                "valid": np.array([[2, 9, 5]], np.uint16),
                                                "tstid": np.array([[11, 4, 6, 8, 10]], np.uint16)}, do_compression=True)
for i in range(1, 13):
    jpeg(path("flowers-102", "jpg", f"image_{i:05d}.jpg"), 10 * i)

# ---- CIFAR: Python 2 cPickle protocol-2 byte streams (str keys as SHORT_BINSTRING, pixels as BINSTRING) ------------
class Py2Pickler:
    """Emits the opcode sequence Python 2.7's cPickle.dump(obj, f, 2) emits for dicts, lists, str, int, None, bool
    and numpy uint8 arrays (numpy's __reduce__: _reconstruct + dtype + __setstate__)."""
    def __init__(self):
        self.out = bytearray(b"\x80\x02")
        self.memo = 0
    def put(self):
        self.memo += 1
        self.out += (b"q" + bytes([self.memo])) if self.memo < 256 else (b"r" + struct.pack("<I", self.memo))
    def value(self, v):
        if v is None: self.out += b"N"
        elif v is True: self.out += b"\x88"
        elif v is False: self.out += b"\x89"
        elif isinstance(v, int):
            if 0 <= v < 256: self.out += b"K" + bytes([v])
            elif 0 <= v < 65536: self.out += b"M" + struct.pack("<H", v)
            else: self.out += b"J" + struct.pack("<i", v)
        elif isinstance(v, (str, bytes)):
            b = v.encode("latin1") if isinstance(v, str) else v
            self.out += (b"U" + bytes([len(b)]) if len(b) < 256 else b"T" + struct.pack("<i", len(b))) + b
            self.put()
        elif isinstance(v, list):
            self.out += b"]"; self.put()
            if v:
                self.out += b"("
                for x in v: self.value(x)
                self.out += b"e"
        elif isinstance(v, dict):
            self.out += b"}"; self.put()
            if v:
                self.out += b"("
                for k, x in v.items(): self.value(k); self.value(x)
                self.out += b"u"
        elif isinstance(v, np.ndarray):
            assert v.dtype == np.uint8 and v.ndim == 2
            self.out += b"cnumpy.core.multiarray\n_reconstruct\n"; self.put()
            self.out += b"cnumpy\nndarray\n"; self.put()
            self.value(0); self.out += b"\x85"; self.put()
            self.value("b"); self.out += b"\x87"; self.put(); self.out += b"R"; self.put()
            self.out += b"("; self.value(1); self.value(v.shape[0]); self.value(v.shape[1]); self.out += b"\x86"; self.put()
            self.out += b"cnumpy\ndtype\n"; self.put(); self.value("u1"); self.value(0); self.value(1)
            self.out += b"\x87"; self.put(); self.out += b"R"; self.put()
            self.out += b"("; self.value(3); self.value("|"); self.out += b"NNN" + b"J\xff\xff\xff\xff" * 2; self.value(0)
            self.out += b"t"; self.put(); self.out += b"b"
            self.value(False); self.value(v.tobytes()); self.out += b"t"; self.put(); self.out += b"b"
        else:
            raise TypeError(type(v))
    def dumps(self, v):
        self.value(v)
        return bytes(self.out + b".")

def cifar_data(first, count):
    # data[n, channel·1024 + row·32 + column] = (13 image + 70 channel + 5 row + column) mod 256, image = first + n
    n, c, h, w = np.meshgrid(np.arange(first, first + count), np.arange(3), np.arange(32), np.arange(32), indexing="ij")
    return ((13 * n + 70 * c + 5 * h + w) % 256).astype(np.uint8).reshape(count, 3072)

def write_pickle(p, obj):
    data = Py2Pickler().dumps(obj)
    open(p, "wb").write(data)
    back = pickle.loads(data, encoding="latin1")
    for k, v in obj.items():
        assert (np.array_equal(back[k], v) if isinstance(v, np.ndarray) else back[k] == v), (p, k)
    assert b"data" in pickle.loads(data, encoding="bytes") or b"label_names" in pickle.loads(data, encoding="bytes") \
        or b"fine_label_names" in pickle.loads(data, encoding="bytes")

cifar10_labels = [[6, 9], [9, 4], [1, 1], [2, 7], [8, 3]]
for b in range(5):
    write_pickle(path("cifar-10-batches-py", f"data_batch_{b + 1}"),
                 {"batch_label": f"training batch {b + 1} of 5", "labels": cifar10_labels[b],
                  "data": cifar_data(2 * b, 2), "filenames": [f"img_{2 * b}.png", f"img_{2 * b + 1}.png"]})
write_pickle(path("cifar-10-batches-py", "test_batch"),
             {"batch_label": "testing batch 1 of 1", "labels": [3, 8, 0], "data": cifar_data(100, 3),
              "filenames": ["t0.png", "t1.png", "t2.png"]})
write_pickle(path("cifar-10-batches-py", "batches.meta"),
             {"num_cases_per_batch": 10000, "label_names": classes("cifar10"), "num_vis": 3072})
coarse = ["aquatic_mammals", "fish", "flowers", "food_containers", "fruit_and_vegetables", "household_electrical_devices",
          "household_furniture", "insects", "large_carnivores", "large_man-made_outdoor_things",
          "large_natural_outdoor_scenes", "large_omnivores_and_herbivores", "medium_mammals", "non-insect_invertebrates",
          "people", "reptiles", "small_mammals", "trees", "vehicles_1", "vehicles_2"]
write_pickle(path("cifar-100-python", "train"),
             {"filenames": [f"f{i}.png" for i in range(10)], "batch_label": "training batch 1 of 1",
              "fine_labels": [19, 29, 0, 11, 1, 86, 90, 28, 23, 99], "coarse_labels": [11, 15, 4, 14, 1, 5, 18, 3, 10, 19],
              "data": cifar_data(0, 10)})
write_pickle(path("cifar-100-python", "test"),
             {"filenames": ["g0.png", "g1.png"], "batch_label": "testing batch 1 of 1", "fine_labels": [49, 33],
              "coarse_labels": [10, 10], "data": cifar_data(50, 2)})
write_pickle(path("cifar-100-python", "meta"), {"fine_label_names": classes("cifar100"), "coarse_label_names": coarse})

# ---- Python 3 pickles (protocols 2, 4, 5) and refused pickles -------------------------------------------------------
os.makedirs(os.path.join(HERE, "pickle"), exist_ok=True)
sample = {"data": np.arange(6, dtype=np.uint8).reshape(2, 3), "labels": [1, 2, 300, -7, 2 ** 40], "raw": b"\x00\xff",
          "f": 1.5, "none": None, "t": (True, False), "big": 2 ** 70}
for protocol in (2, 4, 5):
    open(os.path.join(HERE, "pickle", f"python3_protocol{protocol}.pkl"), "wb").write(pickle.dumps(sample, protocol=protocol))

class Evil:
    def __reduce__(self):
        return (os.system, ("touch /tmp/atlas_matdata_pickle_executed",))
class EvalEvil:
    def __reduce__(self):
        return (eval, ("__import__('os').system('touch /tmp/atlas_matdata_pickle_executed')",))
open(os.path.join(HERE, "pickle", "refused_os_system.pkl"), "wb").write(pickle.dumps({"data": Evil(), "labels": [0]}, protocol=2))
open(os.path.join(HERE, "pickle", "refused_builtins_eval.pkl"), "wb").write(pickle.dumps(EvalEvil(), protocol=4))
print("written under", HERE)
