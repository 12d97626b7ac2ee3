package io.moslora.llava.model;

import io.moslora.engine.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.moslora.config.ClipVisionConfig;
import io.moslora.config.DecoderConfig;
import io.moslora.config.LlavaConfig;
import io.moslora.nn.Activation;
import io.moslora.nn.Module;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * transformers' {@code LlavaForConditionalGeneration} with llava-hf's checkpoint names: {@code language_model}
 * (a {@link CausalLM}), {@code vision_tower} (a {@link ClipVisionTower}) and {@code multi_modal_projector}. Images
 * become {@code imageFeatureTokens} rows each (576 for LLaVA-1.5) spliced in where the ids hold −200, exactly as the
 * original LLaVA's training code does; other checkpoint layouts load through {@link LlavaLoader}.
 */
public final class LlavaModel extends Module {
    /** The id LLaVA's tokenization gives the {@code <image>} placeholder. */
    public static final long IMAGE_TOKEN_INDEX = -200;
    /** The label of positions that are not learned (PyTorch's cross-entropy {@code ignore_index}). */
    public static final long IGNORE_INDEX = -100;

    private final LlavaConfig config;

    public LlavaModel(LlavaConfig c) {
        this.config = c;
        int visionFeatures = c.visionConfig().hiddenSize() * c.visionFeatureLayers().size();
        addChild("language_model", new CausalLM(c.textConfig()));
        addChild("vision_tower", new ClipVisionTower(c.visionConfig()));
        addChild("multi_modal_projector", new MultiModalProjector(visionFeatures, c.textConfig().hiddenSize(),
                Activation.fromHf(c.projectorHiddenAct()), c.multimodalProjectorBias()));
    }

    /**
     * LLaVA-1.5 assembled from separate parts (XTuner's way: an LLM, a CLIP tower and a projector): features from
     * the penultimate layer without the class token, a GELU projector with bias.
     */
    public static LlavaModel fromParts(DecoderConfig text, ClipVisionConfig vision) {
        return new LlavaModel(new LlavaConfig(text, vision, (int) IMAGE_TOKEN_INDEX, "gelu", "default", List.of(-2),
                vision.numPatches(), true, text.tieWordEmbeddings(), null, null, List.of("LlavaForConditionalGeneration"),
                Map.of()));
    }

    public LlavaConfig config() {
        return config;
    }

    public CausalLM languageModel() {
        return (CausalLM) child("language_model");
    }

    public ClipVisionTower visionTower() {
        return (ClipVisionTower) child("vision_tower");
    }

    public MultiModalProjector projector() {
        return (MultiModalProjector) child("multi_modal_projector");
    }

    /** Pixels {@code [N, C, H, W]} → projected features {@code [N, imageFeatureTokens, textHidden]}. */
    public NDArray encodeImages(NDArray pixels) {
        NDArray features = visionTower().imageFeatures(pixels, config.visionFeatureLayers(),
                config.visionFeatureSelectStrategy());
        return projector().forward(features);
    }

    /** Splices each sample's images into its embeddings; see {@link MultimodalInputs}. */
    public MultimodalInputs prepare(NDManager m, List<LlavaSample> batch, int maxLength) {
        int images = MultimodalInputs.countImages(batch);
        NDArray features = null;
        if (images > 0) {
            ClipVisionConfig v = config.visionConfig();
            int size = v.numChannels() * v.imageSize() * v.imageSize();
            float[] all = new float[images * size];
            int at = 0;
            for (LlavaSample s : batch) {
                for (float[] img : s.images()) {
                    if (img.length != size) {
                        throw new IllegalArgumentException("an image has " + img.length + " values; the vision tower wants "
                                + v.numChannels() + "×" + v.imageSize() + "×" + v.imageSize() + " = " + size);
                    }
                    System.arraycopy(img, 0, all, at, size);
                    at += size;
                }
            }
            NDArray pixels = OwnedArrays.create(m, all, new Shape(images, v.numChannels(), v.imageSize(), v.imageSize()));
            features = encodeImages(pixels.toType(modelType(), false));
        }
        return MultimodalInputs.splice(m, languageModel(), batch, features, maxLength);
    }

    /** Logits and (when the samples carry labels) the shifted causal-LM loss, with no length cut. */
    public LlavaOutput forward(NDManager m, List<LlavaSample> batch) {
        return forward(m, batch, 0);
    }

    public LlavaOutput forward(NDManager m, List<LlavaSample> batch, int maxLength) {
        return run(prepare(m, batch, maxLength));
    }

    private LlavaOutput run(MultimodalInputs in) {
        NDArray logits = languageModel().forward(in.embeds(), in.attentionMask(), null);
        NDArray loss = in.labels() == null ? null : CausalLmLoss.of(logits, in.labels());
        return new LlavaOutput(logits, loss, in);
    }

    /**
     * The same from tensors: ids and labels {@code [B, L]} (labels may be null) and, in sample order, one image per
     * −200 placeholder as {@code pixels [N, C, H, W]} (null when there are none).
     */
    public LlavaOutput forward(NDArray ids, NDArray labels, NDArray pixels) {
        NDManager m = ids.getManager();
        int rows = (int) ids.getShape().get(0);
        long[] flatIds = ids.toType(DataType.INT64, false).toLongArray();
        long[] flatLabels = labels == null ? null : labels.toType(DataType.INT64, false).toLongArray();
        int len = (int) ids.getShape().get(1);
        List<LlavaSample> batch = new ArrayList<>();
        for (int b = 0; b < rows; b++) {
            long[] row = Arrays.copyOfRange(flatIds, b * len, (b + 1) * len);
            long[] lab = flatLabels == null ? null : Arrays.copyOfRange(flatLabels, b * len, (b + 1) * len);
            batch.add(LlavaSample.text(row, lab));
        }
        int placeholders = batch.stream().mapToInt(LlavaSample::placeholders).sum();
        long given = pixels == null ? 0 : pixels.getShape().get(0);
        if (placeholders != given) {
            throw new IllegalArgumentException("ids hold " + placeholders + " <image> placeholders (id -200) but "
                    + given + " images were given");
        }
        NDArray features = given == 0 ? null : encodeImages(pixels.toType(modelType(), false));
        return run(MultimodalInputs.splice(m, languageModel(), batch, features, 0));
    }

    /** The floating type the weights are in (images are cast to it). */
    public DataType modelType() {
        return projector().namedParameters().get("linear_1.weight").array().getDataType();
    }
}
