#!/usr/bin/env bash
# Faults that need real processes, run on the small demo (CPU, about 3 minutes):
#   1. disk full while resume.pt is written (a tmpfs filled after epoch 0; needs root to mount):
#      one line naming the file, exit 1, no temporary file, the previous resume.pt intact (resumable)
#   2. kill -9 while a file is being written: complete files stay whole; the orphaned temporary
#      file is removed (and logged) when the round is resumed
#   3. SIGTERM and SIGINT: the log's last line says where the run stopped and how to resume it
#   4. -t on a read-only round (a tmpfs remounted read-only; needs root): it tests, writing nothing
# Prints PASS/FAIL per check and exits 1 when one fails. Usage: bench/faults.sh [WORK_DIR]
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-$(mktemp -d /tmp/hspnet-faults.XXXXXX)}"
mkdir -p "$work"
hspnet="$here/bin/hspnet"
failed=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; failed=1; }
is_root() { [[ "$(id -u)" == 0 ]]; }

config() { # $1 name, $2 epochs
  cat > "$work/$1.yaml" <<EOF
checkpoint: $1
log_file: run.txt
data: $work/demo
dataset_kind: demo
demo_train_images: 600
demo_val_images: 200
num_classes: 16
image_size: 64
batch_size: 32
workers: 1
epochs: $2
total_epochs: 8
lr: 0.001
gcn_lr: 0.001
ema_decay: 0.95
log_every: 5
device: cpu
clip_model: random
tokenizer: bytes
clip_arch:
  vision_layers: [1, 1, 1, 1]
  vision_width: 16
  embed_dim: 64
  context_length: 77
  transformer_width: 64
  transformer_heads: 2
  transformer_layers: 2
EOF
  echo "$work/$1.yaml"
}

wait_for() { # $1 file, $2 pid, $3 max seconds: waits until the file exists (0) or the process ended (1)
  local end=$((SECONDS + $3))
  while ((SECONDS < end)); do
    [[ -e "$1" ]] && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

"$hspnet" -h >/dev/null 2>&1 || true   # builds the jar when needed

# ---------------------------------------------------------------- 1. disk full on resume.pt
if is_root && mkdir -p "$work/disk" && mount -t tmpfs -o size=128m tmpfs "$work/disk" 2>/dev/null; then
  cfg=$(config full 3)
  round="$work/disk/checkpoints/full/round1"
  (cd "$work/disk" && exec "$hspnet" -c "$cfg" >"$work/full.out" 2>"$work/full.err") &
  pid=$!
  if wait_for "$round/resume.pt" $pid 300; then
    resume=$(stat -c %s "$round/resume.pt")
    avail=$(($(df --output=avail -B1 "$work/disk" | tail -1)))
    # room for a checkpoint rewrite (one model size at a time) but not for a new resume state
    fill=$((avail - resume / 2))
    head -c "$fill" /dev/zero > "$work/disk/filler" 2>/dev/null
    wait $pid; status=$?
    err=$(cat "$work/full.err")
    lines=$(grep -c . "$work/full.err")
    tmps=$(find "$round" -name '*.tmp' | wc -l)
    echo "  exit $status; stderr ($lines line(s)): $err"
    echo "  temporary files left: $tmps; resume.pt: $(stat -c %s "$round/resume.pt") bytes"
    if [[ $status == 1 && $lines == 1 && "$err" == *"resume.pt: cannot write"* && $tmps == 0 ]]; then
      pass "disk full while resume.pt is written: one line naming the file, exit 1, no temporary file"
    else
      fail "disk full: exit $status, $lines line(s), $tmps temporary file(s): $err"
    fi
    rm -f "$work/disk/filler"
    if (cd "$work/disk" && "$hspnet" -c "$cfg" --resume >"$work/full-resume.out" 2>&1) && grep -q "after epoch 0" "$work/full-resume.out"; then
      pass "the previous resume.pt was intact: --resume continued after epoch 0"
    else
      fail "resume after the full disk: $(tail -3 "$work/full-resume.out")"
    fi
  else
    fail "disk full: the training ended before epoch 0 was saved: $(cat "$work/full.err")"
  fi
  umount "$work/disk"
else
  echo "SKIP disk full (needs root to mount a tmpfs)"
fi

# ---------------------------------------------------------------- 2. kill -9 during a write
cfg=$(config killed 3)
round="$work/checkpoints/killed/round1"
(cd "$work" && exec "$hspnet" -c "$cfg" >"$work/killed.out" 2>&1) &
pid=$!
caught=""
end=$((SECONDS + 300))
while ((SECONDS < end)) && kill -0 $pid 2>/dev/null; do
  if [[ -f "$round/resume.pt" ]]; then
    caught=$(find "$round" -maxdepth 1 -name '.*.tmp' -print -quit 2>/dev/null)
    if [[ -n "$caught" ]]; then kill -9 $pid; break; fi
  fi
done
wait $pid 2>/dev/null
if [[ -n "$caught" ]]; then
  echo "  killed with -9 while writing $(basename "$caught")"
  bad=0
  for f in "$round"/*.ckpt "$round"/resume.pt; do
    [[ -f "$f" ]] || continue
    python3 -c "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); sys.exit(1 if z.testzip() else 0)" "$f" || { bad=1; echo "  corrupt: $f"; }
  done
  orphans=$(find "$round" -maxdepth 1 -name '.*.tmp' | wc -l)
  [[ $bad == 0 ]] && pass "kill -9 mid-write: every complete file is whole (CRC-checked); $orphans orphan(s) left" || fail "kill -9: corrupt files"
  cfg4=$(config killed 3)
  (cd "$work" && "$hspnet" -c "$cfg4" --resume >"$work/killed-resume.out" 2>&1)
  left=$(find "$round" -maxdepth 1 -name '.*.tmp' | wc -l)
  if [[ $left == 0 ]] && { [[ $orphans == 0 ]] || grep -q "Removed .* temporary file(s)" "$round/run.txt"; }; then
    pass "the next start of the round removed the orphan(s) and logged it: $(grep -h 'Removed' "$round/run.txt" | tail -1 | cut -c1-160)"
  else
    fail "orphans after resuming: $left; $(tail -2 "$work/killed-resume.out")"
  fi
else
  echo "SKIP kill -9 mid-write (no write caught in progress)"
fi

# ---------------------------------------------------------------- 3. SIGTERM / SIGINT
for sig in TERM INT; do
  cfg=$(config "sig$sig" 3)
  round="$work/checkpoints/sig$sig/round1"
  (cd "$work" && exec "$hspnet" -c "$cfg" >"$work/sig$sig.out" 2>&1) &
  pid=$!
  if wait_for "$round/metrics.jsonl" $pid 300; then
    while kill -0 $pid 2>/dev/null && ! grep -q "Epoch \[1/3\], Step \[005" "$round/run.txt"; do sleep 0.05; done
    kill -$sig $pid
    wait $pid; status=$?
    last=$(tail -1 "$round/run.txt")
    echo "  exit $status; last log line: $last"
    if [[ "$last" == *"Stopped by SIG$sig after Epoch [1/3]"*"1 epoch(s) completed"*"continue with: hspnet -c $cfg --resume -r 1"* ]]; then
      pass "SIG$sig: the log says where the run stopped and how to resume"
    else
      fail "SIG$sig: $last"
    fi
  else
    fail "SIG$sig: the training ended before epoch 0 was saved"
  fi
done

# ---------------------------------------------------------------- 4. -t on a read-only round
if is_root && [[ -f "$work/checkpoints/sigTERM/round1/model-highest.ckpt" ]] && mkdir -p "$work/ro/checkpoints" \
    && mount -t tmpfs -o size=64m tmpfs "$work/ro/checkpoints" 2>/dev/null; then
  cp -a "$work/checkpoints/sigTERM" "$work/ro/checkpoints/"
  mount -o remount,ro "$work/ro/checkpoints"
  cfg=$(config sigTERM 3)
  (cd "$work/ro" && "$hspnet" -c "$cfg" -t -r 1 >"$work/ro.out" 2>&1); status=$?
  grep -E "not writable|mAP score" "$work/ro.out" | sed 's/^/  /'
  if [[ $status == 0 ]] && grep -q "is not writable" "$work/ro.out" && grep -q "mAP score: " "$work/ro.out"; then
    pass "-t on a read-only round: tested, results printed, nothing written"
  else
    fail "-t on a read-only round: exit $status: $(tail -2 "$work/ro.out")"
  fi
  umount "$work/ro/checkpoints"
else
  echo "SKIP -t on a read-only round (needs root to mount a tmpfs)"
fi

echo "work folder: $work"
exit $failed
