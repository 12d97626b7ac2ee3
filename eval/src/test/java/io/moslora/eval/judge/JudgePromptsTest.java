package io.moslora.eval.judge;

import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.eval.commonsense.AlpacaPrompt;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Prompts byte for byte: each golden SHA-256 (and length in code points) was computed by running the reference
 * Python function (VLMEvalKit's build_prompt / build_prompt_cn / YOrN_match_prompt / build_mathvista_gpt4_prompt /
 * build_mmvet_gpt4_prompt, LLM-Adapters' generate_prompt) on the same inputs.
 */
class JudgePromptsTest {
    static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    static void assertSameAsReference(String prompt, String sha, int codePoints) throws Exception {
        assertThat(prompt.codePointCount(0, prompt.length())).isEqualTo(codePoints);
        assertThat(sha256(prompt)).isEqualTo(sha);
    }

    private static String twoOptions() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("A", "cat");
        c.put("B", "dog");
        return JudgePrompts.optionList(c);
    }

    @Test
    void optionMatchingPrompts() throws Exception {
        assertThat(twoOptions()).isEqualTo("There are several options: \nA. cat\nB. dog\n");
        assertSameAsReference(JudgePrompts.optionMatch("What is this", twoOptions(), "a kitten"),
                "64536cf321f2a286441bf3f3c7e55adf3d427a9e94a50cd0b589b2deb5dd1745", 820);
        assertSameAsReference(JudgePrompts.optionMatchChinese("这是什么", twoOptions(), "小猫"),
                "93fb01f705b91e6ae338d5f712f0502ac6721c946657accd451e041c987bb652", 340);
    }

    @Test
    void yesNoMathVistaMmVetPrompts() throws Exception {
        assertSameAsReference(JudgePrompts.yesNoMatch("Is it red", "maybe"),
                "0919ef6bba5c379e0af447b2b260d2192b9d4085504520e3b77d5a4d3f0da20f", 717);
        assertSameAsReference(JudgePrompts.mathVistaExtraction("Hint: x\nQuestion: y", "It is 3."),
                "cbfb0ace64b685b3b80878694b7e3523ba60d86e57b3b9900b63ad5f08549916", 1770);
        assertSameAsReference(JudgePrompts.mmVetGrading("What is x?", "1<AND>2<OR>3", "x = 1"),
                "68953785b63b1c9be25fa776a2d70d3403d9a5bd3deb4c9c1f46eff4bb4609d8", 2332);
    }

    @Test
    void alpacaPromptOfLlmAdapters() throws Exception {
        String p = AlpacaPrompt.build("Please answer true or false: is water wet?");
        String sixteen = " ".repeat(16);
        assertThat(p).isEqualTo("Below is an instruction that describes a task. Write a response that appropriately "
                + "completes the request. \n\n" + sixteen + "### Instruction:\n" + sixteen
                + "Please answer true or false: is water wet?\n\n" + sixteen + "### Response:\n" + sixteen);
        assertSameAsReference(p, "c71611b4456d761a345680d92c495ea5c9c37a69af91d26b7f5099bdb8d08b90", 247);
        assertSameAsReference(AlpacaPrompt.build("Add", "two numbers"),
                "edaf3723abca11112bae5fc5753c0c4a891853c4924f88d5f00e6107651d80e4", 315);
    }
}
