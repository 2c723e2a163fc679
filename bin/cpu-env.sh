# Sourced by the launchers. OpenBLAS (LibTorch's GEMM) picks its kernels when it is loaded, before
# any Java code runs: on every CPU with AVX2 it gets the Haswell ones, so that AVX-512 machines
# compute the numbers AVX2 machines do (hspnet.nn.CpuNumerics pins LibTorch's own kernels the same
# way). A value the user exported is kept.
if [[ -z "${OPENBLAS_CORETYPE:-}" ]] && grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo 2>/dev/null; then
  export OPENBLAS_CORETYPE=Haswell
fi
