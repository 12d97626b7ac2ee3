// Blockwise 4-bit (NF4 / FP4) kernels in the bitsandbytes layout, called from Java through JavaCPP
// (io.moslora.quant.NativeFourBitKernels). Every result must equal the Java reference (Nf4Codec) bit for bit:
// same float operations in the same order, no FMA contraction (-ffp-contract=off in the build).
#pragma once

#include <cstdint>
#include <cstring>
#include <cmath>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace moslora {

// Rounding trees of bitsandbytes' CUDA kernel: strict '>' so a midpoint goes to the lower code, NaN to 0.
static inline uint8_t quantize_nf4(float x) {
    if (x > 0.03979014977812767f) {
        if (x > 0.3893125355243683f) {
            if (x > 0.6427869200706482f) return x > 0.8614784181118011f ? 15 : 14;
            return x > 0.5016634166240692f ? 13 : 12;
        }
        if (x > 0.2035212516784668f) return x > 0.2920137718319893f ? 11 : 10;
        return x > 0.1202552504837513f ? 9 : 8;
    }
    if (x > -0.33967943489551544f) {
        if (x > -0.13791173323988914f) return x > -0.045525018125772476f ? 7 : 6;
        return x > -0.23460740596055984f ? 5 : 4;
    }
    if (x > -0.6106329262256622f) return x > -0.4599952697753906f ? 3 : 2;
    return x > -0.8480964004993439f ? 1 : 0;
}

static inline uint8_t quantize_fp4(float x) {
    uint8_t sign = x < 0 ? 8 : 0;
    float a = std::fabs(x);
    if (a > 0.29166667f) {
        if (a > 0.583333f) return (a > 0.8333333f ? 3 : 2) + sign;
        return (a > 0.4166667f ? 5 : 4) + sign;
    }
    if (a > 0.0859375f) return (a > 0.20833333f ? 7 : 6) + sign;
    return (a > 0.00260417f ? 1 : 0) + sign;
}

// float32 -> IEEE half, round to nearest even; the same bit steps as io.moslora.quant.HalfFloat.
static inline uint16_t float_to_half(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000u;
    int exp = (int) ((x >> 23) & 0xffu);
    uint32_t mant = x & 0x7fffffu;
    if (exp == 0xff) return (uint16_t) (sign | 0x7c00u | (mant != 0 ? 0x200u | (mant >> 13) : 0u));
    int e = exp - 127 + 15;
    if (e >= 0x1f) return (uint16_t) (sign | 0x7c00u);
    if (e <= 0) {
        if (e < -10) return (uint16_t) sign;
        uint32_t m = mant | 0x800000u;
        int shift = 14 - e;
        uint32_t rounded = m >> shift;
        uint32_t rest = m & ((1u << shift) - 1u);
        uint32_t half = 1u << (shift - 1);
        if (rest > half || (rest == half && (rounded & 1u) != 0)) rounded++;
        return (uint16_t) (sign | rounded);
    }
    uint32_t h = ((uint32_t) e << 10) | (mant >> 13);
    uint32_t rest = mant & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u) != 0)) h++;
    return (uint16_t) (sign | h);
}

// type: 0 = NF4, 1 = FP4 (FourBitType ordinals). One absmax per block of `blocksize` consecutive values
// (the last block may be partial); values are scaled by the reciprocal of the absmax as the CUDA kernel does.
inline void quantize4bit(const float* in, long long n, int blocksize, int type, uint8_t* packed, float* absmax) {
    long long blocks = (n + blocksize - 1) / blocksize;
#pragma omp parallel for schedule(static)
    for (long long b = 0; b < blocks; b++) {
        long long start = b * blocksize;
        long long end = start + blocksize < n ? start + blocksize : n;
        float amax = 0.0f;
        for (long long i = start; i < end; i++) {
            float a = std::fabs(in[i]);
            amax = a > amax ? a : amax;
        }
        absmax[b] = amax;
        float inv = 1.0f / amax;
        for (long long i = start; i < end; i += 2) {
            float x0 = in[i] * inv;
            float x1 = (i + 1 < end ? in[i + 1] : 0.0f) * inv;
            uint8_t q0 = type == 0 ? quantize_nf4(x0) : quantize_fp4(x0);
            uint8_t q1 = type == 0 ? quantize_nf4(x1) : quantize_fp4(x1);
            packed[i / 2] = (uint8_t) ((q0 << 4) | q1);
        }
    }
}

// Walks the output in whole bytes (two values) within one block; blocksize is even, so a byte never straddles.
inline void dequantize4bit_f32(const uint8_t* packed, const float* absmax, const float* table, long long n,
                               int blocksize, float* out) {
    long long blocks = (n + blocksize - 1) / blocksize;
#pragma omp parallel for schedule(static)
    for (long long b = 0; b < blocks; b++) {
        long long start = b * blocksize;
        long long end = start + blocksize < n ? start + blocksize : n;
        float scale = absmax[b];
        long long i = start;
        for (; i + 1 < end; i += 2) {
            uint8_t v = packed[i / 2];
            out[i] = table[v >> 4] * scale;
            out[i + 1] = table[v & 15] * scale;
        }
        if (i < end) out[i] = table[packed[i / 2] >> 4] * scale;
    }
}

inline void dequantize4bit_f16(const uint8_t* packed, const float* absmax, const float* table, long long n,
                               int blocksize, uint16_t* out) {
    long long blocks = (n + blocksize - 1) / blocksize;
#pragma omp parallel for schedule(static)
    for (long long b = 0; b < blocks; b++) {
        long long start = b * blocksize;
        long long end = start + blocksize < n ? start + blocksize : n;
        float scale = absmax[b];
        // The 16 possible products of this block, converted once: the inner loop is then two table loads.
        uint16_t lut[16];
        for (int k = 0; k < 16; k++) lut[k] = float_to_half(table[k] * scale);
        long long i = start;
        for (; i + 1 < end; i += 2) {
            uint8_t v = packed[i / 2];
            out[i] = lut[v >> 4];
            out[i + 1] = lut[v & 15];
        }
        if (i < end) out[i] = lut[packed[i / 2] >> 4];
    }
}

// The benchmark's yardstick: a plain copy of n bytes, split over the same threads as the kernels.
inline void copy_bytes(const uint8_t* src, uint8_t* dst, long long n) {
    int chunks = 1;
#ifdef _OPENMP
    chunks = omp_get_max_threads();
#endif
    long long per = (n + chunks - 1) / chunks;
#pragma omp parallel for schedule(static)
    for (int c = 0; c < chunks; c++) {
        long long s = c * per;
        long long e = s + per < n ? s + per : n;
        if (s < e) std::memcpy(dst + s, src + s, (size_t) (e - s));
    }
}

inline int max_threads() {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

}  // namespace moslora
