/*
 * Fused hierarchical graph convolution (HSPNet's GCN, SPEC §2) for one level:
 *
 *   H1  = leaky(A·X·W1)      H2 = leaky(A·H1·W2)      H3 = A·H2·W3
 *   out = γ·H3 + (1−γ)·X     leaky(v) = v > 0 ? v : 0.2·v
 *
 * X is n×E, A n×n, W1 E×2E, W2 2E×2E, W3 2E×E, γ one element; every matrix is dense and
 * row-major. A plain C ABI over raw pointers, so that the libraries depend neither on LibTorch's
 * C++ ABI nor on the caller's CUDA runtime: the Java binding passes tensors' data pointers.
 *
 * Types: X, A, out, dOut and dX have the activation type (float32, float16 or bfloat16); the
 * weights, γ, their gradients and the saved and workspace buffers are always float32, and every
 * sum is accumulated in float32 (the weights are the optimizer's float32 master copies, so the
 * kernels read them as they are instead of casting them to half first).
 *
 * The forward writes what the backward needs into `saved` (A·X, H1, H2, H3: float32,
 * hgcn_saved_elems(n, E) elements) instead of recomputing it: recomputation would repeat the
 * forward's three large products, while keeping them costs 6·n·E floats (7.7 MB at n = 312,
 * E = 1024). `workspace` is scratch of hgcn_workspace_elems(n, E) floats for either direction
 * (5·n·E plus room for the partial sums of dγ).
 *
 * Every function returns HGCN_OK or an error code; hgcn_cpu_last_error() / hgcn_cuda_last_error()
 * describe the last error of the calling thread. Nothing is allocated: the caller owns every buffer (on CUDA, LibTorch's
 * caching allocator), and the CUDA functions only enqueue work on `stream` (except in the
 * synchronise-and-check mode below); they leave the calling thread's current device as they found it.
 */
#ifndef HGCN_H
#define HGCN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define HGCN_API __declspec(dllexport)
#else
#define HGCN_API __attribute__((visibility("default")))
#endif

/* Activation types (the values follow nothing else: the binding maps LibTorch's types). */
#define HGCN_F32 0
#define HGCN_F16 1
#define HGCN_BF16 2

#define HGCN_OK 0
#define HGCN_ERR_ARGUMENT 1  /* a null pointer, a size below 1 or an unknown type or variant */
#define HGCN_ERR_CUDA 2      /* a CUDA call failed (launch, device, cooperative limits) */

/* CUDA variants, for measuring: how the six phases of each direction are launched (one launch per
 * phase, or one cooperative launch per direction with a grid-wide barrier between phases) and
 * which output tiles the products use (skinny 16×16 tiles with a deep k loop, which spread the
 * few rows of a level over many blocks; square 64×64 tiles; or chosen per product by its size). */
#define HGCN_VARIANT_DEFAULT 0     /* = HGCN_VARIANT_STEPS_AUTO until measured otherwise */
#define HGCN_VARIANT_STEPS_AUTO 1
#define HGCN_VARIANT_STEPS_SKINNY 2
#define HGCN_VARIANT_STEPS_SQUARE 3
#define HGCN_VARIANT_COOP_AUTO 4
#define HGCN_VARIANT_COOP_SKINNY 5
#define HGCN_VARIANT_COOP_SQUARE 6
/* Tensor cores for float16 / bfloat16 activations (sm_80 and later): each product's operands are
 * rounded to the activation type as they are staged (the float32 weights and intermediates
 * included) and multiplied by WMMA 16×16×16 fragments accumulating in float32 (HGCN_MATH_HALF_OPERANDS
 * below, which the CPU reference emulates); with float32 activations these are the _AUTO variants
 * (CUDA cores, exact float32 products). */
#define HGCN_VARIANT_STEPS_TC 7
#define HGCN_VARIANT_COOP_TC 8

/* The arithmetic of the products, for the CPU reference: exact float32 products of the operands
 * as stored (what the CUDA-core variants compute), or each operand first rounded to the activation
 * type (what the tensor-core variants compute; the same as exact for float32 activations). Sums
 * are float32 either way; the dγ dot product and the epilogues are never rounded. */
#define HGCN_MATH_EXACT 0
#define HGCN_MATH_HALF_OPERANDS 1

/* Sizes in float32 elements; inline so that the CPU and CUDA libraries share no symbol. */
static inline int64_t hgcn_saved_elems(int64_t n, int64_t e) { return 6 * n * e; }
static inline int64_t hgcn_workspace_elems(int64_t n, int64_t e) { return 5 * n * e + 1024; }

/* The reference implementation on the CPU (one thread). */
HGCN_API int hgcn_cpu_forward(int dtype, int64_t n, int64_t e, const void* x, const void* adj,
                              const float* w1, const float* w2, const float* w3, const float* gamma,
                              void* out, float* saved, float* workspace, int math);

/* accumulate != 0 adds the weight gradients to dw1..dw3 (LibTorch's .grad of the weights)
 * instead of overwriting them; dgamma (one float) is always overwritten. */
HGCN_API int hgcn_cpu_backward(int dtype, int64_t n, int64_t e, const void* x, const void* adj,
                               const float* w1, const float* w2, const float* w3, const float* gamma,
                               const float* saved, const void* dout, void* dx, float* dw1, float* dw2,
                               float* dw3, float* dgamma, int accumulate, float* workspace, int math);

/* The same on a CUDA device: every pointer is device memory of `device`; stream is a
 * cudaStream_t (NULL: the legacy default stream, LibTorch's default). */
HGCN_API int hgcn_cuda_forward(int dtype, int64_t n, int64_t e, const void* x, const void* adj,
                               const float* w1, const float* w2, const float* w3, const float* gamma,
                               void* out, float* saved, float* workspace, int variant, int device,
                               void* stream);

HGCN_API int hgcn_cuda_backward(int dtype, int64_t n, int64_t e, const void* x, const void* adj,
                                const float* w1, const float* w2, const float* w3, const float* gamma,
                                const float* saved, const void* dout, void* dx, float* dw1, float* dw2,
                                float* dw3, float* dgamma, int accumulate, float* workspace, int variant,
                                int device, void* stream);

/* For benchmark rows: the device's name as the driver reports it, and its free and total memory
 * in bytes (cudaMemGetInfo). */
HGCN_API int hgcn_cuda_device_info(int device, char* name, int name_len, int64_t* free_bytes, int64_t* total_bytes);

/* Synchronise-and-check mode (off by default; on when the environment has HSPNET_HGCN_SYNC_CHECK=1):
 * every CUDA call then waits for its stream and returns HGCN_ERR_CUDA for an error the kernels
 * raised while running, not only for a failed launch. For device checks: it costs a round trip. */
HGCN_API void hgcn_cuda_set_sync_check(int on);
HGCN_API int hgcn_cuda_sync_check(void);

/* Describe the last error each library returned to the calling thread ("" when none). */
HGCN_API const char* hgcn_cpu_last_error(void);
HGCN_API const char* hgcn_cuda_last_error(void);

#ifdef __cplusplus
}
#endif

#endif
