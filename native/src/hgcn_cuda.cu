// The CUDA back end: the plan of hgcn_plan.h executed by tiled kernels, 256 threads a block.
//
// Every step of a phase is cut into tiles (an output tile of a product, a chunk of the dγ sum);
// a block runs one tile at a time. Phases run either as one launch each (blocks = tiles) or as
// one cooperative launch per direction whose persistent blocks walk the tiles of each phase and
// meet at a grid-wide barrier before the next (six launches become one; the barrier costs a few
// microseconds). Both read the same plan, so the device check can compare them directly.
//
// Products: operands are converted to float32 as they are loaded (activations may be float16 or
// bfloat16), staged through shared memory, and accumulated in float32 registers in the order
// k = 0, 1, … (as the CPU reference does); the next k tile is loaded into registers while the
// current one is multiplied. The epilogue (LeakyReLU, its derivative, γ, the residual mix,
// accumulation into .grad) is applied to the registers before the only store.
//
// The _TC variants run the products of a float16 / bfloat16 level on tensor cores instead
// (gemm_tile_tc): operands rounded to the activation type in shared memory, WMMA fragments
// accumulating in float32. That is other arithmetic than the CUDA-core tiles' exact float32
// products, stated on the CPU by the reference's HGCN_MATH_HALF_OPERANDS; float32 levels never
// take it.
#include <cooperative_groups.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <mma.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

#include "hgcn.h"
#include "hgcn_plan.h"

namespace cg = cooperative_groups;

namespace {

constexpr int kThreads = 256;

// Tile shapes. SKINNY spreads a level's few rows over many blocks and loads 128 k values per
// round trip to memory; SQUARE reuses each loaded value 4×4 times for the large weight gradients.
// TC_*: tensor-core tiles (64×64 outputs, operands rounded to float16 / bfloat16 in shared memory).
enum TileCfg : int { CFG_SKINNY = 0, CFG_SQUARE = 1, CFG_TC_F16 = 2, CFG_TC_BF16 = 3 };

template <int BM_, int BN_, int BK_>
struct Shape {
  static constexpr int BM = BM_, BN = BN_, BK = BK_;
  static constexpr int TM = BM / 16, TN = BN / 16;  // outputs per thread: a 16×16 thread grid
  static constexpr int LA = BM * BK / kThreads, LB = BK * BN / kThreads;
  static constexpr int SMEM = BK * (BM + 1) + BK * (BN + 1);  // +1: no bank conflicts on either walk
};
using Skinny = Shape<16, 16, 128>;
using Square = Shape<64, 64, 32>;
constexpr int kSmem = Skinny::SMEM > Square::SMEM ? Skinny::SMEM : Square::SMEM;

thread_local std::string last_error;

__device__ __forceinline__ float load(const void* p, int dtype, int64_t i) {
  switch (dtype) {
    case HGCN_F16: return __half2float(static_cast<const __half*>(p)[i]);
    case HGCN_BF16: return __bfloat162float(static_cast<const __nv_bfloat16*>(p)[i]);
    default: return static_cast<const float*>(p)[i];
  }
}

__device__ __forceinline__ void store(void* p, int dtype, int64_t i, float v) {
  switch (dtype) {
    case HGCN_F16: static_cast<__half*>(p)[i] = __float2half_rn(v); break;
    case HGCN_BF16: static_cast<__nv_bfloat16*>(p)[i] = __float2bfloat16_rn(v); break;
    default: static_cast<float*>(p)[i] = v;
  }
}

__device__ __forceinline__ float element(const hgcn::Operand& o, int64_t r, int64_t c) {
  return load(o.ptr, o.dtype, o.trans ? c * o.ld + r : r * o.ld + c);
}

struct DeviceLoad {
  __device__ __forceinline__ float operator()(const void* p, int dtype, int64_t i) const { return load(p, dtype, i); }
};

__device__ __forceinline__ float epilogue(const hgcn::Step& s, int64_t idx, float v, float gamma) {
  return hgcn::apply_epilogue(s, idx, v, gamma, DeviceLoad{});
}

// Index of the l-th value a thread loads: along the operand's contiguous dimension first, so
// that neighbouring threads read neighbouring addresses whatever the transpose.
template <class S>
__device__ __forceinline__ void a_index(bool trans, int idx, int& r, int& kk) {
  if (trans) { r = idx % S::BM; kk = idx / S::BM; } else { kk = idx % S::BK; r = idx / S::BK; }
}

template <class S>
__device__ __forceinline__ void b_index(bool trans, int idx, int& kk, int& c) {
  if (trans) { kk = idx % S::BK; c = idx / S::BK; } else { c = idx % S::BN; kk = idx / S::BN; }
}

// Not inlined: inlined into plan_kernel (which also holds the phase loop, both tile shapes and the
// dγ steps) the products needed more than the 128 registers __launch_bounds__(256, 2) allows and
// spilled (280 B of stack, 284 B spill stores / 400 B loads on sm_90). As a call each tile shape
// gets the register budget to itself, and neither kernel spills; the call costs a few
// instructions per tile of ≥ 16×16 outputs.
template <class S>
__device__ __noinline__ void gemm_tile(const hgcn::Step& s, int tile, float* smem) {
  float* as = smem;                          // [BK][BM + 1]
  float* bs = smem + S::BK * (S::BM + 1);    // [BK][BN + 1]
  const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
  const int64_t tiles_n = (s.n + S::BN - 1) / S::BN;
  const int64_t row0 = (tile / tiles_n) * S::BM, col0 = (tile % tiles_n) * S::BN;
  const bool ptrans = s.p.trans != 0, qtrans = s.q.trans != 0;
  float ra[S::LA], rb[S::LB];
  float acc[S::TM][S::TN];
#pragma unroll
  for (int i = 0; i < S::TM; i++)
#pragma unroll
    for (int j = 0; j < S::TN; j++) acc[i][j] = 0.f;

  auto fetch = [&](int64_t k0) {
#pragma unroll
    for (int l = 0; l < S::LA; l++) {
      int r, kk;
      a_index<S>(ptrans, tid + l * kThreads, r, kk);
      int64_t gr = row0 + r, gk = k0 + kk;
      ra[l] = (gr < s.m && gk < s.k) ? element(s.p, gr, gk) : 0.f;
    }
#pragma unroll
    for (int l = 0; l < S::LB; l++) {
      int kk, c;
      b_index<S>(qtrans, tid + l * kThreads, kk, c);
      int64_t gk = k0 + kk, gc = col0 + c;
      rb[l] = (gk < s.k && gc < s.n) ? element(s.q, gk, gc) : 0.f;
    }
  };

  fetch(0);
  for (int64_t k0 = 0; k0 < s.k; k0 += S::BK) {
    __syncthreads();  // the previous round's reads of shared memory are done
#pragma unroll
    for (int l = 0; l < S::LA; l++) {
      int r, kk;
      a_index<S>(ptrans, tid + l * kThreads, r, kk);
      as[kk * (S::BM + 1) + r] = ra[l];
    }
#pragma unroll
    for (int l = 0; l < S::LB; l++) {
      int kk, c;
      b_index<S>(qtrans, tid + l * kThreads, kk, c);
      bs[kk * (S::BN + 1) + c] = rb[l];
    }
    __syncthreads();
    if (k0 + S::BK < s.k) fetch(k0 + S::BK);  // in flight while this round multiplies
    auto mac = [&](int kk) {
      float a[S::TM], b[S::TN];
#pragma unroll
      for (int i = 0; i < S::TM; i++) a[i] = as[kk * (S::BM + 1) + ty + 16 * i];
#pragma unroll
      for (int j = 0; j < S::TN; j++) b[j] = bs[kk * (S::BN + 1) + tx + 16 * j];
#pragma unroll
      for (int i = 0; i < S::TM; i++)
#pragma unroll
        for (int j = 0; j < S::TN; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
    };
    if (s.k - k0 >= S::BK) {
#pragma unroll 8
      for (int kk = 0; kk < S::BK; kk++) mac(kk);
    } else {  // the last, partial round (and the short k = n products): skip the zero padding
      for (int kk = 0; kk < int(s.k - k0); kk++) mac(kk);
    }
  }
  __syncthreads();  // the block's next tile reuses shared memory

  const float gamma = s.gamma ? *s.gamma : 0.f;
#pragma unroll
  for (int i = 0; i < S::TM; i++) {
    int64_t gr = row0 + ty + 16 * i;
    if (gr >= s.m) continue;
#pragma unroll
    for (int j = 0; j < S::TN; j++) {
      int64_t gc = col0 + tx + 16 * j;
      if (gc >= s.n) continue;
      int64_t idx = gr * s.n + gc;
      store(s.c, s.c_dtype, idx, epilogue(s, idx, acc[i][j], gamma));
    }
  }
}

// The tensor-core product (HGCN_VARIANT_*_TC, float16 / bfloat16 activations): a 64×64 output
// tile, 8 warps as 4×2, each warp two 16×16 WMMA accumulators in float32. Operands are converted
// to T as they are staged (the float32 weights and intermediates included: this rounding is what
// HGCN_MATH_HALF_OPERANDS emulates on the CPU), zero beyond the matrix edges. The accumulators go
// through shared memory (the same buffer, once the k loop is done) so that the epilogue sees
// row/column indices, as in gemm_tile. Before sm_80 (no bfloat16 fragments) it runs the CUDA-core
// square tile instead, which covers the same outputs.
template <class T>
__device__ __forceinline__ T to_operand(float v);
template <>
__device__ __forceinline__ __half to_operand<__half>(float v) { return __float2half_rn(v); }
template <>
__device__ __forceinline__ __nv_bfloat16 to_operand<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }

struct Tc {
  static constexpr int BM = 64, BN = 64, BK = 32;
  static constexpr int LDA = BK + 8, LDB = BN + 8, LDC = BN + 4;  // padded rows; multiples of 8 (16 B)
  static constexpr int LA = BM * BK / kThreads, LB = BK * BN / kThreads;
};
static_assert(Tc::BM * Tc::LDA * 2 + Tc::BK * Tc::LDB * 2 <= kSmem * 4, "tensor-core operand tiles fit");
static_assert(Tc::BM * Tc::LDC <= kSmem, "tensor-core accumulator tile fits");

template <class T>
__device__ __noinline__ void gemm_tile_tc(const hgcn::Step& s, int tile, float* smem) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 800
  gemm_tile<Square>(s, tile, smem);
#else
  namespace wmma = nvcuda::wmma;
  T* as = reinterpret_cast<T*>(smem);  // [BM][LDA], row-major
  T* bs = as + Tc::BM * Tc::LDA;       // [BK][LDB], row-major
  float* cs = smem;                    // [BM][LDC], after the k loop
  const int tid = threadIdx.x, warp = tid / 32, wr = warp / 2, wc = warp % 2;
  const int64_t tiles_n = (s.n + Tc::BN - 1) / Tc::BN;
  const int64_t row0 = (tile / tiles_n) * Tc::BM, col0 = (tile % tiles_n) * Tc::BN;
  const bool ptrans = s.p.trans != 0, qtrans = s.q.trans != 0;
  wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[2];
  wmma::fill_fragment(acc[0], 0.f);
  wmma::fill_fragment(acc[1], 0.f);
  for (int64_t k0 = 0; k0 < s.k; k0 += Tc::BK) {
    __syncthreads();  // the previous round's fragment loads are done
#pragma unroll
    for (int l = 0; l < Tc::LA; l++) {
      int r, kk;
      a_index<Square>(ptrans, tid + l * kThreads, r, kk);  // Square has Tc's BM and BK
      int64_t gr = row0 + r, gk = k0 + kk;
      as[r * Tc::LDA + kk] = to_operand<T>((gr < s.m && gk < s.k) ? element(s.p, gr, gk) : 0.f);
    }
#pragma unroll
    for (int l = 0; l < Tc::LB; l++) {
      int kk, c;
      b_index<Square>(qtrans, tid + l * kThreads, kk, c);
      int64_t gk = k0 + kk, gc = col0 + c;
      bs[kk * Tc::LDB + c] = to_operand<T>((gk < s.k && gc < s.n) ? element(s.q, gk, gc) : 0.f);
    }
    __syncthreads();
#pragma unroll
    for (int kk = 0; kk < Tc::BK; kk += 16) {
      wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> a;
      wmma::load_matrix_sync(a, as + wr * 16 * Tc::LDA + kk, Tc::LDA);
#pragma unroll
      for (int j = 0; j < 2; j++) {
        wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::row_major> b;
        wmma::load_matrix_sync(b, bs + kk * Tc::LDB + wc * 32 + j * 16, Tc::LDB);
        wmma::mma_sync(acc[j], a, b, acc[j]);
      }
    }
  }
  __syncthreads();  // operand tiles are done with: the accumulators take their place
#pragma unroll
  for (int j = 0; j < 2; j++)
    wmma::store_matrix_sync(cs + wr * 16 * Tc::LDC + wc * 32 + j * 16, acc[j], Tc::LDC, wmma::mem_row_major);
  __syncthreads();
  const float gamma = s.gamma ? *s.gamma : 0.f;
  for (int i = tid; i < Tc::BM * Tc::BN; i += kThreads) {
    const int r = i / Tc::BN, c = i % Tc::BN;
    const int64_t gr = row0 + r, gc = col0 + c;
    if (gr >= s.m || gc >= s.n) continue;
    const int64_t idx = gr * s.n + gc;
    store(s.c, s.c_dtype, idx, epilogue(s, idx, cs[r * Tc::LDC + c], gamma));
  }
  __syncthreads();  // the block's next tile reuses shared memory
#endif
}

__device__ float block_sum(float v, float* smem) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  __syncthreads();
  if (lane == 0) smem[warp] = v;
  __syncthreads();
  float total = 0.f;
  if (threadIdx.x == 0)
    for (int w = 0; w < kThreads / 32; w++) total += smem[w];
  __syncthreads();
  return total;  // valid in thread 0
}

__device__ void dot_tile(const hgcn::Step& s, int tile, float* smem) {
  const int64_t total = s.m * s.n, chunk = (total + s.tiles - 1) / s.tiles;
  const int64_t end = (tile + 1) * chunk < total ? (tile + 1) * chunk : total;
  float v = 0.f;
  for (int64_t i = tile * chunk + threadIdx.x; i < end; i += kThreads)
    v += load(s.p.ptr, s.p.dtype, i) * (load(s.q.ptr, s.q.dtype, i) - load(s.ref, s.ref_dtype, i));
  float sum = block_sum(v, smem);
  if (threadIdx.x == 0) static_cast<float*>(s.c)[tile] = sum;
}

__device__ void dot_final(const hgcn::Step& s, float* smem) {
  float v = 0.f;
  for (int64_t i = threadIdx.x; i < s.k; i += kThreads) v += static_cast<const float*>(s.p.ptr)[i];
  float sum = block_sum(v, smem);
  if (threadIdx.x == 0) static_cast<float*>(s.c)[0] = sum;
}

__device__ void run_tile(const hgcn::Phase& ph, int t, float* smem) {
  for (int i = 0; i < ph.count; i++) {
    const hgcn::Step& s = ph.steps[i];
    if (t < s.tiles) {
      if (s.kind == hgcn::DOT) dot_tile(s, t, smem);
      else if (s.kind == hgcn::DOT_FINAL) dot_final(s, smem);
      else if (s.tile_cfg == CFG_SQUARE) gemm_tile<Square>(s, t, smem);
      else if (s.tile_cfg == CFG_TC_F16) gemm_tile_tc<__half>(s, t, smem);
      else if (s.tile_cfg == CFG_TC_BF16) gemm_tile_tc<__nv_bfloat16>(s, t, smem);
      else gemm_tile<Skinny>(s, t, smem);
      return;
    }
    t -= s.tiles;
  }
}

__global__ void __launch_bounds__(kThreads, 2) phase_kernel(const __grid_constant__ hgcn::Phase ph) {
  __shared__ __align__(128) float smem[kSmem];  // aligned: WMMA fragments load from 32-byte boundaries
  run_tile(ph, blockIdx.x, smem);
}

__global__ void __launch_bounds__(kThreads, 2) plan_kernel(const __grid_constant__ hgcn::Plan plan) {
  __shared__ __align__(128) float smem[kSmem];
  cg::grid_group grid = cg::this_grid();
  for (int p = 0; p < hgcn::kPhases; p++) {
    for (int t = blockIdx.x; t < plan.phases[p].tiles; t += gridDim.x) run_tile(plan.phases[p], t, smem);
    if (p + 1 < hgcn::kPhases) grid.sync();  // also orders this phase's writes before the next reads
  }
}

int fail(int code, const std::string& message) {
  last_error = message;
  return code;
}

int cuda_fail(const char* what, cudaError_t e) {
  return fail(HGCN_ERR_CUDA, std::string(what) + ": " + cudaGetErrorName(e) + ": " + cudaGetErrorString(e));
}

struct DeviceInfo {
  int sms = 0, coop_blocks = 0, cooperative = 0;
};

// Per device, asked once (the runtime calls cost microseconds each). Callers may be any threads
// (LibTorch's autograd runs a thread per device): an entry is filled under the mutex and
// published by its atomic flag, so a reader never sees a half-written one; a failed query leaves
// it unfilled, to be asked again.
int device_info(int device, DeviceInfo& info) {
  struct Entry {
    std::atomic<bool> ready{false};
    DeviceInfo info;
  };
  static Entry cache[64];
  static std::mutex filling;
  if (device < 0 || device >= 64) return fail(HGCN_ERR_ARGUMENT, "device index out of range");
  Entry& c = cache[device];
  if (!c.ready.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(filling);
    if (!c.ready.load(std::memory_order_relaxed)) {
      DeviceInfo d;
      cudaError_t e = cudaDeviceGetAttribute(&d.sms, cudaDevAttrMultiProcessorCount, device);
      if (e == cudaSuccess) e = cudaDeviceGetAttribute(&d.cooperative, cudaDevAttrCooperativeLaunch, device);
      if (e == cudaSuccess) e = cudaOccupancyMaxActiveBlocksPerMultiprocessor(&d.coop_blocks, plan_kernel, kThreads, 0);
      if (e != cudaSuccess) return cuda_fail("querying the device", e);
      c.info = d;
      c.ready.store(true, std::memory_order_release);
    }
  }
  info = c.info;
  return HGCN_OK;
}

// Synchronise-and-check mode: after the launches, wait for the stream and report the first error
// the kernels raised (an illegal address, a failed grid barrier), which the launch checks alone
// cannot see. For device checks and debugging only: it costs a host round trip per call. On when
// HSPNET_HGCN_SYNC_CHECK=1 is in the environment, or through hgcn_cuda_set_sync_check().
std::atomic<int> sync_check{-1};  // -1: not decided yet (the environment is read on first use)

bool sync_check_on() {
  int v = sync_check.load(std::memory_order_relaxed);
  if (v < 0) {
    const char* env = std::getenv("HSPNET_HGCN_SYNC_CHECK");
    int from_env = env && env[0] == '1' ? 1 : 0;
    sync_check.compare_exchange_strong(v, from_env);  // an explicit setting made meanwhile wins
    v = sync_check.load(std::memory_order_relaxed);
  }
  return v == 1;
}

// This library has its own (static) CUDA runtime, and cudaSetDevice there makes that device's
// primary context current on the calling thread for every runtime in the process, LibTorch's
// included. The guard switches only when needed and switches back, so that a caller whose current
// device is another one (a multi-GPU process, LibTorch's autograd device threads) keeps it.
class DeviceGuard {
 public:
  cudaError_t enter(int device) {
    cudaError_t e = cudaGetDevice(&previous_);
    if (e != cudaSuccess) return e;
    if (previous_ == device) return cudaSuccess;
    e = cudaSetDevice(device);
    switched_ = e == cudaSuccess;
    return e;
  }
  ~DeviceGuard() {
    if (switched_) cudaSetDevice(previous_);
  }

 private:
  int previous_ = 0;
  bool switched_ = false;
};

constexpr int64_t kSquareRows = 128;

// Chooses each product's tile shape and counts the tiles of every phase.
void assign_tiles(hgcn::Plan& plan, int policy, int sms) {
  for (hgcn::Phase& ph : plan.phases) {
    ph.tiles = 0;
    for (int i = 0; i < ph.count; i++) {
      hgcn::Step& s = ph.steps[i];
      if (s.kind == hgcn::GEMM && s.operand_type != HGCN_F32) {  // tensor cores
        s.tile_cfg = s.operand_type == HGCN_F16 ? CFG_TC_F16 : CFG_TC_BF16;
        s.tiles = int(((s.m + Tc::BM - 1) / Tc::BM) * ((s.n + Tc::BN - 1) / Tc::BN));
      } else if (s.kind == hgcn::GEMM) {
        int64_t square = ((s.m + Square::BM - 1) / Square::BM) * ((s.n + Square::BN - 1) / Square::BN);
        // auto: square tiles once they alone give every multiprocessor a block, or once the
        // product has kSquareRows rows (measured on an H200: the 312-label level took 1.83 ms all
        // square against 2.30 ms with its E-wide products on skinny tiles; at 80 rows skinny won,
        // 1.06 against 1.23 ms); skinny tiles below
        bool use_square = policy == CFG_SQUARE || (policy < 0 && (square >= sms || s.m >= kSquareRows));
        s.tile_cfg = use_square ? CFG_SQUARE : CFG_SKINNY;
        s.tiles = use_square ? int(square)
                             : int(((s.m + Skinny::BM - 1) / Skinny::BM) * ((s.n + Skinny::BN - 1) / Skinny::BN));
      }
      ph.tiles += s.tiles;
    }
  }
}

// In synchronise-and-check mode, waits for the stream and reports what the kernels raised.
int checked(cudaStream_t stream) {
  if (!sync_check_on()) return HGCN_OK;
  cudaError_t e = cudaStreamSynchronize(stream);
  if (e == cudaSuccess) e = cudaGetLastError();
  return e == cudaSuccess ? HGCN_OK : cuda_fail("running the kernels (synchronise-and-check mode)", e);
}

int launch(hgcn::Plan& plan, int variant, int dtype, int device, void* stream_ptr) {
  if (variant == HGCN_VARIANT_DEFAULT) variant = HGCN_VARIANT_STEPS_AUTO;
  if (variant < HGCN_VARIANT_STEPS_AUTO || variant > HGCN_VARIANT_COOP_TC)
    return fail(HGCN_ERR_ARGUMENT, "unknown variant " + std::to_string(variant));
  const bool tc = variant == HGCN_VARIANT_STEPS_TC || variant == HGCN_VARIANT_COOP_TC;
  // tensor cores take the half-type products; the dγ steps, and every product of a float32
  // level, run as in the _AUTO variants
  if (tc) hgcn::round_operands(plan, dtype);
  DeviceGuard guard;
  cudaError_t e = guard.enter(device);
  if (e != cudaSuccess) return cuda_fail("cudaSetDevice", e);
  DeviceInfo info;
  if (int rc = device_info(device, info)) return rc;
  const bool coop = variant == HGCN_VARIANT_COOP_TC || (variant >= HGCN_VARIANT_COOP_AUTO && !tc);
  const int policy_index = tc ? 0 : (variant - 1) % 3;  // 0 auto, 1 skinny, 2 square
  assign_tiles(plan, policy_index == 0 ? -1 : policy_index == 1 ? CFG_SKINNY : CFG_SQUARE, info.sms);
  cudaStream_t stream = static_cast<cudaStream_t>(stream_ptr);
  if (!coop) {
    for (const hgcn::Phase& ph : plan.phases) {
      phase_kernel<<<ph.tiles, kThreads, 0, stream>>>(ph);
      if ((e = cudaGetLastError()) != cudaSuccess) return cuda_fail("launching a phase", e);
    }
    return checked(stream);
  }
  if (!info.cooperative) return fail(HGCN_ERR_CUDA, "the device does not support cooperative launches");
  int most = 0;
  for (const hgcn::Phase& ph : plan.phases) most = ph.tiles > most ? ph.tiles : most;
  int grid = info.coop_blocks * info.sms;
  if (grid > most) grid = most;
  if (grid < 1) return fail(HGCN_ERR_CUDA, "no block of the cooperative kernel fits on a multiprocessor");
  void* args[] = {&plan};
  e = cudaLaunchCooperativeKernel(reinterpret_cast<const void*>(plan_kernel), dim3(grid), dim3(kThreads), args, 0,
                                  stream);
  if (e != cudaSuccess) return cuda_fail("cudaLaunchCooperativeKernel", e);
  return checked(stream);
}

}  // namespace

extern "C" {

HGCN_API int hgcn_cuda_forward(int dtype, int64_t n, int64_t e, const void* x, const void* adj, const float* w1,
                               const float* w2, const float* w3, const float* gamma, void* out, float* saved,
                               float* workspace, int variant, int device, void* stream) {
  if (const char* bad = hgcn::check_args(dtype, n, e)) return fail(HGCN_ERR_ARGUMENT, bad);
  if (!x || !adj || !w1 || !w2 || !w3 || !gamma || !out || !saved || !workspace)
    return fail(HGCN_ERR_ARGUMENT, "hgcn_cuda_forward: a pointer is null");
  hgcn::Plan plan = hgcn::forward_plan(dtype, n, e, x, adj, w1, w2, w3, gamma, out, saved, workspace);
  int rc = launch(plan, variant, dtype, device, stream);
  if (rc == HGCN_OK) last_error.clear();
  return rc;
}

HGCN_API int hgcn_cuda_backward(int dtype, int64_t n, int64_t e, const void* x, const void* adj, const float* w1,
                                const float* w2, const float* w3, const float* gamma, const float* saved,
                                const void* dout, void* dx, float* dw1, float* dw2, float* dw3, float* dgamma,
                                int accumulate, float* workspace, int variant, int device, void* stream) {
  if (const char* bad = hgcn::check_args(dtype, n, e)) return fail(HGCN_ERR_ARGUMENT, bad);
  if (!x || !adj || !w1 || !w2 || !w3 || !gamma || !saved || !dout || !dx || !dw1 || !dw2 || !dw3 || !dgamma ||
      !workspace)
    return fail(HGCN_ERR_ARGUMENT, "hgcn_cuda_backward: a pointer is null");
  hgcn::Plan plan = hgcn::backward_plan(dtype, n, e, x, adj, w1, w2, w3, gamma, saved, dout, dx, dw1, dw2, dw3,
                                        dgamma, accumulate != 0, workspace);
  int rc = launch(plan, variant, dtype, device, stream);
  if (rc == HGCN_OK) last_error.clear();
  return rc;
}

HGCN_API int hgcn_cuda_device_info(int device, char* name, int name_len, int64_t* free_bytes, int64_t* total_bytes) {
  if (!name || name_len < 1 || !free_bytes || !total_bytes) return fail(HGCN_ERR_ARGUMENT, "hgcn_cuda_device_info: bad buffer");
  cudaDeviceProp prop;
  cudaError_t e = cudaGetDeviceProperties(&prop, device);
  if (e != cudaSuccess) return cuda_fail("cudaGetDeviceProperties", e);
  snprintf(name, size_t(name_len), "%s", prop.name);
  DeviceGuard guard;
  if ((e = guard.enter(device)) != cudaSuccess) return cuda_fail("cudaSetDevice", e);
  size_t free_b = 0, total_b = 0;
  if ((e = cudaMemGetInfo(&free_b, &total_b)) != cudaSuccess) return cuda_fail("cudaMemGetInfo", e);
  *free_bytes = int64_t(free_b);
  *total_bytes = int64_t(total_b);
  last_error.clear();
  return HGCN_OK;
}

HGCN_API void hgcn_cuda_set_sync_check(int on) { sync_check.store(on ? 1 : 0); }

HGCN_API int hgcn_cuda_sync_check(void) { return sync_check_on() ? 1 : 0; }

HGCN_API const char* hgcn_cuda_last_error(void) { return last_error.c_str(); }

}  // extern "C"
