/*
 * Preloaded by ./moslora on AMD CPUs (LD_PRELOAD). The MKL that libtorch links asks this function whether the CPU
 * is an Intel one before it picks its kernels; on any other vendor it then ignores AVX-512 and takes a slower path
 * (measured on this project's AMD EPYC machines: a [512,1024]x[1024,1024] float32 product 12.5 ms -> 5.4 ms).
 * Answering yes makes MKL choose by the CPU's own feature flags (cpuid), as it does on Intel CPUs.
 * See engine/MklVendorCheck.java and README "Engine facts we found".
 */
int mkl_serv_intel_cpu_true(void) { return 1; }
