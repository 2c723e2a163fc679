#!/usr/bin/env bash
# The one device call of the GPU checks (prepared by bench/device-prepare.sh, which builds the bundle):
#   command: bash bench/device-bench.sh      carry: [".device"]      timeout_s: 600
# On the GPU machine, from .device/bundle.tar.xz (no Java or Maven needed there), most needed first:
#   1. DeviceCheck: CUDA visible; the reference fixture's HSPNet on the GPU (float32, fp16 autocast,
#      channels-last) against the CPU and the original's logits; a few training steps with fp16 +
#      loss scaling, bf16 and the fused optimizer, loss finite;
#   2. the fused HGCN kernel: every variant's parity with the LibTorch composition, then timings
#      (HgcnBench, the rows hgcn-fused and hgcn-libtorch);
#   3. BenchMain at the bar's protocol (RN50, batch 128, 224 px; train-step, eval-forward,
#      end-to-end, peak memory) plus the variants table;
#   4. the same train-step and eval-forward in plain PyTorch (bench/torch_peer.py), the original's
#      way, on the same GPU in the same call;
#   5. the demo through the real command line (TrainMain, device cuda, amp) for one short epoch;
#   6. two data-parallel ranks of the demo on the one GPU, over Gloo and over NCCL;
#   7. JPEG decoding with nvJPEG and the LibTorch resize against the Pillow-exact CPU path (DecodeBench).
# DEVICE_STEPS=3,7 runs only those steps (a second call after a fix); BENCH_ONLY limits step 3.
# The steps share one deadline (DEVICE_BUDGET_S, 540 s by default): each gets at most its own limit
# and what is left, so that the summary always prints inside the device call's limit.
# Writes checks.log, smoke.log, bench.log, hgcn.log and rows.md (the history rows for
# docs/benchmarks.md) under $OUT. --cpu-local runs the same on this machine's CPU (small sizes) to
# test the script.
set -uo pipefail
mode=gpu; [ "${1:-}" = --cpu-local ] && mode=cpu
# logs are written to a folder of their own and packed into $OUT at the end: the device tool
# brings back at most 8 files
DEST=${OUT:-$(mktemp -d)}; mkdir -p "$DEST"
OUT=$(mktemp -d /tmp/hspnet-logs.XXXXXX)
[ -f .device/bundle.tar.xz ] || { echo "device-bench: no .device/bundle.tar.xz: run bench/device-prepare.sh first" >&2; exit 1; }
B=$(mktemp -d /tmp/hspnet-bundle.XXXXXX)
tar -xJf .device/bundle.tar.xz -C "$B" || exit 1
RUN=("$B/bundle/run.sh"); [ $mode = cpu ] && RUN+=(--cpu-local)
export HSPNET_COMMIT=$(cat .device/commit.txt 2>/dev/null || echo unknown)
export JAVA_OPTS="${JAVA_OPTS:--Xmx24g}"
dev=cuda; [ $mode = cpu ] && dev=cpu
status=0
verdict=""
t0=$(date +%s)
budget=${DEVICE_BUDGET_S:-540}
# limit SECONDS: the step's own limit, or what is left of the budget (keeping 15 s for the summary)
# want N: step N is among DEVICE_STEPS (default: all), e.g. DEVICE_STEPS=3,7 for a second call
want() { [[ ",${DEVICE_STEPS:-1,2,3,4,5,6,7}," == *",$1,"* ]]; }
limit() { local left=$(( budget - 15 - ($(date +%s) - t0) )); [ "$left" -lt "$1" ] && echo $(( left > 5 ? left : 5 )) || echo "$1"; }

# the demo config of steps 5 and 6
smoke=$(mktemp -d /tmp/hspnet-smoke.XXXXXX)
cat > "$smoke/smoke.yaml" <<YAML
checkpoint: hspnet+device-smoke
log_file: smoke.txt
data: $smoke/data
dataset_kind: demo
demo_train_images: 256
demo_val_images: 64
num_classes: 16
image_size: 64
batch_size: 32
workers: 4
epochs: 1
total_epochs: 2
lr: 0.001
gcn_lr: 0.001
ema_decay: 0.98
change_epoch: 1
log_every: 2
device: $dev
amp: true
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
YAML

if want 1; then
echo "== 1. device checks ($dev)"
timeout $(limit 100) "${RUN[@]}" hspnet.bench.DeviceCheck --fixtures .device/data/fixtures --device $dev 2>&1 | tee "$OUT/checks.log"
[ "${PIPESTATUS[0]}" = 0 ] || status=1
fi

if want 2; then
echo "== 2. fused HGCN kernel: parity of every variant with the LibTorch composition, timings"
hgcn_args=(--out "$OUT/hgcn" --commit "$HSPNET_COMMIT"); [ $mode = cpu ] && hgcn_args+=(--quick)
timeout $(limit 150) "${RUN[@]}" hspnet.bench.HgcnBench "${hgcn_args[@]}" 2>&1 | tee "$OUT/hgcn.log"
[ "${PIPESTATUS[0]}" = 0 ] || { status=1; echo "FAIL HgcnBench" | tee -a "$OUT/hgcn.log"; }
fi

if want 3; then
echo "== 3. benchmarks ($dev)"
if [ $mode = cpu ]; then
  args=(--device cpu --batch 4 --image-size 64 --warmup 1 --steps 2 --e2e-images 16 --e2e-files 8 --workers 2 --variants)
else
  # peak memory from the caching allocator's statistics needs the CUDA presets to load; probe that
  # in a JVM of its own first (a missing symbol would abort the process), then the driver's view
  if timeout 60 "${RUN[@]}" hspnet.bench.DeviceCheck --probe-memory auto 2>&1 | tee -a "$OUT/checks.log"; then memory=auto
  elif timeout 60 "${RUN[@]}" hspnet.bench.DeviceCheck --probe-memory driver 2>&1 | tee -a "$OUT/checks.log"; then memory=driver
    echo "device-bench: allocator statistics unavailable; peak memory from the driver's view (an upper bound)"
  else memory=none; echo "device-bench: no GPU memory measurement works here; peak GiB not measured"; fi
  args=(--device cuda --variants --memory $memory)
  # BENCH_ONLY=end-to-end (say): only those benchmarks, without the variants table
  [ -n "${BENCH_ONLY:-}" ] && args=(--device cuda --only "$BENCH_ONLY" --memory $memory)
fi
timeout $(limit 240) "${RUN[@]}" hspnet.bench.BenchMain "${args[@]}" --rows-out "$OUT/rows.md" 2>&1 | tee "$OUT/bench.log"
[ "${PIPESTATUS[0]}" = 0 ] || status=1
fi

if want 4; then
echo "== 4. the same steps in plain PyTorch (bench/torch_peer.py), the original's way"
py=${PYTHON:-python3}
if [ $mode = cpu ] && ! "$py" -c 'import torch' 2>/dev/null; then
  echo "SKIP no torch for $py here" | tee "$OUT/peer.log"
else
  if [ $mode = cpu ]; then peer_args=(--device cpu --size small --batch 4 --image-size 64 --warmup 1 --steps 2)
  else peer_args=(--device cuda); fi
  PYTHONUNBUFFERED=1 timeout $(limit 150) "$py" bench/torch_peer.py "${peer_args[@]}" --rows-out "$OUT/peer-rows.md" 2>&1 | tee "$OUT/peer.log"
  [ "${PIPESTATUS[0]}" = 0 ] || echo "FAIL torch_peer.py" | tee -a "$OUT/peer.log"
fi
fi

if want 5; then
echo "== 5. demo through TrainMain ($dev, amp), one short epoch"
timeout $(limit 120) "${RUN[@]}" hspnet.TrainMain -c "$smoke/smoke.yaml" 2>&1 | tee "$OUT/smoke.log"
rc=${PIPESTATUS[0]}
if [ "$rc" != 0 ]; then verdict="FAIL TrainMain exit status $rc"
elif grep -qiE "Loss: *(nan|-?inf)" "$OUT/smoke.log"; then verdict="FAIL a non-finite loss in the demo run"
elif ! grep -q "Loss:" "$OUT/smoke.log"; then verdict="FAIL no training line in the demo run"
else verdict="OK   demo trained one epoch on $dev with amp (losses finite): $(grep -c 'Loss:' "$OUT/smoke.log") training lines"; fi
echo "$verdict" | tee -a "$OUT/smoke.log"
case $verdict in FAIL*) status=1;; esac
if [ $mode = gpu ]; then
  # the same run through image_decode: gpu (the demo's images are PNGs: the loader's CPU path for
  # files nvJPEG does not take, inside the device-decoding loader; JPEGs are timed in step 3)
  timeout $(limit 90) "${RUN[@]}" hspnet.TrainMain -c "$smoke/smoke.yaml" -o image_decode=gpu \
    -o checkpoint=hspnet+device-smoke-gpu-decode > "$OUT/smoke-gpu-decode.log" 2>&1
  rc=$?
  if [ "$rc" = 0 ] && grep -q "images: .* decoded on the device" "$OUT/smoke-gpu-decode.log"; then
    verdict="$verdict
OK   demo with image_decode gpu: $(grep -m1 -o 'Training images: .*' "$OUT/smoke-gpu-decode.log")"
  else
    verdict="$verdict
FAIL demo with image_decode gpu: exit status $rc: $(grep -m1 '^error' "$OUT/smoke-gpu-decode.log")"
  fi
  echo "$verdict" | tail -1
fi
fi

if want 6; then
echo "== 6. two data-parallel ranks on one $dev device (Gloo, then NCCL), the smoke config"
# both ranks use GPU 0 (LOCAL_RANK 0): a one-GPU machine exercises the collectives on CUDA tensors;
# NCCL refuses two ranks on one GPU in most versions, so its line says what happened either way
dist_verdicts=()
for backend in gloo nccl; do
  [ $mode = cpu ] && [ $backend = nccl ] && { dist_verdicts+=("SKIP nccl on the CPU"); continue; }
  port=$(( 29500 + RANDOM % 1000 )); pids=()
  for r in 0 1; do
    MASTER_ADDR=127.0.0.1 MASTER_PORT=$port RANK=$r WORLD_SIZE=2 LOCAL_RANK=0 LOCAL_WORLD_SIZE=2 \
      timeout $(limit 100) "${RUN[@]}" hspnet.TrainMain -c "$smoke/smoke.yaml" -o dist_backend=$backend -o dist_timeout_s=60 \
      -o checkpoint=hspnet+device-dist-$backend > "$OUT/dist-$backend-rank$r.log" 2>&1 & pids+=($!)
  done
  rcs=""; for p in "${pids[@]}"; do wait "$p"; rcs="$rcs $?"; done
  if [ "$rcs" = " 0 0" ] && grep -q "Loss:" "$OUT/dist-$backend-rank0.log" \
      && ! grep -qiE "Loss: *(nan|-?inf)" "$OUT/dist-$backend-rank0.log"; then
    dist_verdicts+=("OK   2 ranks, $backend on $dev: $(grep -c 'Loss:' "$OUT/dist-$backend-rank0.log") training lines, $(grep -m1 -oE 'Training done in [0-9.]+ ?s' "$OUT/dist-$backend-rank0.log")")
  else
    dist_verdicts+=("FAIL 2 ranks, $backend on $dev: exit statuses$rcs: $(grep -h -m1 '^error' "$OUT"/dist-$backend-rank*.log | head -1)")
    [ $backend = gloo ] && status=1
  fi
done
printf '%s\n' "${dist_verdicts[@]}" | tee "$OUT/dist.log"
fi

if want 7; then
echo "== 7. JPEG decoding on the $dev: nvJPEG + LibTorch resize against the Pillow-exact CPU path"
if [ $mode = cpu ]; then decode_args=(--device cpu --count 32); else decode_args=(--device cuda --count 512); fi
timeout $(limit 90) "${RUN[@]}" hspnet.bench.DecodeBench "${decode_args[@]}" 2>&1 | tee "$OUT/decode.log"
[ "${PIPESTATUS[0]}" = 0 ] || echo "FAIL DecodeBench (nvJPEG may be missing on this machine: see decode.log)" | tee -a "$OUT/decode.log"
fi

# BenchMain writes rows.md whole; the kernel's and the peer's rows join it here
cat "$OUT/hgcn/hgcn-rows.md" "$OUT/peer-rows.md" >> "$OUT/rows.md" 2>/dev/null

echo "== summary ($(( $(date +%s) - t0 )) s)"
grep -sE "^(OK|FAIL|SKIP)|DEVICE CHECK" "$OUT/checks.log"
echo "$verdict"
cat "$OUT/dist.log" 2>/dev/null
tail -6 "$OUT/decode.log" 2>/dev/null
grep -saE "HGCN CHECK|== parity:|== host overhead" "$OUT/hgcn.log" | tail -4
grep -sE "^torch-|^FAIL|^SKIP" "$OUT/peer.log"
echo "rows for docs/benchmarks.md:"
cat "$OUT/rows.md" 2>/dev/null || { echo "(none)"; status=1; }
tar -czf "$DEST/logs.tgz" -C "$OUT" . && for f in rows.md checks.log hgcn.log bench.log peer.log; do
  [ -f "$OUT/$f" ] && cp "$OUT/$f" "$DEST/"; done
echo "device-bench: logs in $DEST (logs.tgz holds them all)"
rm -rf "$B" "$smoke" "$OUT"
exit $status
