#!/usr/bin/env bash
# Prepares the one device call of bench/device-bench.sh, here (no GPU needed):
#   1. builds the project (the benchmarks, src/bench/java, compile into target/test-classes: package
#      with -DskipTests still compiles them) and packs it with ../shared/device/bundle.sh into
#      .device/bundle.tar.xz, resolving the classpath with the pom's gpu profile (bench/mvn-gpu), so
#      that the CUDA presets' classes travel (peak GPU memory from the caching allocator's
#      statistics), plus the benchmark classes (bench/mvn-bundle);
#   2. copies the reference fixture files the GPU-vs-CPU parity check reads into .device/data/fixtures
#      (.device is ignored by git; nothing from ../shared enters the repository);
#   3. records the commit measured in .device/commit.txt;
#   4. runs bench/device-bench.sh --cpu-local: the same script on this machine's CPU, from the bundle.
# Then, with the device tool:  command: bash bench/device-bench.sh   carry: [".device"]   timeout_s: 580
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
shared="${SHARED:-$root/../shared}"
[ -f "$shared/device/bundle.sh" ] || { echo "device-prepare: no $shared/device/bundle.sh (set SHARED=...)" >&2; exit 1; }

mvn -q -B -DskipTests package
stamp=$(mktemp)
# bundle.sh lists the bundle's largest files through 'sort | head' under pipefail, which now and
# then ends it with SIGPIPE (141) after the bundle is written: accept that case only
MVN="$root/bench/mvn-gpu" bash "$shared/device/bundle.sh" || {
  rc=$?
  [ "$rc" = 141 ] && [ .device/bundle.tar.xz -nt "$stamp" ] || exit "$rc"
  echo "device-prepare: bundle.sh ended by SIGPIPE after writing the bundle; going on" >&2
}
rm -f "$stamp"

fx="$shared/fixtures/reference"
mkdir -p .device/data/fixtures
if [ -d "$fx" ]; then
  for f in cases.json hspnet_rn.state.pt hspnet_rn.images.npy hspnet_rn.logits.npy hspnet_rn.relation_raw.npy \
           hspnet_rn.parent_tokens.npy hspnet_rn.child_tokens.npy; do
    cp "$fx/$f" .device/data/fixtures/
  done
else
  echo "device-prepare: no fixtures at $fx: the device run will skip the fixture parity check" >&2
fi

commit=$(git rev-parse --short=10 HEAD)
[ -z "$(git status --porcelain --untracked-files=no)" ] || commit="$commit+dirty"
echo "$commit" > .device/commit.txt
du -sh .device | sed 's/^/device-prepare: carrying /'

echo "device-prepare: testing the bundle on this CPU (bench/device-bench.sh --cpu-local)"
OUT="$(mktemp -d)" bash bench/device-bench.sh --cpu-local
