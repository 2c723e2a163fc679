#!/usr/bin/env bash
# Runs one benchmark class (src/bench/java, package hspnet.bench) with the given arguments:
#   bench/launch.sh hspnet.bench.BenchMain --help
#   bench/launch.sh hspnet.bench.TextTowerBench 7 1
# The benchmarks are not in the production jar: they compile with the tests into target/test-classes
# (an extra test source root in pom.xml). This builds them with 'mvn test-compile' when the sources
# changed since the last build, then runs java on target/test-classes, target/classes (with the
# fused HGCN kernel's CPU library; its CUDA library from target/native-gpu-classes when built) and
# the test classpath that the build writes to target/bench-classpath.txt.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[[ $# -gt 0 ]] || { echo "usage: bench/launch.sh MAIN_CLASS [ARGS...]   (e.g. hspnet.bench.BenchMain --help)" >&2; exit 2; }
main="$1"; shift
t="$here/target"
stamp="$t/.bench-built"
cp_file="$t/bench-classpath.txt"

stale() {
  [[ ! -f "$stamp" || ! -f "$cp_file" || ! -d "$t/test-classes/hspnet/bench" ]] && return 0
  [[ -n "$(find "$here/src" "$here/native" "$here/cmake" "$here/pom.xml" "$here/configs/base.yaml" -newer "$stamp" -print -quit 2>/dev/null)" ]]
}

if stale; then
  command -v mvn >/dev/null || { echo "error: Maven (mvn) is needed to build the benchmarks" >&2; exit 1; }
  echo "Building the benchmarks (mvn test-compile)..." >&2
  (cd "$here" && mvn -q -B test-compile) >&2 || { echo "error: the build failed (see the Maven output above)" >&2; exit 1; }
  touch "$stamp"
fi

# the CPU kernels every machine shares (OpenBLAS picks its own when it loads)
source "$here/bin/cpu-env.sh"

cp="$t/test-classes:$t/classes"
[[ -d "$t/native-gpu-classes" ]] && cp="$cp:$t/native-gpu-classes"
exec java ${JAVA_OPTS:-} -cp "$cp:$(cat "$cp_file")" "$main" "$@"
