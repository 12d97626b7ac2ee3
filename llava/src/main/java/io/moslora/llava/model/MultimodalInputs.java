package io.moslora.llava.model;

import io.moslora.engine.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A batch after the image features have been spliced into the token embeddings, as LLaVA's
 * {@code prepare_inputs_labels_for_multimodal} does: every −200 placeholder becomes that image's feature rows
 * (labels −100 there), sequences are cut at {@code maxLength}, and the batch is padded on the right (zero
 * embeddings, label −100, attention mask 0).
 *
 * @param embeds {@code [B, T, hidden]}
 * @param labels {@code [B, T]} int64, or null when no sample had labels
 * @param attentionMask {@code [B, T]} int64, or null when no sample needed padding
 * @param lengths each sample's real length (before padding)
 */
public record MultimodalInputs(NDArray embeds, NDArray labels, NDArray attentionMask, int[] lengths) {

    /**
     * @param imageFeatures {@code [N, P, hidden]} for the N images of the batch in sample order, or null if none
     * @param maxLength cut each spliced sequence to this many positions (≤ 0: no cut)
     */
    static MultimodalInputs splice(NDManager m, CausalLM lm, List<LlavaSample> batch, NDArray imageFeatures,
            int maxLength) {
        List<NDArray> rows = new ArrayList<>();
        List<long[]> labelRows = new ArrayList<>();
        boolean anyLabels = batch.stream().anyMatch(s -> s.labels() != null);
        int image = 0;
        for (LlavaSample s : batch) {
            long[] ids = s.ids();
            long[] safeIds = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                safeIds[i] = ids[i] == LlavaModel.IMAGE_TOKEN_INDEX ? 0 : ids[i];
            }
            NDArray text = lm.embed(OwnedArrays.create(m, safeIds)); // [L, hidden]; the 0s at placeholders are dropped below
            NDList parts = new NDList();
            List<Long> labels = new ArrayList<>();
            int start = 0;
            for (int i = 0; i <= ids.length; i++) {
                if (i < ids.length && ids[i] != LlavaModel.IMAGE_TOKEN_INDEX) {
                    continue;
                }
                if (i > start) {
                    parts.add(text.get(new NDIndex("{}:{}", start, i)));
                    for (int j = start; j < i; j++) {
                        labels.add(s.labels() == null ? LlavaModel.IGNORE_INDEX : s.labels()[j]);
                    }
                }
                if (i < ids.length) {
                    NDArray features = imageFeatures.get(image++);
                    parts.add(features);
                    for (long j = 0; j < features.getShape().get(0); j++) {
                        labels.add(LlavaModel.IGNORE_INDEX);
                    }
                }
                start = i + 1;
            }
            NDArray row = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
            long[] rowLabels = labels.stream().mapToLong(Long::longValue).toArray();
            if (maxLength > 0 && row.getShape().get(0) > maxLength) {
                row = row.get(new NDIndex(":{}", maxLength));
                rowLabels = Arrays.copyOf(rowLabels, maxLength);
            }
            rows.add(row);
            labelRows.add(rowLabels);
        }
        int[] lengths = rows.stream().mapToInt(r -> (int) r.getShape().get(0)).toArray();
        int longest = Arrays.stream(lengths).max().orElse(0);
        boolean padded = Arrays.stream(lengths).anyMatch(l -> l != longest);
        long hidden = lm.config().hiddenSize();
        NDList padRows = new NDList();
        long[] labelData = new long[batch.size() * longest];
        long[] maskData = new long[batch.size() * longest];
        Arrays.fill(labelData, LlavaModel.IGNORE_INDEX);
        for (int b = 0; b < rows.size(); b++) {
            NDArray row = rows.get(b);
            if (lengths[b] < longest) {
                NDArray pad = m.zeros(new Shape(longest - lengths[b], hidden), row.getDataType());
                row = row.concat(pad, 0);
            }
            padRows.add(row.expandDims(0));
            System.arraycopy(labelRows.get(b), 0, labelData, b * longest, lengths[b]);
            Arrays.fill(maskData, b * longest, b * longest + lengths[b], 1L);
        }
        NDArray embeds = NDArrays.concat(padRows, 0);
        NDArray labels = anyLabels ? OwnedArrays.create(m, labelData).reshape(batch.size(), longest) : null;
        NDArray mask = padded ? OwnedArrays.create(m, maskData).reshape(batch.size(), longest) : null;
        return new MultimodalInputs(embeds, labels, mask, lengths);
    }

    /** Image count check: every placeholder needs an image and every image a placeholder. */
    static int countImages(List<LlavaSample> batch) {
        int total = 0;
        for (int b = 0; b < batch.size(); b++) {
            LlavaSample s = batch.get(b);
            if (s.placeholders() != s.images().size()) {
                throw new IllegalArgumentException("sample " + b + " has " + s.placeholders()
                        + " <image> placeholders (id -200) but " + s.images().size() + " images");
            }
            total += s.images().size();
        }
        return total;
    }
}
