package io.moslora.llava.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.moslora.cli.UserError;
import java.util.List;

/** The {@code device} setting of a training config turned into the DJL device the run allocates on. */
public final class TrainingDevice {
    public static final String AUTO = "auto";
    public static final String CPU = "cpu";
    public static final String CUDA = "cuda";
    public static final List<String> SETTINGS = List.of(AUTO, CPU, CUDA);

    private TrainingDevice() {}

    /** On this machine, as DJL's engine sees it. */
    public static Device resolve(String setting) {
        return resolve(setting, Engine.getInstance().getGpuCount());
    }

    /** {@code auto}: the first GPU when there is one, else the CPU; {@code cuda} without a GPU is the user's error. */
    static Device resolve(String setting, int gpuCount) {
        return switch (setting) {
            case CPU -> Device.cpu();
            case CUDA -> {
                if (gpuCount == 0) {
                    throw new UserError("training config: field device: cuda, but DJL sees no GPU on this machine "
                            + "(a CPU-only libtorch, or no CUDA driver); use device: cpu or auto");
                }
                yield Device.gpu();
            }
            case AUTO -> gpuCount > 0 ? Device.gpu() : Device.cpu();
            default -> throw new UserError("training config: field device: expected one of " + SETTINGS + ", got " + setting);
        };
    }
}
