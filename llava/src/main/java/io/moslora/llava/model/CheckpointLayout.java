package io.moslora.llava.model;

import java.util.Collection;
import java.util.function.UnaryOperator;

/**
 * How the checkpoints users have name LLaVA's tensors, each as a map from a file's key to our module key (null:
 * a tensor the model does not use). Our module tree uses llava-hf's names, so that layout maps to itself.
 */
public enum CheckpointLayout {
    /** llava-hf as published (transformers ≤ 4.51): {@code language_model.model.…}, {@code language_model.lm_head}. */
    LLAVA_HF {
        @Override
        String map(String key, String head) {
            return key;
        }
    },
    /**
     * transformers ≥ 4.52 saves {@code model.language_model.…} (the bare decoder), {@code model.vision_tower.…},
     * {@code model.multi_modal_projector.…} and a top-level {@code lm_head}.
     */
    TRANSFORMERS_NESTED {
        @Override
        String map(String key, String head) {
            if (key.startsWith("model.language_model.")) {
                return "language_model.model." + key.substring("model.language_model.".length());
            }
            if (key.startsWith("lm_head.")) {
                return "language_model." + head + key.substring("lm_head".length());
            }
            if (key.startsWith("model.vision_tower.") || key.startsWith("model.multi_modal_projector.")) {
                return key.substring("model.".length());
            }
            return key;
        }
    },
    /** XTuner's projector file: an {@code nn.Sequential} of Linear, GELU, Linear saved as {@code model.0/2}. */
    XTUNER_PROJECTOR {
        @Override
        String map(String key, String head) {
            if (key.startsWith("model.0.")) {
                return "linear_1." + key.substring("model.0.".length());
            }
            if (key.startsWith("model.2.")) {
                return "linear_2." + key.substring("model.2.".length());
            }
            return key;
        }
    },
    /**
     * A CLIP checkpoint loaded as a vision tower: a full {@code CLIPModel} also holds the text half and the
     * contrastive projections, which LLaVA does not use.
     */
    CLIP_VISION {
        @Override
        String map(String key, String head) {
            boolean textSide = key.startsWith("text_model.") || key.startsWith("text_projection.")
                    || key.startsWith("visual_projection.") || key.equals("logit_scale");
            return textSide ? null : key;
        }
    };

    /** Our key for a file's key, given the decoder's head name ({@code lm_head}, InternLM2's {@code output}). */
    abstract String map(String key, String head);

    /** The rename to hand to the loader; {@code position_ids} buffers (older files keep them) are skipped. */
    public UnaryOperator<String> rename(String head) {
        return key -> key.endsWith(".position_ids") ? null : map(key, head);
    }

    /** Which layout a whole-model LLaVA checkpoint uses, from its key names. */
    public static CheckpointLayout detect(Collection<String> keys) {
        boolean nested = keys.stream().anyMatch(k -> k.startsWith("model.language_model.")
                || k.startsWith("model.vision_tower.") || k.startsWith("model.multi_modal_projector."));
        return nested ? TRANSFORMERS_NESTED : LLAVA_HF;
    }
}
