package io.moslora.llava.tokenizer;

import java.nio.file.Path;

/** Public door to the fetched third-party tokenizers for tests in other packages. */
public final class RealTokenizers {
    private RealTokenizers() {}

    public static Path llama2Model() {
        return NpmTestMaterial.llama2Model();
    }

    public static Path llama3TokenizerJson() {
        return NpmTestMaterial.llama3TokenizerJson();
    }
}
