package io.moslora.sdxl.single;

import io.moslora.nn.Module;
import io.moslora.sdxl.lora.SgmUNetNames;
import io.moslora.sdxl.model.ClipTextModel;
import io.moslora.sdxl.model.SdxlModels;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Where every parameter of an SDXL pipeline lies in a single-file checkpoint (Stability's SGM layout, as A1111 and
 * ComfyUI load it): the UNet under {@code model.diffusion_model.} with SGM names, the VAE under
 * {@code first_stage_model.} with LDM names, text encoder 1 under {@code conditioner.embedders.0.transformer.} with
 * its HF names, text encoder 2 under {@code conditioner.embedders.1.model.} with OpenCLIP names. Derived from the
 * models' own parameter lists (shape-only models suffice), so any config of the family maps.
 */
public final class SingleFileLayout {
    /** One network of the pipeline, its key prefix in the file, and the buffers a file may carry that we do not load. */
    public enum Part {
        UNET("UNet", "model.diffusion_model.", Set.of()),
        VAE("VAE", "first_stage_model.", Set.of()),
        TEXT_ENCODER("text encoder 1", "conditioner.embedders.0.transformer.", Set.of("text_model.embeddings.position_ids")),
        TEXT_ENCODER_2("text encoder 2", "conditioner.embedders.1.model.", Set.of("logit_scale", "attn_mask"));

        private final String label;
        private final String prefix;
        private final Set<String> ignoredBuffers;

        Part(String label, String prefix, Set<String> ignoredBuffers) {
            this.label = label;
            this.prefix = prefix;
            this.ignoredBuffers = ignoredBuffers;
        }

        public String label() {
            return label;
        }

        public String prefix() {
            return prefix;
        }

        /** A file key (with prefix) we know and skip: a non-trainable buffer the original code saved. */
        boolean ignores(String fileKey) {
            return fileKey.startsWith(prefix) && ignoredBuffers.contains(fileKey.substring(prefix.length()));
        }
    }

    private final Map<Part, Module> modules = new LinkedHashMap<>();
    private final Map<Part, Map<String, SingleFileKey>> keys = new LinkedHashMap<>();

    private SingleFileLayout() {}

    public static SingleFileLayout of(SdxlModels models) {
        SingleFileLayout l = new SingleFileLayout();
        SgmUNetNames unet = SgmUNetNames.of(models.config().unet());
        l.add(Part.UNET, models.unet(), name -> unet.toSgm(name).map(SingleFileKey::same));
        LdmVaeNames vae = new LdmVaeNames(models.config().vae().blockOutChannels().size());
        l.add(Part.VAE, models.vae(), vae::toLdm);
        l.add(Part.TEXT_ENCODER, models.text().encoder1(), name -> Optional.of(SingleFileKey.same(name)));
        l.add(Part.TEXT_ENCODER_2, models.text().encoder2(), OpenClipTextNames::toOpenClip);
        return l;
    }

    private void add(Part part, Module module, Function<String, Optional<SingleFileKey>> rename) {
        Map<String, SingleFileKey> byParameter = new LinkedHashMap<>();
        for (String name : module.namedParameters().keySet()) {
            if (ClipTextModel.isBufferKey(name)) continue;
            SingleFileKey k = rename.apply(name).orElseThrow(() -> new IllegalStateException(
                    part.label() + " parameter " + name + " has no single-file name"));
            byParameter.put(name, new SingleFileKey(part.prefix() + k.key(), k.storedAs()));
        }
        modules.put(part, module);
        keys.put(part, byParameter);
    }

    public List<Part> parts() {
        return List.copyOf(modules.keySet());
    }

    public Module module(Part part) {
        return modules.get(part);
    }

    /** Our parameter name → its place in the file (full key), in the module's parameter order. */
    public Map<String, SingleFileKey> keys(Part part) {
        return keys.get(part);
    }

    /** The part whose prefix {@code fileKey} carries, if any. */
    public static Optional<Part> partOf(String fileKey) {
        for (Part p : Part.values()) {
            if (fileKey.startsWith(p.prefix())) return Optional.of(p);
        }
        return Optional.empty();
    }
}
