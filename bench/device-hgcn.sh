#!/usr/bin/env bash
# The fused HGCN kernel's GPU check (issue 6), in three steps:
#
#   bash bench/device-hgcn.sh prepare      here: build (the CUDA library needs nvcc), bundle with
#                                          ../shared/device/bundle.sh (MVN=bench/mvn-bundle: the
#                                          benchmarks are in target/test-classes, not the jar),
#                                          smoke-test the bundle on the CPU
#   bash bench/device-hgcn.sh device       on the GPU machine (device tool, carry [".device"]):
#                                          parity of every kernel variant with the LibTorch
#                                          composition, then timings; results in $OUT
#   bash bench/device-hgcn.sh append FILE  here: append the rows of the fetched hgcn-rows.md to
#                                          docs/benchmarks.md
#
# Nothing is compiled on the GPU machine: the bundle carries libhgcn_cuda.so (sm_80, sm_90 and
# compute_90 PTX, CUDA runtime linked statically) and its JNI glue, built here.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-prepare}
die() { echo "device-hgcn: $*" >&2; exit 1; }

case $mode in
  prepare)
    mvn -q -B -DskipTests package
    [ -f target/native-gpu-classes/hspnet/kernel/linux-x86_64-gpu/libhgcn_cuda.so ] \
      || die "the CUDA library was not built (is nvcc on PATH? see target/native/cmake/CMakeCache.txt)"
    MVN="$PWD/bench/mvn-bundle" bash "${BUNDLE_SH:-../shared/device/bundle.sh}"
    commit=$(git rev-parse --short HEAD)
    [ -z "$(git status --porcelain --untracked-files=no)" ] || commit="$commit-dirty"
    printf '%s\n' "$commit" > .device/hgcn-commit
    rm -rf /tmp/bundle && tar -xJf .device/bundle.tar.xz -C /tmp
    /tmp/bundle/run.sh --cpu-local hspnet.bench.HgcnBench --quick --out target/bench-cpu
    echo "device-hgcn: ready; device call: command \"bash bench/device-hgcn.sh device\", carry [\".device\"], timeout_s 420"
    ;;
  device)
    [ -f .device/bundle.tar.xz ] || die "no .device/bundle.tar.xz: run 'bash bench/device-hgcn.sh prepare' first and carry .device"
    out=${OUT:-target/bench}
    mkdir -p "$out"
    rm -rf /tmp/bundle && tar -xJf .device/bundle.tar.xz -C /tmp
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
    JAVA_OPTS=${JAVA_OPTS:--Xmx8g} /tmp/bundle/run.sh hspnet.bench.HgcnBench --out "$out" \
      --commit "$(cat .device/hgcn-commit 2>/dev/null || echo unknown)" 2>&1 | tee "$out/hgcn-log.txt"
    ;;
  append)
    rows=${2:-}
    [ -f "$rows" ] || die "usage: bench/device-hgcn.sh append path/to/hgcn-rows.md"
    grep -q '^| date | commit | device | benchmark | batch | ms/step | images/s | peak GiB |$' docs/benchmarks.md \
      || die "docs/benchmarks.md has no benchmark table header"
    tmp=$(mktemp docs/.benchmarks.XXXXXX)
    cat docs/benchmarks.md > "$tmp"
    grep '^| ' "$rows" >> "$tmp"
    mv "$tmp" docs/benchmarks.md
    echo "device-hgcn: appended $(grep -c '^| ' "$rows") rows to docs/benchmarks.md"
    ;;
  *) die "unknown mode '$mode' (prepare | device | append FILE)";;
esac
