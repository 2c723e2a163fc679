// The reference back end: the plan of hgcn_plan.h executed with plain loops on one CPU thread.
// Products accumulate in float32 in the order k = 0, 1, … (as each CUDA thread does; with
// HGCN_MATH_HALF_OPERANDS each operand is first rounded to the activation type, the arithmetic of
// the tensor-core variants, whose fragments sum in an order of their own); the dγ dot
// product accumulates in double. Operands are first copied into contiguous float32 panels so that
// the inner loop runs over contiguous memory whatever the transposes and types.
#include <cmath>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "hgcn.h"
#include "hgcn_plan.h"
#include "hgcn_types.h"

namespace {

thread_local std::string last_error;

float load(const void* p, int dtype, int64_t i) {
  switch (dtype) {
    case HGCN_F16: return hgcn::half_bits_to_float(static_cast<const uint16_t*>(p)[i]);
    case HGCN_BF16: return hgcn::bf16_bits_to_float(static_cast<const uint16_t*>(p)[i]);
    default: return static_cast<const float*>(p)[i];
  }
}

void store(void* p, int dtype, int64_t i, float v) {
  switch (dtype) {
    case HGCN_F16: static_cast<uint16_t*>(p)[i] = hgcn::float_to_half_bits(v); break;
    case HGCN_BF16: static_cast<uint16_t*>(p)[i] = hgcn::float_to_bf16_bits(v); break;
    default: static_cast<float*>(p)[i] = v;
  }
}

// v rounded to float16 or bfloat16 (round to nearest even) and back; float32 leaves it.
float round_to(float v, int dtype) {
  switch (dtype) {
    case HGCN_F16: return hgcn::half_bits_to_float(hgcn::float_to_half_bits(v));
    case HGCN_BF16: return hgcn::bf16_bits_to_float(hgcn::float_to_bf16_bits(v));
    default: return v;
  }
}

// op(o) as a contiguous rows×cols float32 matrix, each element rounded to `round` (the tensor
// cores' operand type; HGCN_F32: as stored).
std::vector<float> panel(const hgcn::Operand& o, int64_t rows, int64_t cols, int round) {
  std::vector<float> out(static_cast<size_t>(rows * cols));
  for (int64_t r = 0; r < rows; r++)
    for (int64_t c = 0; c < cols; c++)
      out[r * cols + c] = round_to(load(o.ptr, o.dtype, o.trans ? c * o.ld + r : r * o.ld + c), round);
  return out;
}

struct HostLoad {
  float operator()(const void* p, int dtype, int64_t i) const { return load(p, dtype, i); }
};

float epilogue(const hgcn::Step& s, int64_t idx, float v, float gamma) {
  return hgcn::apply_epilogue(s, idx, v, gamma, HostLoad{});
}

constexpr int kRows = 4;  // output rows computed together: each row of Q is read once per block

// acc[r][j] += Σ_k p[r][k]·q[k][j] for `rows` ≤ kRows rows, in the order k = 0, 1, … . Compiled
// twice (AVX2 and baseline x86-64, chosen at load time); neither contracts into FMA, so both give
// the same bits.
__attribute__((target_clones("avx2", "default"))) void accumulate_rows(const float* p, int64_t k, int rows,
                                                                         const float* q, int64_t n, float* acc) {
  for (int64_t kk = 0; kk < k; kk++) {
    const float* qrow = q + kk * n;
    if (rows == kRows) {
      const float a0 = p[kk], a1 = p[k + kk], a2 = p[2 * k + kk], a3 = p[3 * k + kk];
      float *c0 = acc, *c1 = acc + n, *c2 = acc + 2 * n, *c3 = acc + 3 * n;
      for (int64_t j = 0; j < n; j++) {
        const float b = qrow[j];
        c0[j] += a0 * b;
        c1[j] += a1 * b;
        c2[j] += a2 * b;
        c3[j] += a3 * b;
      }
    } else {
      for (int r = 0; r < rows; r++) {
        const float a = p[r * k + kk];
        float* c = acc + r * n;
        for (int64_t j = 0; j < n; j++) c[j] += a * qrow[j];
      }
    }
  }
}

void run_gemm(const hgcn::Step& s) {
  std::vector<float> p = panel(s.p, s.m, s.k, s.operand_type), q = panel(s.q, s.k, s.n, s.operand_type), acc(static_cast<size_t>(kRows * s.n));
  float gamma = s.gamma ? *s.gamma : 0.f;
  for (int64_t i0 = 0; i0 < s.m; i0 += kRows) {
    int rows = int(s.m - i0 < kRows ? s.m - i0 : kRows);
    std::fill(acc.begin(), acc.end(), 0.f);
    accumulate_rows(&p[i0 * s.k], s.k, rows, q.data(), s.n, acc.data());
    for (int r = 0; r < rows; r++)
      for (int64_t j = 0; j < s.n; j++) {
        int64_t idx = (i0 + r) * s.n + j;
        store(s.c, s.c_dtype, idx, epilogue(s, idx, acc[r * s.n + j], gamma));
      }
  }
}

// One partial sum per chunk, as the CUDA blocks compute them.
void run_dot(const hgcn::Step& s) {
  int64_t total = s.m * s.n, chunk = (total + s.tiles - 1) / s.tiles;
  for (int t = 0; t < s.tiles; t++) {
    double sum = 0;
    for (int64_t i = t * chunk; i < total && i < (t + 1) * chunk; i++)
      sum += double(load(s.p.ptr, s.p.dtype, i)) * (double(load(s.q.ptr, s.q.dtype, i)) - load(s.ref, s.ref_dtype, i));
    static_cast<float*>(s.c)[t] = static_cast<float>(sum);
  }
}

void run_dot_final(const hgcn::Step& s) {
  double sum = 0;
  for (int64_t i = 0; i < s.k; i++) sum += static_cast<const float*>(s.p.ptr)[i];
  static_cast<float*>(s.c)[0] = static_cast<float>(sum);
}

void run(hgcn::Plan plan, int math, int dtype) {
  if (math == HGCN_MATH_HALF_OPERANDS) hgcn::round_operands(plan, dtype);
  for (const hgcn::Phase& ph : plan.phases)
    for (int i = 0; i < ph.count; i++) {
      const hgcn::Step& s = ph.steps[i];
      if (s.kind == hgcn::DOT) run_dot(s);
      else if (s.kind == hgcn::DOT_FINAL) run_dot_final(s);
      else run_gemm(s);
    }
}

int fail(int code, const std::string& message) {
  last_error = message;
  return code;
}

}  // namespace

extern "C" {

HGCN_API int hgcn_cpu_forward(int dtype, int64_t n, int64_t e, const void* x, const void* adj, const float* w1,
                              const float* w2, const float* w3, const float* gamma, void* out, float* saved,
                              float* workspace, int math) {
  if (const char* bad = hgcn::check_args(dtype, n, e)) return fail(HGCN_ERR_ARGUMENT, bad);
  if (math != HGCN_MATH_EXACT && math != HGCN_MATH_HALF_OPERANDS) return fail(HGCN_ERR_ARGUMENT, "unknown math");
  if (!x || !adj || !w1 || !w2 || !w3 || !gamma || !out || !saved || !workspace)
    return fail(HGCN_ERR_ARGUMENT, "hgcn_cpu_forward: a pointer is null");
  try {
    run(hgcn::forward_plan(dtype, n, e, x, adj, w1, w2, w3, gamma, out, saved, workspace), math, dtype);
  } catch (const std::exception& ex) {  // std::bad_alloc of the panels: never let it cross the C ABI
    return fail(HGCN_ERR_ARGUMENT, std::string("hgcn_cpu_forward: ") + ex.what());
  }
  last_error.clear();
  return HGCN_OK;
}

HGCN_API int hgcn_cpu_backward(int dtype, int64_t n, int64_t e, const void* x, const void* adj, const float* w1,
                               const float* w2, const float* w3, const float* gamma, const float* saved,
                               const void* dout, void* dx, float* dw1, float* dw2, float* dw3, float* dgamma,
                               int accumulate, float* workspace, int math) {
  if (const char* bad = hgcn::check_args(dtype, n, e)) return fail(HGCN_ERR_ARGUMENT, bad);
  if (math != HGCN_MATH_EXACT && math != HGCN_MATH_HALF_OPERANDS) return fail(HGCN_ERR_ARGUMENT, "unknown math");
  if (!x || !adj || !w1 || !w2 || !w3 || !gamma || !saved || !dout || !dx || !dw1 || !dw2 || !dw3 || !dgamma ||
      !workspace)
    return fail(HGCN_ERR_ARGUMENT, "hgcn_cpu_backward: a pointer is null");
  try {
    run(hgcn::backward_plan(dtype, n, e, x, adj, w1, w2, w3, gamma, saved, dout, dx, dw1, dw2, dw3, dgamma,
                            accumulate != 0, workspace), math, dtype);
  } catch (const std::exception& ex) {
    return fail(HGCN_ERR_ARGUMENT, std::string("hgcn_cpu_backward: ") + ex.what());
  }
  last_error.clear();
  return HGCN_OK;
}

HGCN_API const char* hgcn_cpu_last_error(void) { return last_error.c_str(); }

}  // extern "C"
