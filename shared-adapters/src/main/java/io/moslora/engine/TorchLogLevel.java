package io.moslora.engine;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.LibUtils;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import io.moslora.cli.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * libtorch's own log threshold (c10's {@code FLAGS_caffe2_log_level}), set from {@code TORCH_CPP_LOG_LEVEL} as
 * PyTorch documents it. libtorch reads that variable only in {@code c10::initLogging()}, which PyTorch's Python
 * module calls and DJL does not: without this the variable has no effect in a JVM (checked: the launcher's
 * {@code TORCH_CPP_LOG_LEVEL=ERROR} alone still printed "Could not initialize NNPACK!" on every convolution).
 */
public final class TorchLogLevel {
    /** The environment variable PyTorch reads. */
    public static final String VARIABLE = "TORCH_CPP_LOG_LEVEL";
    private static final String FLAG = "FLAGS_caffe2_log_level";

    private TorchLogLevel() {}

    /**
     * Applies {@code TORCH_CPP_LOG_LEVEL} when it is set (starting the engine, since only a loaded libtorch tells
     * where its libc10 is); nothing otherwise.
     */
    public static void applyEnvironment() {
        String value = System.getenv(VARIABLE);
        if (value != null && !value.isBlank()) {
            set(parse(value));
        }
    }

    /** c10's level for a {@code TORCH_CPP_LOG_LEVEL} value: INFO 0, WARNING 1, ERROR 2, FATAL 3, or the number. */
    public static int parse(String value) {
        return switch (value.trim().toUpperCase(Locale.ROOT)) {
            case "INFO", "0" -> 0;
            case "WARNING", "1" -> 1;
            case "ERROR", "2" -> 2;
            case "FATAL", "3" -> 3;
            default -> throw new UserError(VARIABLE + "='" + value + "' is not a log level: use INFO, WARNING, ERROR "
                    + "or FATAL (or 0-3), or unset it");
        };
    }

    /** Messages below {@code level} are dropped from now on; returns the level that was in force. */
    public static int set(int level) {
        Pointer flag = flag();
        int before = flag.getInt(0);
        flag.setInt(0, level);
        return before;
    }

    /** The level in force. */
    public static int threshold() {
        return flag().getInt(0);
    }

    /** The flag in the libc10.so DJL loaded (the same file, so the same global). */
    private static Pointer flag() {
        Engine.getEngine("PyTorch"); // DJL knows its libtorch folder only once it has loaded it
        Path lib = Path.of(LibUtils.getLibtorchPath()).resolve("libc10.so");
        if (!Files.isRegularFile(lib)) {
            throw new EngineException("libc10.so not found next to DJL's libtorch in " + lib.getParent());
        }
        return NativeLibrary.getInstance(lib.toString()).getGlobalVariableAddress(FLAG);
    }
}
