package io.moslora.llava.train;

import io.moslora.adapters.AdapterConfig;
import io.moslora.adapters.AdapterKind;
import io.moslora.adapters.MixerInit;
import java.util.List;

/**
 * The adapter on one part of LLaVA (the LLM or the vision tower), as a training config states it. {@code kind}
 * null means that part gets no adapter (it stays frozen).
 */
public record AdapterSettings(AdapterKind kind, int r, double alpha, double dropout, MixerInit mixerInit,
        List<String> targets) {
    public AdapterSettings {
        targets = List.copyOf(targets);
    }

    public boolean enabled() {
        return kind != null;
    }

    /** The PEFT config this part's adapter is injected and saved with. */
    public AdapterConfig toAdapterConfig() {
        AdapterConfig c = AdapterConfig.of(kind, r, alpha, targets).withMixerInit(mixerInit);
        return new AdapterConfig(c.kind(), c.r(), c.alpha(), dropout, c.targetModules(), c.targetRegex(), c.allLinear(),
                c.excludeModules(), c.useRslora(), c.mixerInit(), c.gaussianA(), c.modulesToSave(),
                c.baseModelNameOrPath(), c.taskType());
    }
}
