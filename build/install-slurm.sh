#!/usr/bin/env bash
# Installs what the Slurm executor's tests start on loopback (munge, slurmctld, slurmd and the client commands) from
# Debian's packages; the test fixture calls it when they are missing and it runs as root. Idempotent; no daemon is
# started or enabled (the fixture starts its own, with its own configuration, and stops them).
set -euo pipefail
if [ -x /usr/sbin/slurmctld ] && [ -x /usr/sbin/munged ] && command -v sbatch >/dev/null; then exit 0; fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
# One apt at a time, even when several test processes ask at once.
exec 9>/tmp/atlas-install-slurm.lock
flock 9
[ -x /usr/sbin/slurmctld ] && [ -x /usr/sbin/munged ] && command -v sbatch >/dev/null && exit 0
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq || true
$sudo apt-get install -y -qq --no-install-recommends munge slurmd slurmctld slurm-client
