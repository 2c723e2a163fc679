// The forward and backward of one HGCN level written once, as a list of steps, and executed by
// two back ends: hgcn_cpu.cpp (plain loops, the reference) and hgcn_cuda.cu (tiled kernels). The
// CPU tests against LibTorch therefore also check every index, transpose, epilogue and buffer
// reuse that the CUDA code runs; only the CUDA tile loops themselves are left to the GPU check.
//
// A step is one matrix product C = epilogue(op(P)·op(Q)) with op = identity or transpose, or the
// dot product that gives dγ. Steps of one phase are independent (different outputs, inputs all
// written by earlier phases); phases run in order.
//
// Association, by cost (n nodes, E features, n < E at every level HSPNet has):
//   layer 1 (E→2E):  (A·X)·W1  — the n×n product runs on the narrow E-wide side (n²E, not 2n²E)
//   layer 2 (2E→2E): A·(H1·W2) — either order costs the same; this one needs no extra saved matrix
//   layer 3 (2E→E):  A·(H2·W3) — again the n×n product on the E-wide side
// and the backward mirrors it (every Aᵀ product is E wide except dZ2 = Aᵀ·dP2, as in the
// forward). LeakyReLU, its derivative, the residual mix and γ are applied in the epilogues of
// the products that produce them, so no step exists only for an element-wise operation.
#ifndef HGCN_PLAN_H
#define HGCN_PLAN_H

#include <stdint.h>

#include "hgcn.h"

namespace hgcn {

// DOT writes one partial sum per chunk of the elements (so that many blocks share the work on a
// GPU), DOT_FINAL adds the partials up in a later phase; both are deterministic.
enum StepKind : int { GEMM = 0, DOT = 1, DOT_FINAL = 2 };

// What happens to v = Σ_k op(P)[i,k]·op(Q)[k,j] before it is stored in C[i,j].
enum Epilogue : int {
  EPI_STORE = 0,           // C = v
  EPI_LEAKY = 1,           // C = leaky(v)
  EPI_LEAKY_GRAD = 2,      // C = v · (ref[i,j] > 0 ? 1 : 0.2), ref = the activation's output
  EPI_RESIDUAL = 3,        // C = γ·v + (1−γ)·ref[i,j], C2 = v   (out and H3)
  EPI_SCALE_GAMMA = 4,     // C = γ·v
  EPI_RESIDUAL_GRAD = 5,   // C = v + (1−γ)·ref[i,j]             (dX)
  EPI_ACCUMULATE = 6       // C = C + v                          (weight gradients into .grad)
};

constexpr float kLeakySlope = 0.2f;

// A logical rows×cols matrix: element (r, c) is ptr[r·ld + c], or ptr[c·ld + r] when trans.
struct Operand {
  const void* ptr;
  int dtype;
  int trans;
  int64_t ld;
};

struct Step {
  int kind;
  int64_t m, n, k;      // C is m×n, op(P) m×k, op(Q) k×n; DOT: m×n element-wise
  Operand p, q;         // DOT: partial[t] = Σ p·(q − r) over chunk t, r = ref; DOT_FINAL: Σ of
                        // the k partials at p
  int tiles;            // GEMM: set by the CUDA back end; DOT: the number of chunks; DOT_FINAL: 1
  int tile_cfg;         // GEMM on CUDA: which tile shape (hgcn_cuda.cu)
  int epilogue;
  const void* ref;      // m×n row-major (ld = n)
  int ref_dtype;
  const float* gamma;   // read where the step runs (no host round trip on CUDA)
  void* c;              // m×n row-major; DOT: one float
  int c_dtype;
  float* c2;            // EPI_RESIDUAL: second, float32 output
  int operand_type;     // GEMM: HGCN_F32, or the type both operands are rounded to before they are
                        // multiplied (tensor cores; HGCN_MATH_HALF_OPERANDS)
};

constexpr int kMaxSteps = 3;
constexpr int kPhases = 6;
constexpr int kMaxDotChunks = 1024;
constexpr int64_t kDotChunk = 4096;  // elements per partial sum of dγ

struct Phase {
  int count;
  int tiles;  // Σ tiles of its steps (CUDA)
  Step steps[kMaxSteps];
};

struct Plan {
  Phase phases[kPhases];
};

// Offsets (in floats) into the saved buffer and the workspace.
struct Layout {
  int64_t n, e;
  int64_t y1() const { return 0; }              // A·X          n×E
  int64_t h1() const { return n * e; }          // H1           n×2E
  int64_t h2() const { return 3 * n * e; }      // H2           n×2E
  int64_t h3() const { return 5 * n * e; }      // H3 = A·Z3    n×E
  // workspace, forward
  int64_t z2() const { return 0; }              // H1·W2        n×2E
  int64_t z3() const { return 2 * n * e; }      // H2·W3        n×E
  // workspace, backward (buffers reused once their last reader has run)
  int64_t buf_a() const { return 0; }           // dZ3, then dY1      n×E
  int64_t buf_b() const { return n * e; }       // dP2, then dP1      n×2E
  int64_t buf_c() const { return 3 * n * e; }   // dZ2                n×2E
  int64_t partials() const { return 5 * n * e; } // dγ partial sums    kMaxDotChunks
};

inline int dot_chunks(int64_t elems) {
  int64_t c = (elems + kDotChunk - 1) / kDotChunk;
  return int(c < 1 ? 1 : c > kMaxDotChunks ? kMaxDotChunks : c);
}

inline Operand operand(const void* ptr, int dtype, bool trans, int64_t ld) {
  Operand o;
  o.ptr = ptr;
  o.dtype = dtype;
  o.trans = trans ? 1 : 0;
  o.ld = ld;
  return o;
}

inline Step gemm(int64_t m, int64_t n, int64_t k, Operand p, Operand q, int epilogue, void* c, int c_dtype,
                 const void* ref = nullptr, int ref_dtype = HGCN_F32, const float* gamma = nullptr,
                 float* c2 = nullptr) {
  Step s;
  s.kind = GEMM;
  s.m = m;
  s.n = n;
  s.k = k;
  s.p = p;
  s.q = q;
  s.epilogue = epilogue;
  s.ref = ref;
  s.ref_dtype = ref_dtype;
  s.gamma = gamma;
  s.c = c;
  s.c_dtype = c_dtype;
  s.c2 = c2;
  s.tiles = 0;
  s.tile_cfg = 0;
  s.operand_type = HGCN_F32;
  return s;
}

// HGCN_MATH_HALF_OPERANDS: every product of the plan rounds its operands to the activation type t
// (a no-op for float32 activations); the dγ steps are left alone.
inline void round_operands(Plan& plan, int t) {
  for (Phase& ph : plan.phases)
    for (int i = 0; i < ph.count; i++)
      if (ph.steps[i].kind == GEMM) ph.steps[i].operand_type = t;
}

inline void one(Phase& ph, const Step& s) {
  ph.count = 1;
  ph.tiles = 0;
  ph.steps[0] = s;
}

inline void two(Phase& ph, const Step& s0, const Step& s1) {
  ph.count = 2;
  ph.tiles = 0;
  ph.steps[0] = s0;
  ph.steps[1] = s1;
}

inline void three(Phase& ph, const Step& s0, const Step& s1, const Step& s2) {
  ph.count = 3;
  ph.tiles = 0;
  ph.steps[0] = s0;
  ph.steps[1] = s1;
  ph.steps[2] = s2;
}

inline Plan forward_plan(int t, int64_t n, int64_t e, const void* x, const void* adj, const float* w1,
                         const float* w2, const float* w3, const float* gamma, void* out, float* saved,
                         float* ws) {
  const int F = HGCN_F32;
  Layout L{n, e};
  float *y1 = saved + L.y1(), *h1 = saved + L.h1(), *h2 = saved + L.h2(), *h3 = saved + L.h3();
  float *z2 = ws + L.z2(), *z3 = ws + L.z3();
  Plan p;
  // Y1 = A·X
  one(p.phases[0], gemm(n, e, n, operand(adj, t, false, n), operand(x, t, false, e), EPI_STORE, y1, F));
  // H1 = leaky(Y1·W1)
  one(p.phases[1], gemm(n, 2 * e, e, operand(y1, F, false, e), operand(w1, F, false, 2 * e), EPI_LEAKY, h1, F));
  // Z2 = H1·W2
  one(p.phases[2], gemm(n, 2 * e, 2 * e, operand(h1, F, false, 2 * e), operand(w2, F, false, 2 * e), EPI_STORE, z2, F));
  // H2 = leaky(A·Z2)
  one(p.phases[3], gemm(n, 2 * e, n, operand(adj, t, false, n), operand(z2, F, false, 2 * e), EPI_LEAKY, h2, F));
  // Z3 = H2·W3
  one(p.phases[4], gemm(n, e, 2 * e, operand(h2, F, false, 2 * e), operand(w3, F, false, e), EPI_STORE, z3, F));
  // H3 = A·Z3; out = γ·H3 + (1−γ)·X
  one(p.phases[5], gemm(n, e, n, operand(adj, t, false, n), operand(z3, F, false, e), EPI_RESIDUAL, out, t, x, t,
                        gamma, h3));
  return p;
}

inline Plan backward_plan(int t, int64_t n, int64_t e, const void* x, const void* adj, const float* w1,
                          const float* w2, const float* w3, const float* gamma, const float* saved,
                          const void* dout, void* dx, float* dw1, float* dw2, float* dw3, float* dgamma,
                          bool accumulate, float* ws) {
  const int F = HGCN_F32;
  const int wepi = accumulate ? EPI_ACCUMULATE : EPI_STORE;
  Layout L{n, e};
  const float *y1 = saved + L.y1(), *h1 = saved + L.h1(), *h2 = saved + L.h2(), *h3 = saved + L.h3();
  float *a = ws + L.buf_a(), *b = ws + L.buf_b(), *c = ws + L.buf_c();
  Plan p;
  // dZ3 = γ·Aᵀ·G  and the partial sums of dγ = Σ G·(H3 − X)
  float* partials = ws + L.partials();
  int chunks = dot_chunks(n * e);
  Step dot = gemm(n, e, 0, operand(dout, t, false, e), operand(h3, F, false, e), EPI_STORE, partials, F, x, t);
  dot.kind = DOT;
  dot.tiles = chunks;
  two(p.phases[0],
      gemm(n, e, n, operand(adj, t, true, n), operand(dout, t, false, e), EPI_SCALE_GAMMA, a, F, nullptr, F, gamma),
      dot);
  // dP2 = (dZ3·W3ᵀ) ⊙ leaky'(H2), dW3 = H2ᵀ·dZ3, and dγ from its partial sums
  Step total = gemm(1, 1, chunks, operand(partials, F, false, chunks), operand(partials, F, false, chunks), EPI_STORE,
                    dgamma, F);
  total.kind = DOT_FINAL;
  total.tiles = 1;
  three(p.phases[1],
        gemm(n, 2 * e, e, operand(a, F, false, e), operand(w3, F, true, e), EPI_LEAKY_GRAD, b, F, h2, F),
        gemm(2 * e, e, n, operand(h2, F, true, 2 * e), operand(a, F, false, e), wepi, dw3, F), total);
  // dZ2 = Aᵀ·dP2
  one(p.phases[2], gemm(n, 2 * e, n, operand(adj, t, true, n), operand(b, F, false, 2 * e), EPI_STORE, c, F));
  // dP1 = (dZ2·W2ᵀ) ⊙ leaky'(H1)  and  dW2 = H1ᵀ·dZ2
  two(p.phases[3],
      gemm(n, 2 * e, 2 * e, operand(c, F, false, 2 * e), operand(w2, F, true, 2 * e), EPI_LEAKY_GRAD, b, F, h1, F),
      gemm(2 * e, 2 * e, n, operand(h1, F, true, 2 * e), operand(c, F, false, 2 * e), wepi, dw2, F));
  // dY1 = dP1·W1ᵀ  and  dW1 = Y1ᵀ·dP1
  two(p.phases[4],
      gemm(n, e, 2 * e, operand(b, F, false, 2 * e), operand(w1, F, true, 2 * e), EPI_STORE, a, F),
      gemm(e, 2 * e, n, operand(y1, F, true, e), operand(b, F, false, 2 * e), wepi, dw1, F));
  // dX = Aᵀ·dY1 + (1−γ)·G
  one(p.phases[5], gemm(n, e, n, operand(adj, t, true, n), operand(a, F, false, e), EPI_RESIDUAL_GRAD, dx, t, dout, t,
                        gamma));
  return p;
}

// Argument checks shared by both back ends; returns nullptr when the arguments are usable.
inline const char* check_args(int dtype, int64_t n, int64_t e) {
  if (dtype != HGCN_F32 && dtype != HGCN_F16 && dtype != HGCN_BF16) return "unknown activation type";
  if (n < 1 || e < 1) return "n and E must be at least 1";
  if (n > (int64_t(1) << 24) || e > (int64_t(1) << 24)) return "n or E too large";
  return nullptr;
}

#if defined(__CUDACC__)
#define HGCN_HOST_DEVICE __host__ __device__ __forceinline__
#else
#define HGCN_HOST_DEVICE inline
#endif

// The epilogue of a step, written once for both back ends. `load(ptr, dtype, i)` reads element i
// of an activation of any type as float32 (each back end passes its own conversion).
template <class Load>
HGCN_HOST_DEVICE float apply_epilogue(const Step& s, int64_t idx, float v, float gamma, const Load& load) {
  switch (s.epilogue) {
    case EPI_LEAKY: return v > 0.f ? v : v * kLeakySlope;
    case EPI_LEAKY_GRAD: return load(s.ref, s.ref_dtype, idx) > 0.f ? v : v * kLeakySlope;
    case EPI_RESIDUAL:
      s.c2[idx] = v;
      return gamma * v + (1.f - gamma) * load(s.ref, s.ref_dtype, idx);
    case EPI_SCALE_GAMMA: return gamma * v;
    case EPI_RESIDUAL_GRAD: return v + (1.f - gamma) * load(s.ref, s.ref_dtype, idx);
    case EPI_ACCUMULATE: return load(s.c, s.c_dtype, idx) + v;
    default: return v;
  }
}

}  // namespace hgcn

#endif
