package io.moslora.sdxl.single;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.moslora.cli.Cli;
import io.moslora.cli.UserError;
import io.moslora.io.SafetensorsFile;
import io.moslora.io.SafetensorsWriter;
import io.moslora.nn.Module;
import io.moslora.nn.Parameter;
import io.moslora.sdxl.cli.SdxlCommand;
import io.moslora.sdxl.model.SdxlModels;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiny SDXL (2 VAE levels, so the decoder's reversed level numbering shows) written as a diffusers folder and as
 * a single file; the single file read back must equal the folder tensor by tensor, bit for bit, and generate the
 * same pixels. A handful of keys are pinned by hand against the names of Stability's sd_xl_base_1.0 layout.
 */
class SdxlSingleFileTest {
    @TempDir
    static Path dir;
    static Path single;
    static Path folder;

    @BeforeAll
    static void writeBoth() {
        single = dir.resolve("tiny-sdxl.safetensors");
        folder = dir.resolve("tiny-diffusers");
        try (NDManager m = NDManager.newBaseManager()) {
            SdxlModels tiny = SdxlModels.tiny(0, m);
            tiny.save(folder);
            SdxlSingleFile.write(tiny, single, SafetensorsWriter.Progress.NONE);
        }
    }

    @Test
    void everyTensorEqualsTheDiffusersFolderBitForBit() {
        try (NDManager m = NDManager.newBaseManager()) {
            SdxlModels fromFolder = SdxlModels.load(folder, m, DataType.FLOAT32);
            SdxlModels fromFile = SdxlSingleFile.load(single, m, DataType.FLOAT32);
            assertThat(fromFile.config()).isEqualTo(fromFolder.config());
            assertSameParameters(fromFile.unet(), fromFolder.unet());
            assertSameParameters(fromFile.vae(), fromFolder.vae());
            assertSameParameters(fromFile.text().encoder1(), fromFolder.text().encoder1());
            assertSameParameters(fromFile.text().encoder2(), fromFolder.text().encoder2());
        }
    }

    @Test
    void anFp16PipelineRoundTripsInFp16() {
        Path half = dir.resolve("tiny-fp16.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            SdxlModels fp16 = SdxlModels.load(folder, m, DataType.FLOAT16);
            SdxlSingleFile.write(fp16, half, SafetensorsWriter.Progress.NONE);
            try (SafetensorsFile f = SafetensorsFile.open(half)) {
                assertThat(f.tensors()).allSatisfy(t -> assertThat(t.dtype()).isEqualTo(io.moslora.io.DType.F16));
            }
            SdxlModels back = SdxlSingleFile.load(half, m, DataType.FLOAT16);
            SdxlModels wide = SdxlSingleFile.load(half, m, DataType.FLOAT32);
            for (var pair : java.util.List.of(java.util.List.of(fp16.unet(), back.unet(), wide.unet()),
                    java.util.List.of(fp16.vae(), back.vae(), wide.vae()),
                    java.util.List.of(fp16.text().encoder2(), back.text().encoder2(), wide.text().encoder2()))) {
                Map<String, Parameter> e = pair.get(0).namedParameters();
                Map<String, Parameter> b = pair.get(1).namedParameters();
                Map<String, Parameter> w = pair.get(2).namedParameters();
                e.forEach((name, p) -> {
                    float[] expected = p.array().toType(DataType.FLOAT32, true).toFloatArray();
                    assertThat(b.get(name).array().getDataType()).isEqualTo(DataType.FLOAT16);
                    assertThat(b.get(name).array().toType(DataType.FLOAT32, true).toFloatArray()).as(name).isEqualTo(expected);
                    assertThat(w.get(name).array().toFloatArray()).as(name).isEqualTo(expected);
                });
            }
        }
    }

    private static void assertSameParameters(Module actual, Module expected) {
        Map<String, Parameter> a = actual.namedParameters();
        Map<String, Parameter> e = expected.namedParameters();
        assertThat(a.keySet()).isEqualTo(e.keySet());
        e.forEach((name, p) -> {
            assertThat(a.get(name).shape()).as(name).isEqualTo(p.shape());
            assertThat(a.get(name).array().toFloatArray()).as(name).isEqualTo(p.array().toFloatArray());
        });
    }

    @Test
    void keysAndStorageFollowStabilitysLayout() {
        try (NDManager m = NDManager.newBaseManager(); SafetensorsFile f = SafetensorsFile.open(single)) {
            SdxlModels d = SdxlModels.load(folder, m, DataType.FLOAT32);
            Map<String, Parameter> unet = d.unet().namedParameters();
            Map<String, Parameter> vae = d.vae().namedParameters();
            Map<String, Parameter> te1 = d.text().encoder1().namedParameters();
            Map<String, Parameter> te2 = d.text().encoder2().namedParameters();
            String u = "model.diffusion_model.";
            assertStored(f, u + "input_blocks.0.0.weight", unet.get("conv_in.weight"));
            assertStored(f, u + "out.0.weight", unet.get("conv_norm_out.weight"));
            assertStored(f, u + "out.2.weight", unet.get("conv_out.weight"));
            assertStored(f, u + "time_embed.0.weight", unet.get("time_embedding.linear_1.weight"));
            assertStored(f, u + "time_embed.2.bias", unet.get("time_embedding.linear_2.bias"));
            assertStored(f, u + "label_emb.0.0.weight", unet.get("add_embedding.linear_1.weight"));
            assertStored(f, u + "label_emb.0.2.weight", unet.get("add_embedding.linear_2.weight"));
            assertStored(f, u + "input_blocks.1.0.in_layers.2.weight", unet.get("down_blocks.0.resnets.0.conv1.weight"));
            assertStored(f, u + "input_blocks.1.0.emb_layers.1.weight", unet.get("down_blocks.0.resnets.0.time_emb_proj.weight"));
            assertStored(f, u + "middle_block.2.out_layers.3.weight", unet.get("mid_block.resnets.1.conv2.weight"));

            String v = "first_stage_model.";
            assertStored(f, v + "encoder.down.0.block.0.conv1.weight", vae.get("encoder.down_blocks.0.resnets.0.conv1.weight"));
            assertStored(f, v + "encoder.down.0.downsample.conv.weight", vae.get("encoder.down_blocks.0.downsamplers.0.conv.weight"));
            assertStored(f, v + "encoder.down.1.block.0.nin_shortcut.weight", vae.get("encoder.down_blocks.1.resnets.0.conv_shortcut.weight"));
            assertStored(f, v + "encoder.mid.block_2.norm2.bias", vae.get("encoder.mid_block.resnets.1.norm2.bias"));
            assertStored(f, v + "encoder.mid.attn_1.norm.weight", vae.get("encoder.mid_block.attentions.0.group_norm.weight"));
            assertStored(f, v + "encoder.mid.attn_1.proj_out.bias", vae.get("encoder.mid_block.attentions.0.to_out.0.bias"));
            assertStored(f, v + "encoder.norm_out.weight", vae.get("encoder.conv_norm_out.weight"));
            // diffusers runs the decoder's up blocks coarse to fine; LDM numbers them fine to coarse
            assertStored(f, v + "decoder.up.1.block.0.conv1.weight", vae.get("decoder.up_blocks.0.resnets.0.conv1.weight"));
            assertStored(f, v + "decoder.up.1.upsample.conv.weight", vae.get("decoder.up_blocks.0.upsamplers.0.conv.weight"));
            assertStored(f, v + "decoder.up.0.block.1.conv2.weight", vae.get("decoder.up_blocks.1.resnets.1.conv2.weight"));
            assertStored(f, v + "quant_conv.weight", vae.get("quant_conv.weight"));
            assertStored(f, v + "post_quant_conv.bias", vae.get("post_quant_conv.bias"));
            Parameter toQ = vae.get("encoder.mid_block.attentions.0.to_q.weight");
            long c = toQ.shape().get(0);
            assertThat(f.info(v + "encoder.mid.attn_1.q.weight").shape()).containsExactly(c, c, 1, 1);
            assertThat(f.readFloats(v + "encoder.mid.attn_1.q.weight")).isEqualTo(toQ.array().toFloatArray());
            assertThat(f.readFloats(v + "decoder.mid.attn_1.v.weight"))
                    .isEqualTo(vae.get("decoder.mid_block.attentions.0.to_v.weight").array().toFloatArray());

            String t1 = "conditioner.embedders.0.transformer.";
            assertStored(f, t1 + "text_model.encoder.layers.1.mlp.fc2.weight", te1.get("text_model.encoder.layers.1.mlp.fc2.weight"));
            assertStored(f, t1 + "text_model.final_layer_norm.bias", te1.get("text_model.final_layer_norm.bias"));

            String t2 = "conditioner.embedders.1.model.";
            assertStored(f, t2 + "token_embedding.weight", te2.get("text_model.embeddings.token_embedding.weight"));
            assertStored(f, t2 + "positional_embedding", te2.get("text_model.embeddings.position_embedding.weight"));
            assertStored(f, t2 + "transformer.resblocks.1.ln_1.weight", te2.get("text_model.encoder.layers.1.layer_norm1.weight"));
            assertStored(f, t2 + "transformer.resblocks.0.attn.out_proj.weight", te2.get("text_model.encoder.layers.0.self_attn.out_proj.weight"));
            assertStored(f, t2 + "transformer.resblocks.0.mlp.c_fc.bias", te2.get("text_model.encoder.layers.0.mlp.fc1.bias"));
            assertStored(f, t2 + "transformer.resblocks.0.mlp.c_proj.weight", te2.get("text_model.encoder.layers.0.mlp.fc2.weight"));
            assertStored(f, t2 + "ln_final.weight", te2.get("text_model.final_layer_norm.weight"));
            // q, k and v stacked row-wise in one in_proj tensor
            String layer = "text_model.encoder.layers.1.self_attn.";
            float[] q = te2.get(layer + "q_proj.weight").array().toFloatArray();
            float[] k = te2.get(layer + "k_proj.weight").array().toFloatArray();
            float[] vv = te2.get(layer + "v_proj.weight").array().toFloatArray();
            float[] packed = f.readFloats(t2 + "transformer.resblocks.1.attn.in_proj_weight");
            long h = te2.get(layer + "q_proj.weight").shape().get(0);
            assertThat(f.info(t2 + "transformer.resblocks.1.attn.in_proj_weight").shape()).containsExactly(3 * h, h);
            assertThat(java.util.Arrays.copyOfRange(packed, 0, q.length)).isEqualTo(q);
            assertThat(java.util.Arrays.copyOfRange(packed, q.length, 2 * q.length)).isEqualTo(k);
            assertThat(java.util.Arrays.copyOfRange(packed, 2 * q.length, 3 * q.length)).isEqualTo(vv);
            float[] bias = f.readFloats(t2 + "transformer.resblocks.1.attn.in_proj_bias");
            assertThat(java.util.Arrays.copyOfRange(bias, (int) h, (int) (2 * h)))
                    .isEqualTo(te2.get(layer + "k_proj.bias").array().toFloatArray());
            // text_projection is x @ P in OpenCLIP, a Linear (x @ Wᵀ) in HF: P = Wᵀ
            Parameter w = te2.get("text_projection.weight");
            long out = w.shape().get(0);
            long in = w.shape().get(1);
            assertThat(f.info(t2 + "text_projection").shape()).containsExactly(in, out);
            float[] wv = w.array().toFloatArray();
            float[] pv = f.readFloats(t2 + "text_projection");
            for (int i = 0; i < in; i++) {
                for (int o = 0; o < out; o++) {
                    assertThat(pv[(int) (i * out + o)]).isEqualTo(wv[(int) (o * in + i)]);
                }
            }
            long expectedKeys = unet.size() + vae.size() + te1.size() + te2.size() - 2L * d.text().encoder2().config().numHiddenLayers() * 2;
            assertThat(f.names()).hasSize((int) expectedKeys); // six q/k/v tensors per layer become two in_proj ones
        }
    }

    private static void assertStored(SafetensorsFile f, String key, Parameter p) {
        assertThat(p).as("our parameter for " + key).isNotNull();
        assertThat(f.info(key).shape()).as(key).containsExactly(p.shape().getShape());
        assertThat(f.readFloats(key)).as(key).isEqualTo(p.array().toFloatArray());
    }

    @Test
    void generationFromTheSingleFileGivesTheSamePixels() throws Exception {
        StringWriter err = new StringWriter();
        String[] common = {"generate", "--prompt", "a photo of ikat cat", "--steps", "2", "--width", "16",
                "--height", "16", "--seed", "7", "--no-progress"};
        assertThat(run(err, concat(common, "--model", "tiny", "--out", dir.resolve("gen-tiny").toString()))).as(err.toString()).isZero();
        assertThat(run(err, concat(common, "--model", single.toString(), "--out", dir.resolve("gen-single").toString())))
                .as(err.toString()).isZero();
        BufferedImage a = ImageIO.read(dir.resolve("gen-tiny/000.png").toFile());
        BufferedImage b = ImageIO.read(dir.resolve("gen-single/000.png").toFile());
        assertThat(b.getRGB(0, 0, 16, 16, null, 0, 16)).isEqualTo(a.getRGB(0, 0, 16, 16, null, 0, 16));
    }

    @Test
    void dreamBoothFromTheSingleFileTrainsTheSameAdapter() throws Exception {
        Path cat = io.moslora.io.SharedData.require("dreambooth/cat");
        String[] common = {"dreambooth", "--instance-dir", cat.toString(), "--resolution", "16", "--steps", "2",
                "--grad-accum", "1", "--adapter", "moslora", "--no-progress"};
        StringWriter err = new StringWriter();
        assertThat(run(err, concat(common, "--model", "tiny", "--out", dir.resolve("db-tiny").toString()))).as(err.toString()).isZero();
        assertThat(run(err, concat(common, "--model", single.toString(), "--out", dir.resolve("db-single").toString())))
                .as(err.toString()).isZero();
        byte[] a = java.nio.file.Files.readAllBytes(dir.resolve("db-tiny/adapter/adapter_model.safetensors"));
        byte[] b = java.nio.file.Files.readAllBytes(dir.resolve("db-single/adapter/adapter_model.safetensors"));
        assertThat(b).isEqualTo(a);
    }

    @Test
    void toSingleFileCommandWritesTheSameFileAsTheWriter() {
        StringWriter err = new StringWriter();
        Path fromFolder = dir.resolve("from-folder.safetensors");
        assertThat(run(err, "to-single-file", "--model", folder.toString(), "--out", fromFolder.toString(), "--no-progress"))
                .as(err.toString()).isZero();
        Path again = dir.resolve("from-single.safetensors");
        assertThat(run(err, "to-single-file", "--model", single.toString(), "--out", again.toString(), "--no-progress"))
                .as(err.toString()).isZero();
        try (SafetensorsFile a = SafetensorsFile.open(single); SafetensorsFile b = SafetensorsFile.open(fromFolder);
                SafetensorsFile c = SafetensorsFile.open(again)) {
            assertThat(b.names()).isEqualTo(a.names());
            assertThat(c.names()).isEqualTo(a.names());
            for (String name : a.names()) {
                assertThat(b.rawBytes(name)).as(name).isEqualTo(a.rawBytes(name));
                assertThat(c.rawBytes(name)).as(name).isEqualTo(a.rawBytes(name));
            }
        }
        StringWriter err2 = new StringWriter();
        assertThat(run(err2, "to-single-file", "--model", "tiny", "--out", dir.resolve("x.bin").toString())).isEqualTo(1);
        assertThat(err2.toString()).contains("x.bin");
    }

    @Test
    void anUnknownOrMissingKeyIsRefusedNamingFileAndKey() {
        Path extra = dir.resolve("extra.safetensors");
        Path missing = dir.resolve("missing.safetensors");
        String dropped = "first_stage_model.decoder.up.0.block.1.norm1.weight";
        try (SafetensorsFile f = SafetensorsFile.open(single)) {
            SafetensorsWriter withExtra = new SafetensorsWriter().putAllMetadata(f.metadata());
            SafetensorsWriter without = new SafetensorsWriter().putAllMetadata(f.metadata());
            for (String name : f.names()) {
                withExtra.copyFrom(f, name);
                if (!name.equals(dropped)) without.copyFrom(f, name);
            }
            withExtra.addFloats("model.diffusion_model.input_blocks.99.0.weight", new long[] {1}, new float[] {1},
                    io.moslora.io.DType.F32).write(extra);
            without.write(missing);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> SdxlSingleFile.load(extra, m, DataType.FLOAT32)).isInstanceOf(UserError.class)
                    .hasMessageContaining(extra.toString()).hasMessageContaining("model.diffusion_model.input_blocks.99.0.weight")
                    .hasMessageNotContaining("\n");
            assertThatThrownBy(() -> SdxlSingleFile.load(missing, m, DataType.FLOAT32)).isInstanceOf(UserError.class)
                    .hasMessageContaining(missing.toString()).hasMessageContaining(dropped)
                    .hasMessageContaining("decoder.up_blocks.1.resnets.1.norm1.weight").hasMessageNotContaining("\n");
            Path absent = dir.resolve("absent.safetensors");
            assertThatThrownBy(() -> SdxlSingleFile.load(absent, m, DataType.FLOAT32)).isInstanceOf(UserError.class)
                    .hasMessageContaining(absent.toString());
        }
    }

    private static int run(StringWriter err, String... args) {
        String[] all = new String[args.length];
        System.arraycopy(args, 0, all, 0, args.length);
        return Cli.run(new SdxlCommand(), new PrintWriter(new StringWriter()), new PrintWriter(err), all);
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
