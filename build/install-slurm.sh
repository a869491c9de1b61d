#!/usr/bin/env bash
# Explicit one-time set-up for the tests that run against a real Slurm (tests/Atlas.Testing/SlurmCluster.cs): Debian's
# munge and Slurm 22.05 daemons and clients, 9 packages. The tests install them themselves when they run as root with
# apt-get; run this as a user with sudo, or in an image's setup. It starts no daemon: each test fixture starts its own
# on loopback and stops it. Without these packages the Slurm tests are reported as skipped, with the reason.
#   build/install-slurm.sh
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
if command -v munged >/dev/null && command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null; then
    echo "munged, slurmctld, slurmd and sbatch are installed (slurm-client $(dpkg-query -W -f='${Version}' slurm-client 2>/dev/null)); nothing to install."
    exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends munge slurmd slurmctld slurm-client
echo "installed slurm-client $(dpkg-query -W -f='${Version}' slurm-client)"
