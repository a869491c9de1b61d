# Collects the params_hash of every stage lock of a finished mini run (artifacts/mini/**/lock.json) into
# params_hashes.json: stage id -> hash, as the code before spec imports computed them.
import json, pathlib, sys
root = pathlib.Path(sys.argv[1])
hashes = {}
for lock in sorted(root.rglob("lock.json")):
    record = json.loads(lock.read_text())
    hashes[record["stage"]] = record["params_hash"]
pathlib.Path(__file__).with_name("params_hashes.json").write_text(json.dumps(hashes, indent=2, sort_keys=True) + "\n")
print(len(hashes), "stages")
