package io.moslora.engine;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.LibUtils;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the MKL inside DJL's libtorch answers when it asks "is this an Intel CPU?" ({@code mkl_serv_intel_cpu_true})
 * before picking its kernels. On AMD CPUs the answer is no and MKL then ignores AVX-512 (float32 products about
 * 2.3× slower here, BENCHMARKS.md "bench gemm"); the launcher preloads {@code src/main/native/mkl_intel_cpu_true.c},
 * which answers yes, so MKL picks by the CPU's feature flags as it does on Intel CPUs.
 */
public final class MklVendorCheck {
    /** The function MKL calls; exported by libtorch_cpu.so, so a preloaded library's copy wins. */
    static final String FUNCTION = "mkl_serv_intel_cpu_true";
    /** The file name the launcher gives the compiled shim. */
    public static final String SHIM_FILE = "libmkl_intel_cpu_true.so";

    private MklVendorCheck() {}

    /**
     * The answer MKL gets in this process: the copy the dynamic linker finds first (a preloaded one), else
     * libtorch's own.
     */
    public static boolean answersIntel() {
        Engine.getEngine("PyTorch"); // loads libtorch, and tells where it is
        Function f = lookup(NativeLibrary.getProcess());
        if (f == null) {
            Path lib = Path.of(LibUtils.getLibtorchPath()).resolve("libtorch_cpu.so");
            if (!Files.isRegularFile(lib)) {
                throw new EngineException("libtorch_cpu.so not found in " + lib.getParent());
            }
            f = lookup(NativeLibrary.getInstance(lib.toString()));
        }
        if (f == null) {
            throw new EngineException(FUNCTION + " not found: this libtorch has no MKL");
        }
        return f.invokeInt(new Object[0]) != 0;
    }

    /** One line for benchmark headers. */
    public static String describe() {
        return answersIntel()
                ? "MKL kernels chosen by CPU features"
                : "MKL kernels chosen by CPU vendor (non-Intel CPU: no AVX-512 kernels, see README, engine facts)";
    }

    private static Function lookup(NativeLibrary library) {
        try {
            return library.getFunction(FUNCTION);
        } catch (UnsatisfiedLinkError e) {
            return null;
        }
    }
}
