#!/usr/bin/env bash
# HSPNet training/evaluation benchmark (hspnet.bench.BenchMain): prints one table in the columns
# of docs/benchmarks.md; --append docs/benchmarks.md adds its rows to the history there.
#   bench/run.sh                               CPU: a small model, a few seconds
#   bench/run.sh --device cuda --variants      GPU: the issue's protocol (RN50, batch 128, 224 px)
#   bench/run.sh --help                        every option
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$here/bench/launch.sh" hspnet.bench.BenchMain "$@"
