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
#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace moslora {

// bitsandbytes' CUDA kernel picks codes with a comparison tree over ascending thresholds and strict '>', so a
// midpoint goes to the lower code and NaN to index 0. Counting the thresholds below x gives the same index
// without data-dependent branches (the tree's mispredictions dominated the run time).
static const float NF4_THRESHOLDS[15] = {
    -0.8480964004993439f, -0.6106329262256622f, -0.4599952697753906f, -0.33967943489551544f,
    -0.23460740596055984f, -0.13791173323988914f, -0.045525018125772476f, 0.03979014977812767f,
    0.1202552504837513f, 0.2035212516784668f, 0.2920137718319893f, 0.3893125355243683f,
    0.5016634166240692f, 0.6427869200706482f, 0.8614784181118011f};
// FP4 magnitudes in ascending order map to these bit patterns (sign in bit 3).
static const float FP4_THRESHOLDS[7] = {
    0.00260417f, 0.0859375f, 0.20833333f, 0.29166667f, 0.4166667f, 0.583333f, 0.8333333f};
static const uint8_t FP4_BY_RANK[8] = {0, 1, 6, 7, 4, 5, 2, 3};

static inline uint8_t quantize_nf4(float x) {
    int q = 0;
    for (int t = 0; t < 15; t++) q += x > NF4_THRESHOLDS[t];
    return (uint8_t) q;
}

static inline uint8_t quantize_fp4(float x) {
    uint8_t sign = x < 0 ? 8 : 0;
    float a = std::fabs(x);
    int rank = 0;
    for (int t = 0; t < 7; t++) rank += a > FP4_THRESHOLDS[t];
    return (uint8_t) (FP4_BY_RANK[rank] + sign);
}

// float32 -> IEEE half, round to nearest even; the same bit steps as io.moslora.quant.HalfFloat.
static inline uint16_t float_to_half(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    uint32_t magnitude = x & 0x7fffffffu;
    if (magnitude >= 0x38800000u && magnitude < 0x47800000u) {
        // Result is a normal half (or rounds up to infinity): round to nearest even at bit 13 and rebias.
        uint32_t r = magnitude + 0xfffu + ((magnitude >> 13) & 1u);
        return (uint16_t) (((x >> 16) & 0x8000u) | ((r >> 13) - ((127u - 15u) << 10)));
    }
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
inline void quantize4bit(const float* __restrict__ in, long long n, int blocksize, int type,
                         uint8_t* __restrict__ packed, float* __restrict__ absmax) {
    long long blocks = (n + blocksize - 1) / blocksize;
#pragma omp parallel for schedule(static)
    for (long long b = 0; b < blocks; b++) {
        long long start = b * blocksize;
        long long len = start + blocksize < n ? blocksize : n - start;
        const float* x = in + start;
        float amax = 0.0f;
        for (long long i = 0; i < len; i++) {
            float a = std::fabs(x[i]);
            amax = a > amax ? a : amax;
        }
        absmax[b] = amax;
        float inv = 1.0f / amax;
        // Codes first (an element-wise loop the compiler vectorises), then two per byte, even one high.
        uint8_t codes[4096 + 1];
        if (type == 0) {
            for (long long i = 0; i < len; i++) codes[i] = quantize_nf4(x[i] * inv);
        } else {
            for (long long i = 0; i < len; i++) codes[i] = quantize_fp4(x[i] * inv);
        }
        if (len & 1) codes[len] = type == 0 ? quantize_nf4(0.0f * inv) : quantize_fp4(0.0f * inv);
        uint8_t* dst = packed + start / 2;
        for (long long j = 0; j < (len + 1) / 2; j++) dst[j] = (uint8_t) ((codes[2 * j] << 4) | codes[2 * j + 1]);
    }
}

// Walks the output in whole bytes (two values) within one block; blocksize is even, so a byte never straddles.
inline void dequantize4bit_f32(const uint8_t* __restrict__ packed, const float* __restrict__ absmax,
                               const float* __restrict__ table, long long n, int blocksize, float* __restrict__ out) {
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

// The 16 possible halves of one block (code x absmax, rounded once), split into low and high bytes so that a
// byte shuffle can look 16 of them up at a time.
static inline void half_table(const float* table, float scale, uint8_t* lo, uint8_t* hi) {
    // Written as straight loops over 16 lanes so the compiler vectorises them: this runs once per block and,
    // with small blocks, used to cost more than the lookups themselves.
    float product[16];
    uint32_t bits[16];
    uint32_t h[16];
    uint32_t rare = 0;
    for (int k = 0; k < 16; k++) product[k] = table[k] * scale;
    std::memcpy(bits, product, sizeof bits);
    for (int k = 0; k < 16; k++) {
        uint32_t m = bits[k] & 0x7fffffffu;
        uint32_t sign = (bits[k] >> 16) & 0x8000u;
        uint32_t r = m + 0xfffu + ((m >> 13) & 1u);
        uint32_t normal = sign | ((r >> 13) - ((127u - 15u) << 10)); // float_to_half's normal-range branch
        h[k] = m == 0 ? sign : normal;
        rare |= (m != 0 && (m < 0x38800000u || m >= 0x47800000u)) ? 1u : 0u;
    }
    if (rare) { // subnormal, overflowing, infinite or NaN lanes: the full conversion
        for (int k = 0; k < 16; k++) h[k] = float_to_half(product[k]);
    }
    for (int k = 0; k < 16; k++) {
        lo[k] = (uint8_t) h[k];
        hi[k] = (uint8_t) (h[k] >> 8);
    }
}

// Scalar tail: elements [i, end) of a block, i even.
static inline void half_tail(const uint8_t* packed, const uint8_t* lo, const uint8_t* hi, long long i,
                             long long end, uint16_t* out) {
    for (; i + 1 < end; i += 2) {
        uint8_t v = packed[i / 2];
        out[i] = (uint16_t) (lo[v >> 4] | (hi[v >> 4] << 8));
        out[i + 1] = (uint16_t) (lo[v & 15] | (hi[v & 15] << 8));
    }
    if (i < end) {
        int q = packed[i / 2] >> 4;
        out[i] = (uint16_t) (lo[q] | (hi[q] << 8));
    }
}

inline void dequantize4bit_f16_scalar(const uint8_t* __restrict__ packed, const float* __restrict__ absmax,
                                      const float* __restrict__ table, long long n, int blocksize,
                                      uint16_t* __restrict__ out) {
    long long blocks = (n + blocksize - 1) / blocksize;
#pragma omp parallel for schedule(static)
    for (long long b = 0; b < blocks; b++) {
        long long start = b * blocksize;
        long long end = start + blocksize < n ? start + blocksize : n;
        uint8_t lo[16], hi[16];
        half_table(table, absmax[b], lo, hi);
        half_tail(packed, lo, hi, start, end, out);
    }
}

#if defined(__x86_64__)
// SSSE3: 16 bytes of codes -> 32 halves with four table shuffles; same table, same bits as the scalar loop.
__attribute__((target("ssse3"))) inline void dequantize4bit_f16_ssse3(
        const uint8_t* __restrict__ packed, const float* __restrict__ absmax, const float* __restrict__ table,
        long long n, int blocksize, uint16_t* __restrict__ out) {
    long long blocks = (n + blocksize - 1) / blocksize;
#pragma omp parallel for schedule(static)
    for (long long b = 0; b < blocks; b++) {
        long long start = b * blocksize;
        long long end = start + blocksize < n ? start + blocksize : n;
        alignas(16) uint8_t lo[16];
        alignas(16) uint8_t hi[16];
        half_table(table, absmax[b], lo, hi);
        const __m128i tlo = _mm_load_si128((const __m128i*) lo);
        const __m128i thi = _mm_load_si128((const __m128i*) hi);
        const __m128i nibble = _mm_set1_epi8(15);
        long long i = start;
        for (; i + 32 <= end; i += 32) {
            __m128i v = _mm_loadu_si128((const __m128i*) (packed + i / 2));
            __m128i high = _mm_and_si128(_mm_srli_epi16(v, 4), nibble);
            __m128i low = _mm_and_si128(v, nibble);
            __m128i c0 = _mm_unpacklo_epi8(high, low); // element order: even (high nibble) first
            __m128i c1 = _mm_unpackhi_epi8(high, low);
            __m128i l0 = _mm_shuffle_epi8(tlo, c0), h0 = _mm_shuffle_epi8(thi, c0);
            __m128i l1 = _mm_shuffle_epi8(tlo, c1), h1 = _mm_shuffle_epi8(thi, c1);
            _mm_storeu_si128((__m128i*) (out + i), _mm_unpacklo_epi8(l0, h0));
            _mm_storeu_si128((__m128i*) (out + i + 8), _mm_unpackhi_epi8(l0, h0));
            _mm_storeu_si128((__m128i*) (out + i + 16), _mm_unpacklo_epi8(l1, h1));
            _mm_storeu_si128((__m128i*) (out + i + 24), _mm_unpackhi_epi8(l1, h1));
        }
        half_tail(packed, lo, hi, i, end, out);
    }
}
#endif

// Baseline x86-64 builds stay portable: the SSSE3 loop is chosen at run time when the CPU has it.
inline void dequantize4bit_f16(const uint8_t* packed, const float* absmax, const float* table, long long n,
                               int blocksize, uint16_t* out) {
#if defined(__x86_64__)
    static const bool ssse3 = __builtin_cpu_supports("ssse3");
    if (ssse3) {
        dequantize4bit_f16_ssse3(packed, absmax, table, n, blocksize, out);
        return;
    }
#endif
    dequantize4bit_f16_scalar(packed, absmax, table, n, blocksize, out);
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

inline void set_max_threads(int n) {
#ifdef _OPENMP
    omp_set_num_threads(n);
#endif
}

inline int max_threads() {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

}  // namespace moslora
