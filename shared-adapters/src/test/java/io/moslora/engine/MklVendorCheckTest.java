package io.moslora.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MklVendorCheckTest {
    private static final Path SHIM_SOURCE = Path.of("src/main/native/mkl_intel_cpu_true.c");

    @Test
    void withoutTheShimMklGetsTheCpusOwnVendor() throws Exception {
        String vendor = cpuVendor();
        assumeTrue(vendor.equals("AuthenticAMD") || vendor.equals("GenuineIntel"), "vendor " + vendor);
        assumeTrue(System.getenv("LD_PRELOAD") == null, "this JVM already has a preload");
        assertThat(MklVendorCheck.answersIntel()).isEqualTo(vendor.equals("GenuineIntel"));
    }

    /** The launcher's mechanism end to end: compile the shim, preload it into a fresh JVM, ask MKL, multiply. */
    @Test
    void preloadedShimMakesMklAnswerIntelAndProductsStayExact(@TempDir Path dir) throws Exception {
        Path lib = dir.resolve(MklVendorCheck.SHIM_FILE);
        Process cc = new ProcessBuilder("cc", "-O2", "-shared", "-fPIC", "-o", lib.toString(), SHIM_SOURCE.toString())
                .redirectErrorStream(true).start();
        assertThat(cc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(cc.exitValue()).as(new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();

        ProcessBuilder child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Probe.class.getName())).redirectErrorStream(true);
        child.environment().put("LD_PRELOAD", lib.toString());
        child.environment().put("DJL_OFFLINE", "true");
        Process p = child.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).as(out).contains("answersIntel true");
        double err = Double.parseDouble(out.lines().filter(l -> l.startsWith("maxRelErr ")).findFirst().orElseThrow()
                .substring("maxRelErr ".length()));
        assertThat(err).as(out).isLessThan(1e-5);
    }

    /** Runs in the child JVM: MKL's answer, and a float32 product against the same product in float64. */
    public static final class Probe {
        public static void main(String[] args) {
            System.out.println("answersIntel " + MklVendorCheck.answersIntel());
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray a = m.randomUniform(-1, 1, new Shape(96, 512));
                NDArray b = m.randomUniform(-1, 1, new Shape(512, 80));
                NDArray f32 = a.matMul(b);
                NDArray f64 = a.toType(DataType.FLOAT64, true).matMul(b.toType(DataType.FLOAT64, true));
                double err = f32.toType(DataType.FLOAT64, true).sub(f64).abs().max().getDouble()
                        / f64.abs().max().getDouble();
                System.out.println("maxRelErr " + err);
            }
        }
    }

    private static String cpuVendor() throws Exception {
        return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("vendor_id"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
    }
}
