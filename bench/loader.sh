#!/usr/bin/env bash
# Loader throughput: images per second of decode + transform + batching, 1 thread and all cores.
#   bench/loader.sh [JPEG_DIR] [extra hspnet.bench.LoaderBench options, e.g. --resize opencv --size 224]
# Without JPEG_DIR, 256 natural-image-like 640x480 JPEGs are drawn once under data/bench-jpeg.
# Prints a Markdown table, then where one thread's time goes (decode vs resize + normalise).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:-}"
[[ $# -gt 0 ]] && shift
if [[ -z "$dir" ]]; then
  set -- --make "$here/data/bench-jpeg" --count 256 "$@"
else
  set -- --images "$dir" "$@"
fi
exec "$here/bench/launch.sh" hspnet.bench.LoaderBench --threads "1,$(nproc)" "$@"
