// float16 and bfloat16 <-> float32 on the CPU, bit-exact with IEEE 754 round-to-nearest-even
// (what LibTorch's CPU conversions and CUDA's __float2half_rn / __float2bfloat16_rn do).
#ifndef HGCN_TYPES_H
#define HGCN_TYPES_H

#include <stdint.h>
#include <string.h>

namespace hgcn {

inline float bits_to_float(uint32_t u) {
  float f;
  memcpy(&f, &u, 4);
  return f;
}

inline uint32_t float_to_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

inline float bf16_bits_to_float(uint16_t h) { return bits_to_float(uint32_t(h) << 16); }

inline uint16_t float_to_bf16_bits(float f) {
  uint32_t u = float_to_bits(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return uint16_t((u >> 16) | 0x40);  // NaN stays a (quiet) NaN
  u += 0x7fffu + ((u >> 16) & 1u);
  return uint16_t(u >> 16);
}

inline float half_bits_to_float(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000u) << 16, exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
  if (exp == 0x1f) return bits_to_float(sign | 0x7f800000u | (man << 13));  // inf, NaN
  if (exp == 0) {
    if (man == 0) return bits_to_float(sign);
    // subnormal: value = man · 2^-24
    float v = float(man) * (1.0f / 16777216.0f);
    return sign ? -v : v;
  }
  return bits_to_float(sign | ((exp + 112u) << 23) | (man << 13));
}

inline uint16_t float_to_half_bits(float f) {
  uint32_t u = float_to_bits(f);
  uint16_t sign = uint16_t((u >> 16) & 0x8000u);
  uint32_t a = u & 0x7fffffffu;
  if (a > 0x7f800000u) return uint16_t(sign | 0x7e00u);  // NaN
  if (a >= 0x477ff000u) return uint16_t(sign | 0x7c00u); // rounds to 65520 or more: inf
  if (a < 0x38800000u) {                                 // below the smallest normal half, 2^-14
    // subnormal half: round a·2^24 to the nearest integer, ties to even
    float v = bits_to_float(a) * 16777216.0f;            // exact: a scaled by a power of two
    uint32_t r = uint32_t(v);
    float rest = v - float(r);
    if (rest > 0.5f || (rest == 0.5f && (r & 1u))) r++;
    return uint16_t(sign | r);
  }
  // normal: rebias the exponent and round the 13 dropped mantissa bits to nearest even
  uint32_t h = ((a >> 13) - (112u << 10));
  uint32_t dropped = a & 0x1fffu;
  if (dropped > 0x1000u || (dropped == 0x1000u && (h & 1u))) h++;
  return uint16_t(sign | h);
}

}  // namespace hgcn

#endif
