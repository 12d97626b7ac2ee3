package io.moslora.sdxl.cli;

import ai.djl.ndarray.NDManager;
import io.moslora.adapters.LoraLinear;
import io.moslora.cli.UserError;
import io.moslora.nn.Module;
import io.moslora.sdxl.generate.GenerationSettings;
import io.moslora.sdxl.generate.PngFiles;
import io.moslora.sdxl.generate.SdxlGenerator;
import io.moslora.sdxl.lora.SdxlComponent;
import io.moslora.sdxl.lora.SdxlLora;
import io.moslora.sdxl.model.SdxlModels;
import io.moslora.sdxl.model.UNetQuantization;
import io.moslora.sdxl.prompts.DreamBoothPrompts;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code moslora sdxl generate}: PNGs with their settings in text chunks, a grid, the human-evaluation layout. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate images with SDXL (optionally with a trained adapter). With --prompts the images go to "
                + "{out}/{subject}/{prompt}/{NNN}.png, the layout the human-evaluation export reads.")
public final class GenerateCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--model", required = true, description = "A diffusers SDXL folder, a single-file SDXL checkpoint (FILE.safetensors, as A1111/ComfyUI use), or 'tiny'.")
    String model;

    @Option(names = "--lora", description = "An adapter: a PEFT folder written by 'sdxl dreambooth' (its adapter/ or lora/, "
            + "with text_encoder/ parts if trained), a diffusers pytorch_lora_weights.safetensors, or a kohya .safetensors "
            + "(SGM or diffusers UNet names).")
    Path lora;

    @Option(names = "--lora-scale", description = "Multiplies the adapter's update (diffusers' cross_attention_kwargs "
            + "scale): 0 = the base model exactly, 1 = as trained (default: 1.0).")
    Double loraScale;

    @Option(names = "--no-merge", description = "Keep the adapter separate while sampling instead of folding it into "
            + "the base weights (the default merges: each step then costs what the base costs; images equal up to float "
            + "rounding).")
    boolean noMerge;

    static final class Prompts {
        @Option(names = "--prompt", required = true, description = "One prompt.")
        String prompt;

        @Option(names = "--prompts", required = true, description = "A DreamBooth prompts file, or 'dreambooth' for the shipped 25 prompts.")
        String promptsFile;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Prompts prompts;

    @Option(names = "--subject", defaultValue = "cat", description = "With --prompts: the subject (default: ${DEFAULT-VALUE}).")
    String subject;

    @Option(names = "--token", defaultValue = "ikat", description = "With --prompts: the unique subject token (default: ${DEFAULT-VALUE}).")
    String token;

    @Option(names = "--negative-prompt", defaultValue = "", description = "Negative prompt (default: none, zero embeddings as SDXL).")
    String negativePrompt;

    @Option(names = "--steps", defaultValue = "50", description = "Denoising steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--guidance", defaultValue = "5.0", description = "Classifier-free guidance scale (default: ${DEFAULT-VALUE}).")
    double guidance;

    @Option(names = "--scheduler", defaultValue = "euler", description = "euler, ddim or dpmpp (default: ${DEFAULT-VALUE}).")
    String scheduler;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the first image; image k uses seed + k (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--width", defaultValue = "1024", description = "Width in pixels (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--height", defaultValue = "1024", description = "Height in pixels (default: ${DEFAULT-VALUE}).")
    int height;

    @Option(names = "--num-images", defaultValue = "1", description = "Images per prompt (default: ${DEFAULT-VALUE}).")
    int numImages;

    @Option(names = "--out", required = true, description = "Output folder.")
    Path out;

    @Option(names = "--quantize", defaultValue = "none", description = "none, or nf4: the UNet's Linear layers held as "
            + "4-bit NormalFloat (double quantization, blocks of 64) and dequantized on the fly, as in a "
            + "'sdxl dreambooth --quantize nf4' run (default: ${DEFAULT-VALUE}).")
    String quantize;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Override
    public Integer call() {
        if (steps <= 0 || numImages <= 0) throw new UserError("--steps and --num-images must be positive");
        if (width <= 0 || height <= 0) throw new UserError("--width and --height must be positive");
        if (loraScale != null && lora == null) throw new UserError("--lora-scale is only used with --lora; add --lora DIR or drop it");
        if (noMerge && lora == null) throw new UserError("--no-merge is only used with --lora; add --lora DIR or drop it");
        if (loraScale != null && !Double.isFinite(loraScale)) throw new UserError("--lora-scale must be a finite number, got " + loraScale);
        double scale = loraScale == null ? 1.0 : loraScale;
        UNetQuantization quantization = UNetQuantization.parse(quantize);
        if (!model.equals(SdxlModels.TINY) && !java.nio.file.Files.exists(Path.of(model))) {
            // before the progress bar starts, so the error is the only line
            throw new UserError(model + ": file not found (--model: a diffusers SDXL folder, a single-file checkpoint or 'tiny')");
        }
        Map<String, Path> jobs = new LinkedHashMap<>(); // prompt → its folder
        if (prompts.prompt != null) {
            jobs.put(prompts.prompt, out);
        } else {
            DreamBoothPrompts file = prompts.promptsFile.equals("dreambooth") ? DreamBoothPrompts.dreamBooth()
                    : DreamBoothPrompts.read(Path.of(prompts.promptsFile));
            for (String p : file.promptsFor(file.subject(subject), token)) {
                jobs.put(p, out.resolve(subject).resolve(folderName(p)));
            }
        }
        GenerationSettings base = new GenerationSettings(steps, guidance, scheduler, width, height, seed, negativePrompt);
        try (NDManager manager = NDManager.newBaseManager();
                ProgressBar bar = noProgress ? null : new ProgressBar("generate", (long) jobs.size() * numImages * steps)) {
            SdxlModels models = SdxlModels.open(model, manager, quantization);
            // a 4-bit UNet cannot take the update in place (QLoRA keeps it separate too); the text encoders stay dense
            boolean unetMergeable = quantization == UNetQuantization.NONE;
            if (lora != null) {
                try (SdxlLora adapter = SdxlLora.open(lora, models.config())) {
                    adapter.loadInto(models, manager);
                }
                // the scale reaches every adapted layer: the UNet's and, when trained, the text encoders'; merging
                // folds the scaled update into the base weights, so sampling runs at the base's speed (measured
                // unmerged: 1.3-1.7x slower per denoising step, see 'sdxl bench')
                for (SdxlComponent c : SdxlComponent.values()) {
                    Module network = c.module(models);
                    LoraLinear.setScaleEverywhere(network, scale);
                    if (!noMerge && (c != SdxlComponent.UNET || unetMergeable)) {
                        LoraLinear.mergeEverywhere(network);
                    }
                }
            }
            SdxlGenerator generator = new SdxlGenerator(models);
            List<BufferedImage> all = new ArrayList<>();
            for (Map.Entry<String, Path> job : jobs.entrySet()) {
                for (int k = 0; k < numImages; k++) {
                    GenerationSettings s = base.withSeed(seed + k);
                    BufferedImage image = generator.generate(job.getKey(), s, manager, i -> {
                        if (bar != null) bar.step();
                    });
                    Map<String, String> text = new LinkedHashMap<>();
                    text.put("prompt", job.getKey());
                    text.putAll(s.asText());
                    text.put("model", model);
                    if (quantization != UNetQuantization.NONE) text.put("quantize", quantization.optionValue());
                    if (lora != null) {
                        text.put("lora", lora.toString());
                        text.put("lora_scale", Double.toString(scale));
                        text.put("lora_merged", Boolean.toString(!noMerge && unetMergeable));
                    }
                    PngFiles.write(job.getValue().resolve(String.format(Locale.ROOT, "%03d.png", k)), image, text);
                    all.add(image);
                }
            }
            PngFiles.write(out.resolve("grid.png"), PngFiles.grid(all, Math.max(numImages, (int) Math.ceil(Math.sqrt(all.size())))),
                    Map.of("images", Integer.toString(all.size())));
        }
        spec.commandLine().getOut().printf("wrote %d image(s) and grid.png under %s%n", jobs.size() * numImages, out);
        return 0;
    }

    /** A prompt as a folder name: lower case, runs of anything but letters and digits become one '_'. */
    static String folderName(String prompt) {
        String s = prompt.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
        return s.isEmpty() ? "prompt" : s;
    }
}
