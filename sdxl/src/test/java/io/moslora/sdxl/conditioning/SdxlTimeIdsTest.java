package io.moslora.sdxl.conditioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class SdxlTimeIdsTest {
    @Test
    void orderIsOriginalThenCropThenTargetEachHeightFirst() {
        // a 1536×1024 (H×W) photo, cropped at top 256, left 0, trained at 1024×1024
        SdxlTimeIds ids = new SdxlTimeIds(1536, 1024, 256, 0, 1024, 1024);
        assertThat(ids.values()).containsExactly(1536f, 1024f, 256f, 0f, 1024f, 1024f);
        assertThat(SdxlTimeIds.forGeneration(768, 1344).values()).containsExactly(768f, 1344f, 0f, 0f, 768f, 1344f);
    }

    @Test
    void arraysForTheGuidanceBatchAndForTrainingBatches() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray two = SdxlTimeIds.forGeneration(1024, 1024).toNDArray(m, 2);
            assertThat(two.getShape()).isEqualTo(new Shape(2, 6));
            assertThat(two.toFloatArray()).containsExactly(1024, 1024, 0, 0, 1024, 1024, 1024, 1024, 0, 0, 1024, 1024);
            NDArray batch = SdxlTimeIds.stack(m, List.of(new SdxlTimeIds(512, 640, 0, 64, 512, 512),
                    new SdxlTimeIds(1024, 1024, 0, 0, 512, 512)));
            assertThat(batch.toFloatArray()).containsExactly(512, 640, 0, 64, 512, 512, 1024, 1024, 0, 0, 512, 512);
        }
    }

    @Test
    void rejectsImpossibleSizes() {
        assertThatThrownBy(() -> new SdxlTimeIds(0, 1024, 0, 0, 1024, 1024)).hasMessageContaining("positive");
        assertThatThrownBy(() -> new SdxlTimeIds(1024, 1024, -1, 0, 1024, 1024)).hasMessageContaining("crop");
    }
}
