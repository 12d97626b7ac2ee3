package io.moslora.sdxl.train;

import ai.djl.ndarray.NDManager;
import io.moslora.adapters.AdapterConfig;
import io.moslora.adapters.AdapterInjector;
import io.moslora.nn.Container;
import io.moslora.nn.Module;
import io.moslora.sdxl.lora.SdxlComponent;
import io.moslora.sdxl.model.SdxlModels;
import io.moslora.train.AdamW;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --train-text-encoder} as diffusers' {@code train_dreambooth_lora_sdxl.py} does it: the same adapter (kind,
 * rank, α, init) also on both CLIP text encoders' attention projections, trained with the UNet's adapter in one
 * AdamW whose text-encoder parameters form their own group (learning rate {@code lr}, default the UNet's; weight
 * decay 1e-3, the script's {@code adam_weight_decay_text_encoder}); the prompt embeddings are then recomputed every
 * step (see {@link PromptConditioning}).
 *
 * @param lr the text encoders' learning rate, or null for the UNet's
 */
public record TextEncoderTraining(boolean enabled, Double lr) {
    public static final List<String> CLIP_ATTENTION = List.of("q_proj", "k_proj", "v_proj", "out_proj");
    static final double WEIGHT_DECAY = 1e-3;
    public static final TextEncoderTraining OFF = new TextEncoderTraining(false, null);

    /** Adapters on both encoders when enabled; returns every adapted network's settings, the UNet's included. */
    Map<SdxlComponent, AdapterConfig> inject(SdxlModels models, AdapterConfig unet, NDManager manager) {
        Map<SdxlComponent, AdapterConfig> out = new EnumMap<>(SdxlComponent.class);
        out.put(SdxlComponent.UNET, unet);
        if (enabled) {
            AdapterConfig text = new AdapterConfig(unet.kind(), unet.r(), unet.alpha(), unet.dropout(), CLIP_ATTENTION,
                    null, false, List.of(), unet.useRslora(), unet.mixerInit(), unet.gaussianA(), List.of(), null, null);
            for (SdxlComponent c : List.of(SdxlComponent.TEXT_ENCODER, SdxlComponent.TEXT_ENCODER_2)) {
                AdapterInjector.inject(c.module(models), text, manager);
                out.put(c, text);
            }
        }
        return out;
    }

    /** What the optimizer trains: the UNet alone, or the UNet and both encoders under their component names. */
    Module trainedModule(SdxlModels models) {
        if (!enabled) return models.unet();
        Container all = new Container();
        for (SdxlComponent c : SdxlComponent.values()) {
            all.addChild(c.diffusersName(), c.module(models));
        }
        return all;
    }

    /** The text encoders' parameters of {@code trained} as one AdamW group. */
    Map<String, AdamW.Group> groups(Module trained, double unetLr) {
        Map<String, AdamW.Group> out = new LinkedHashMap<>();
        if (!enabled) return out;
        AdamW.Group group = new AdamW.Group(lr == null ? 1.0 : lr / unetLr, WEIGHT_DECAY);
        trained.trainableParameters().keySet().stream().filter(k -> !k.startsWith(SdxlComponent.UNET.diffusersName() + "."))
                .forEach(k -> out.put(k, group));
        return out;
    }
}
