package io.moslora.llava.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.adapters.cli.ParamsCommand;
import io.moslora.cli.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Parameter counts of real architectures built shape-only from their published config.json files. */
class ParamsCommandTest {
    static final Path CONFIGS = Path.of("../shared-adapters/src/test/resources/configs");

    static JsonNode params(String... args) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(new ParamsCommand(), new PrintWriter(out), new PrintWriter(err), args);
        assertThat(code).as(err.toString()).isZero();
        return new ObjectMapper().readTree(out.toString());
    }

    @Test
    void llama3EightBillionMatchesPyTorchsCount() throws Exception {
        // sum(p.numel() for p in LlamaForCausalLM(config).parameters()) for Meta-Llama-3-8B-Instruct
        JsonNode j = params("--config", CONFIGS.resolve("Meta-Llama-3-8B-Instruct/config.json").toString(), "--json");
        assertThat(j.get("base_params").asLong()).isEqualTo(8_030_261_248L);
    }

    @Test
    void internLm2SevenBillionMatchesPyTorchsCount() throws Exception {
        // 32 layers × (wqkv 48·128·4096 + wo 4096² + 3·4096·14336 + 2·4096) + 2·92544·4096 + 4096
        JsonNode j = params("--config", CONFIGS.resolve("internlm2-chat-7b/config.json").toString(), "--json");
        assertThat(j.get("base_params").asLong()).isEqualTo(7_737_708_544L);
    }

    @Test
    void llava15SevenBillionMatchesPyTorchsCount() throws Exception {
        // Vicuna-7B with 32064 tokens: 32 × (4·4096² + 3·4096·11008 + 2·4096) + 2·32064·4096 + 4096 = 6,738,939,904;
        // CLIP ViT-L/14-336 tower 303,507,456 (see ClipVisionTowerTest); projector 1024·4096 + 4096 + 4096² + 4096
        long llm = 32L * (4L * 4096 * 4096 + 3L * 4096 * 11008 + 2 * 4096) + 2L * 32064 * 4096 + 4096;
        long projector = 1024L * 4096 + 4096 + 4096L * 4096 + 4096;
        assertThat(llm + 303_507_456L + projector).isEqualTo(7_063_427_072L);
        JsonNode j = params("--config", CONFIGS.resolve("llava-1.5-7b-hf/config.json").toString(), "--json");
        assertThat(j.get("base_params").asLong()).isEqualTo(7_063_427_072L);
    }

    @Test
    void clipVisionTowerOfViTLarge336MatchesPyTorchsCount(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        // the fixture is a full CLIPModel; CLIPVisionModel is its vision_config on its own
        JsonNode full = new ObjectMapper().readTree(CONFIGS.resolve("clip-vit-large-patch14-336/config.json").toFile());
        java.nio.file.Files.writeString(dir.resolve("config.json"), full.get("vision_config").toString());
        JsonNode j = params("--config", dir.toString(), "--json");
        assertThat(j.get("base_params").asLong()).isEqualTo(303_507_456L);
    }

    @Test
    void loraOnQueryAndValueOfLlama3MatchesPeftsTrainableCount() throws Exception {
        // PEFT: r·(in+out) per target; q: 8·(4096+4096), v: 8·(4096+1024), 32 layers
        JsonNode j = params("--config", CONFIGS.resolve("Meta-Llama-3-8B-Instruct/config.json").toString(),
                "--adapter", "lora", "--rank", "8", "--targets", "q_proj,v_proj", "--json");
        assertThat(j.get("adapter_params").asLong()).isEqualTo(32L * (8 * 8192 + 8 * 5120));
        assertThat(j.get("trainable_params").asLong()).isEqualTo(j.get("adapter_params").asLong());
        JsonNode mos = params("--config", CONFIGS.resolve("Meta-Llama-3-8B-Instruct/config.json").toString(),
                "--adapter", "moslora", "--rank", "8", "--targets", "q_proj,v_proj", "--json");
        assertThat(mos.get("adapter_params").asLong()).isEqualTo(j.get("adapter_params").asLong() + 64L * 64);
    }

    @Test
    void unknownAdapterKindIsAUsageError() {
        int code = Cli.run(new ParamsCommand(), new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                "--config", CONFIGS.resolve("internlm2-chat-7b/config.json").toString(), "--adapter", "dora");
        assertThat(code).isEqualTo(Cli.USAGE);
    }
}
