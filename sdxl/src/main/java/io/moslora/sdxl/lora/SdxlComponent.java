package io.moslora.sdxl.lora;

import io.moslora.nn.Module;
import io.moslora.sdxl.model.SdxlModels;

/**
 * The three SDXL networks a LoRA can adapt, with the names each file layout gives them: diffusers'
 * {@code save_lora_weights} prefixes ({@code unet.}, {@code text_encoder.}, {@code text_encoder_2.}), kohya's
 * ({@code lora_unet_}, {@code lora_te1_}, {@code lora_te2_}), and our PEFT layout (the UNet adapter in the folder
 * itself, each text encoder's in a subfolder named as its diffusers component).
 */
public enum SdxlComponent {
    UNET("unet", "lora_unet_", ""),
    TEXT_ENCODER("text_encoder", "lora_te1_", "text_encoder"),
    TEXT_ENCODER_2("text_encoder_2", "lora_te2_", "text_encoder_2");

    private final String diffusersName;
    private final String kohyaPrefix;
    private final String peftSubfolder;

    SdxlComponent(String diffusersName, String kohyaPrefix, String peftSubfolder) {
        this.diffusersName = diffusersName;
        this.kohyaPrefix = kohyaPrefix;
        this.peftSubfolder = peftSubfolder;
    }

    /** The component's name in a diffusers pipeline folder, and its key prefix (plus a dot) in diffusers' LoRA file. */
    public String diffusersName() {
        return diffusersName;
    }

    public String kohyaPrefix() {
        return kohyaPrefix;
    }

    /** Where its PEFT adapter lies below an adapter folder ("" = the folder itself). */
    public String peftSubfolder() {
        return peftSubfolder;
    }

    public Module module(SdxlModels models) {
        return switch (this) {
            case UNET -> models.unet();
            case TEXT_ENCODER -> models.text().encoder1();
            case TEXT_ENCODER_2 -> models.text().encoder2();
        };
    }
}
