#!/usr/bin/env bash
# Loader throughput: images per second of decode + transform + batching, on one core and on all,
# beside the PIL + torchvision peer (bench/pil_peer.py: what the original runs) on the same images.
#   bench/loader.sh [JPEG_DIR | --photos] [extra hspnet.bench.LoaderBench options, e.g. --resize opencv]
# Without JPEG_DIR, 256 natural-image-like 640x480 JPEGs are drawn once under data/bench-jpeg.
# --photos: 30 photographs from Debian's wallpaper packages (apt-get install mate-backgrounds
# plasma-workspace-wallpapers), shrunk once to a longest side of 640 px, JPEG quality 90, under
# data/bench-photos (bench/photos.txt lists them).
# The one-thread figures, ours and the peer's, run pinned to core 0 (taskset). The peer needs a
# Python that imports PIL and torchvision (Debian: apt-get install python3-pil python3-torchvision);
# without one it is skipped with a note. With the peer, our tensor of every image is first compared
# with Pillow's, bit for bit. Prints a Markdown table, then where one thread's time goes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:-}"
[[ $# -gt 0 ]] && shift
if [[ "$dir" == "--photos" ]]; then
  dir="$here/data/bench-photos"
  if [[ ! -d "$dir" ]]; then
    mapfile -t sources < <(grep -v '^#' "$here/bench/photos.txt" | grep .)
    for f in "${sources[@]}"; do
      [[ -f "$f" ]] || { echo "error: $f is missing (apt-get install mate-backgrounds plasma-workspace-wallpapers)" >&2; exit 1; }
    done
    "$here/bench/launch.sh" hspnet.bench.PhotoSet "$dir" "${sources[@]}"
  fi
elif [[ -z "$dir" ]]; then
  dir="$here/data/bench-jpeg"
  [[ -d "$dir" ]] || "$here/bench/launch.sh" hspnet.bench.LoaderBench --make "$dir" --count 256 --threads 1 --images-per-run 1 >/dev/null
fi

pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)

# the peer: the first Python that imports both
peer=()
for py in /usr/bin/python3 python3; do
  if command -v "$py" >/dev/null && "$py" -c 'import PIL, torchvision' 2>/dev/null; then
    dump="$(mktemp -d)"   # Pillow's tensors, compared with ours below
    trap 'rm -rf "$dump"' EXIT
    rate="$("${pin[@]}" "$py" "$here/bench/pil_peer.py" "$dir" --dump "$dump" "$@" | tail -1)"
    peer=(--peer "$rate" --pillow "$dump")
    break
  fi
done
[[ ${#peer[@]} -gt 0 ]] || echo "(no PIL + torchvision peer: no python3 here imports both PIL and torchvision)"

"${pin[@]}" "$here/bench/launch.sh" hspnet.bench.LoaderBench --images "$dir" --threads 1 "${peer[@]}" "$@"
"$here/bench/launch.sh" hspnet.bench.LoaderBench --images "$dir" --threads "$(nproc)" --rows-only "$@"
