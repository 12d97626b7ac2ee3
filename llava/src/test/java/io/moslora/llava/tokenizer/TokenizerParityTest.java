package io.moslora.llava.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Our tokenizers against real tokenizer files and the test vectors their JavaScript ports' authors wrote. */
class TokenizerParityTest {

    @Test
    void llama2SentencePieceMatchesLlamaTokenizerJsVectors() {
        List<NpmTestMaterial.Vector> vectors = NpmTestMaterial.vectors(
                NpmTestMaterial.unpacked(NpmTestMaterial.LLAMA2_VECTORS).resolve("llama-tokenizer.js"), "testCase");
        assertThat(vectors).hasSizeGreaterThanOrEqualTo(12);
        try (SentencePieceTokenizer tok = SentencePieceTokenizer.load(NpmTestMaterial.llama2Model(), java.util.Optional.empty())) {
            assertThat(tok.vocabSize()).isEqualTo(32000);
            assertThat(tok.bosId()).isEqualTo(1);
            assertThat(tok.eosId()).isEqualTo(2);
            for (NpmTestMaterial.Vector v : vectors) {
                assertThat(tok.encodeWithBos(v.text())).as(v.text()).containsExactly(v.ids());
                assertThat(tok.decode(v.ids(), true)).as("decode " + Arrays.toString(v.ids())).isEqualTo(v.text());
            }
        }
    }

    @Test
    void llama2SpecialTokenStringsBecomeIdsAndLegacyDecidesThePrefixSpace() {
        try (SentencePieceTokenizer legacy = SentencePieceTokenizer.load(NpmTestMaterial.llama2Model(), java.util.Optional.empty())) {
            assertThat(legacy.tokenId("</s>")).isEqualTo(2);
            assertThat(legacy.tokenId("▁")).isEqualTo(29871);
            assertThat(legacy.tokenId("<unk>")).isEqualTo(0);
            assertThat(legacy.tokenId("no-such-piece")).isEqualTo(-1);
            // legacy (HF default): every chunk after a special token gets SentencePiece's dummy prefix "▁"
            assertThat(legacy.encode("a</s>grabbed")).containsExactly(263, 2, 2646, 1327, 287);
        }
    }

    @Test
    void llama3TokenizerJsonMatchesLlama3TokenizerJsVectors() {
        List<NpmTestMaterial.Vector> vectors = NpmTestMaterial.vectors(
                NpmTestMaterial.unpacked(NpmTestMaterial.LLAMA3_VECTORS).resolve("src/llama3-tokenizer.js"),
                "testEncodeAndDecode");
        assertThat(vectors).hasSizeGreaterThanOrEqualTo(12);
        try (HfJsonTokenizer tok = HfJsonTokenizer.load(NpmTestMaterial.llama3TokenizerJson())) {
            assertThat(tok.bosId()).isEqualTo(128000);
            assertThat(tok.eosId()).isEqualTo(128001);
            assertThat(tok.tokenId("<|eot_id|>")).isEqualTo(128009);
            // The vectors target Llama 3.1, whose <|eom_id|> (128008) is a reserved token in Llama 3's file.
            assertThat(tok.tokenId("<|eom_id|>")).isEqualTo(-1);
            List<NpmTestMaterial.Vector> llama3 = vectors.stream().filter(v -> !v.text().contains("<|eom_id|>")).toList();
            assertThat(llama3).hasSize(vectors.size() - 1);
            for (NpmTestMaterial.Vector v : llama3) {
                assertThat(tok.encode(v.text())).as(v.text()).containsExactly(v.ids());
                assertThat(tok.decode(v.ids(), false)).isEqualTo(v.text());
            }
            // Meta's first Llama-3 tokenizer.json has no BOS post-processor, so tokenizer(text) adds none, as in
            // transformers; XTuner's encode_fn adds bos_token_id itself.
            assertThat(tok.encodeWithBos("grabbed")).containsExactly(59312, 2788);
            assertThat(tok.encode("grabbed<|eot_id|>")).containsExactly(59312, 2788, 128009);
            // no truncation at DJL's default 512
            assertThat(tok.encode("hello ".repeat(1000))).hasSizeGreaterThan(999);
        }
    }
}
