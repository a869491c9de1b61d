#!/usr/bin/env bash
# Explicit one-time set-up for `./build.sh --target=Bench`: Debian's python3-torch, the bench's PyTorch reference (the
# package registries serve no other torch). It installs a system package with apt-get, so it needs root or sudo; the
# build itself never runs it, and without it the Bench target warns and writes its report without PyTorch columns.
#   build/install-bench-tools.sh
set -euo pipefail
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    echo "/usr/bin/python3 already imports torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'); nothing to install."
    exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends python3-torch
/usr/bin/python3 -c 'import torch; print("installed python3-torch", torch.__version__)'
