package io.moslora.sdxl.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.moslora.config.SdxlPipelineConfig;
import io.moslora.engine.Seeds;
import io.moslora.sdxl.tokenizer.ClipTokenizer;

/** The embedded tiny SDXL with seeded random weights, for tests. */
final class TinySdxl {
    /** Built once: reading CLIP's merges list is the slow part of making a tiny pipeline. */
    private static final ClipTokenizer TOKENIZER_1 = ClipTokenizer.sdxlTokenizer();
    private static final ClipTokenizer TOKENIZER_2 = ClipTokenizer.sdxlTokenizer2();

    private TinySdxl() {}

    static SdxlModels create(long seed, NDManager manager) {
        Seeds.seed(seed);
        SdxlModels models = SdxlModels.build(SdxlPipelineConfig.tiny(), TOKENIZER_1, TOKENIZER_2);
        models.materialize(manager, DataType.FLOAT32);
        return models;
    }
}
