package io.moslora.adapters;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.moslora.io.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Rewrites a MoSLoRA (or TS-Mixing) adapter as a plain LoRA of the same rank: {@code A' = M·A}, B unchanged,
 * so {@code B·A' = B·M·A} exactly and every stock LoRA loader (PEFT, diffusers, serving engines) can use it.
 */
public final class LoraExport {
    private LoraExport() {}

    public static void exportPlainLora(Path adapterDir, Path outDir) {
        try (AdapterTensors in = new AdapterTensors(adapterDir); NDManager m = NDManager.newBaseManager()) {
            if (in.config().kind() == AdapterKind.DORA) {
                throw new io.moslora.cli.UserError(adapterDir.resolve(PeftAdapters.CONFIG_FILE) + ": field use_dora: a DoRA "
                        + "adapter rescales whole rows of W, which no plain low-rank ΔW can express; fold it into the "
                        + "model with 'adapter merge' instead");
            }
            SafetensorsWriter w = new SafetensorsWriter();
            for (AdapterTensors.Update u : in.updates().values()) {
                // keep each factor's stored dtype; A' is computed in float32 and rounded once
                var aType = in.file().info(u.a()).dtype();
                NDArray a = in.effectiveA(u, m);
                w.addFloats(u.a(), a.getShape().getShape(), a.toFloatArray(), aType);
                w.copyFrom(in.file(), u.b());
            }
            in.others().keySet().forEach(k -> w.copyFrom(in.file(), k));
            Files.createDirectories(outDir);
            w.write(outDir.resolve(PeftAdapters.WEIGHTS_FILE));
            PeftAdapters.writeConfig(in.config().withKind(AdapterKind.LORA), outDir);
        } catch (IOException e) {
            throw new io.moslora.cli.UserError("cannot write " + outDir + ": " + e.getMessage());
        }
    }
}
