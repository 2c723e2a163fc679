#!/usr/bin/env bash
# Native-memory soak: trains the demo model (configs/hspnet+demo.yaml's model and data, CPU) for at
# least STEPS optimizer steps (default 3000, 48 epochs of 63 steps; validation on 100 images to
# keep it short; the data is drawn under WORK_DIR) and samples the process's resident memory (VmRSS) against the global step every
# 2 s. Prints some samples ("step rss") and least-squares slopes of RSS over steps from 10%, a third
# and half of the run on, in MiB per 1,000 steps, with the residuals' spread (a one-time rise during
# warm-up shows as a slope that shrinks in the later windows; a leak keeps its slope).
# Do not rebuild the jar (bin/hspnet after a source change) while it runs: the JVM reads it lazily.
# Usage: bench/soak.sh [STEPS] [WORK_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
steps="${1:-3000}"
work="${2:-$(mktemp -d /tmp/hspnet-soak.XXXXXX)}"
mkdir -p "$work"
per_epoch=63   # 2,000 training images at batch 32
epochs=$(((steps + per_epoch - 1) / per_epoch))
sed -e "s/^epochs:.*/epochs: $epochs/" -e "s/^total_epochs:.*/total_epochs: $epochs/" -e "s/^checkpoint:.*/checkpoint: soak/" \
    -e "s|^data:.*|data: $work/data|" -e "s/^demo_val_images:.*/demo_val_images: 100/" -e "s/^device:.*/device: cpu/" \
    "$here/configs/hspnet+demo.yaml" > "$work/soak.yaml"
grep -q '^log_every' "$work/soak.yaml" && sed -i 's/^log_every:.*/log_every: 1/' "$work/soak.yaml" || echo "log_every: 1" >> "$work/soak.yaml"
"$here/bin/hspnet" -h >/dev/null 2>&1 || true
(cd "$work" && exec "$here/bin/hspnet" -c "$work/soak.yaml" > "$work/soak.out" 2>&1) &
pid=$!
log="$work/checkpoints/soak/round1/$(sed -n 's/^log_file: *//p' "$work/soak.yaml")"
: > "$work/samples.txt"
while kill -0 $pid 2>/dev/null; do
  # the java process is the launcher's exec'd child
  jpid=$(pgrep -P $pid java || echo $pid)
  rss=$(awk '/^VmRSS/ {print $2}' /proc/$jpid/status 2>/dev/null || echo "")
  last=$(grep -o 'Epoch \[[0-9]*/[0-9]*\], Step \[[0-9]*/[0-9]*\]' "$log" 2>/dev/null | tail -1 || true)
  if [[ -n "$rss" && -n "$last" ]]; then
    e=$(echo "$last" | sed 's/Epoch \[\([0-9]*\)\/.*/\1/'); s=$(echo "$last" | sed 's/.*Step \[0*\([0-9][0-9]*\)\/.*/\1/')
    echo "$((e * per_epoch + s)) $((rss / 1024))" >> "$work/samples.txt"
  fi
  sleep 2
done
wait $pid || { echo "training failed: $(tail -3 "$work/soak.out")"; exit 1; }
python3 - "$work/samples.txt" <<'EOF'
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
last = max(s for s, _ in rows)

def fit(lo):
    w = [(s, r) for s, r in rows if s >= lo]
    n = len(w)
    mx = sum(s for s, _ in w) / n
    my = sum(r for _, r in w) / n
    slope = sum((s - mx) * (r - my) for s, r in w) / sum((s - mx) ** 2 for s, _ in w)
    res = [r - (my + slope * (s - mx)) for s, r in w]
    return n, slope, (sum(x * x for x in res) / n) ** 0.5, max(abs(x) for x in res), w

print("samples: %d, steps %d..%d" % (len(rows), rows[0][0], last))
for s, r in rows[:: max(1, len(rows) // 25)]:
    print("step %5d  rss %5d MiB" % (s, r))
for frac in (0.1, 1 / 3, 0.5):
    n, slope, sd, mx, w = fit(frac * last)
    print("from step %4d (%d samples): slope %+.2f MiB per 1,000 steps; RSS %d..%d MiB; residual sd %.1f, max |%.1f| MiB"
          % (frac * last, n, slope * 1000, min(r for _, r in w), max(r for _, r in w), sd, mx))
EOF
echo "work folder: $work"
