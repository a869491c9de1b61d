#!/usr/bin/env bash
# The main job: restores the pinned Cake tool and runs the build graph.
# Default target reproduces experiments/mini.yaml and verifies its tables; see README for targets and options.
#   ./build.sh [--target=Report] [--spec=experiments/mini.yaml] [--force] [--jobs=N]
set -euo pipefail
# The Bench target times the reproduction from here, in the same run (see build/build.cake, ReproductionSeconds).
export ATLAS_BUILD_STARTED_MS="$(date +%s%3N)"
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Cake compiles build.cake with Roslyn on every run (~2 s); its script cache skips that when the script is unchanged.
export CAKE_SETTINGS_ENABLESCRIPTCACHE=true CAKE_PATHS_TOOLS="$PWD/build/tools"
dotnet tool restore >/dev/null
exec dotnet cake build/build.cake "$@"
