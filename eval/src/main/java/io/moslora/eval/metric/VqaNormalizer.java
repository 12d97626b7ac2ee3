package io.moslora.eval.metric;

import io.moslora.eval.text.PyText;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The VQA answer normalisation VLMEvalKit applies before comparing a prediction with the human answers
 * (punctuation, number words, articles, contractions), including its quirks, so our TextVQA numbers equal theirs.
 */
public final class VqaNormalizer {
    private static final String[] PUNCTUATION = {
        ";", "/", "[", "]", "\"", "{", "}", "(", ")", "=", "+", "\\", "_", "-", ">", "<", "@", "`", ",", "?", "!"
    };
    private static final Pattern COMMA_BETWEEN_DIGITS = Pattern.compile("(\\d)(,)(\\d)", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern LONE_PERIOD = Pattern.compile("(?<!\\d)\\.(?!\\d)", Pattern.UNICODE_CHARACTER_CLASS);
    /**
     * The reference passes {@code re.UNICODE} (= 32) where {@code re.sub} expects its count argument, so at most
     * 32 periods are removed. Kept on purpose: it is what the published numbers were computed with.
     */
    private static final int PERIOD_REMOVAL_LIMIT = 32;

    private static final List<String> ARTICLES = List.of("a", "an", "the");
    private static final Map<String, String> NUMBER_WORDS = Map.ofEntries(
            Map.entry("none", "0"), Map.entry("zero", "0"), Map.entry("one", "1"), Map.entry("two", "2"),
            Map.entry("three", "3"), Map.entry("four", "4"), Map.entry("five", "5"), Map.entry("six", "6"),
            Map.entry("seven", "7"), Map.entry("eight", "8"), Map.entry("nine", "9"), Map.entry("ten", "10"));
    private static final Map<String, String> CONTRACTIONS = pairs(
            // The standard VQA evaluation table (apostrophe-less spellings to their written form).
            "aint", "ain't",
            "arent", "aren't",
            "cant", "can't",
            "couldve", "could've",
            "couldnt", "couldn't",
            "couldn'tve", "couldn't've",
            "couldnt've", "couldn't've",
            "didnt", "didn't",
            "doesnt", "doesn't",
            "dont", "don't",
            "hadnt", "hadn't",
            "hadnt've", "hadn't've",
            "hadn'tve", "hadn't've",
            "hasnt", "hasn't",
            "havent", "haven't",
            "hed", "he'd",
            "hed've", "he'd've",
            "he'dve", "he'd've",
            "hes", "he's",
            "howd", "how'd",
            "howll", "how'll",
            "hows", "how's",
            "Id've", "I'd've",
            "I'dve", "I'd've",
            "Im", "I'm",
            "Ive", "I've",
            "isnt", "isn't",
            "itd", "it'd",
            "itd've", "it'd've",
            "it'dve", "it'd've",
            "itll", "it'll",
            "let's", "let's",
            "maam", "ma'am",
            "mightnt", "mightn't",
            "mightnt've", "mightn't've",
            "mightn'tve", "mightn't've",
            "mightve", "might've",
            "mustnt", "mustn't",
            "mustve", "must've",
            "neednt", "needn't",
            "notve", "not've",
            "oclock", "o'clock",
            "oughtnt", "oughtn't",
            "ow's'at", "'ow's'at",
            "'ows'at", "'ow's'at",
            "'ow'sat", "'ow's'at",
            "shant", "shan't",
            "shed've", "she'd've",
            "she'dve", "she'd've",
            "she's", "she's",
            "shouldve", "should've",
            "shouldnt", "shouldn't",
            "shouldnt've", "shouldn't've",
            "shouldn'tve", "shouldn't've",
            "somebody'd", "somebodyd",
            "somebodyd've", "somebody'd've",
            "somebody'dve", "somebody'd've",
            "somebodyll", "somebody'll",
            "somebodys", "somebody's",
            "someoned", "someone'd",
            "someoned've", "someone'd've",
            "someone'dve", "someone'd've",
            "someonell", "someone'll",
            "someones", "someone's",
            "somethingd", "something'd",
            "somethingd've", "something'd've",
            "something'dve", "something'd've",
            "somethingll", "something'll",
            "thats", "that's",
            "thered", "there'd",
            "thered've", "there'd've",
            "there'dve", "there'd've",
            "therere", "there're",
            "theres", "there's",
            "theyd", "they'd",
            "theyd've", "they'd've",
            "they'dve", "they'd've",
            "theyll", "they'll",
            "theyre", "they're",
            "theyve", "they've",
            "twas", "'twas",
            "wasnt", "wasn't",
            "wed've", "we'd've",
            "we'dve", "we'd've",
            "weve", "we've",
            "werent", "weren't",
            "whatll", "what'll",
            "whatre", "what're",
            "whats", "what's",
            "whatve", "what've",
            "whens", "when's",
            "whered", "where'd",
            "wheres", "where's",
            "whereve", "where've",
            "whod", "who'd",
            "whod've", "who'd've",
            "who'dve", "who'd've",
            "wholl", "who'll",
            "whos", "who's",
            "whove", "who've",
            "whyll", "why'll",
            "whyre", "why're",
            "whys", "why's",
            "wont", "won't",
            "wouldve", "would've",
            "wouldnt", "wouldn't",
            "wouldnt've", "wouldn't've",
            "wouldn'tve", "wouldn't've",
            "yall", "y'all",
            "yall'll", "y'all'll",
            "y'allll", "y'all'll",
            "yall'd've", "y'all'd've",
            "y'alld've", "y'all'd've",
            "y'all'dve", "y'all'd've",
            "youd", "you'd",
            "youd've", "you'd've",
            "you'dve", "you'd've",
            "youll", "you'll",
            "youre", "you're",
            "youve", "you've");

    private VqaNormalizer() {}

    /** {@code process_answer}: the full normalisation of one answer or prediction. */
    public static String normalize(String answer) {
        String a = PyText.strip(answer.replace('\n', ' ').replace('\t', ' '));
        return digitsAndArticles(processPunctuation(a));
    }

    /** {@code process_punctuation}: removes or spaces out punctuation, drops periods that are not decimals. */
    public static String processPunctuation(String in) {
        String out = in;
        boolean digitComma = COMMA_BETWEEN_DIGITS.matcher(in).find();
        for (String p : PUNCTUATION) {
            if (in.contains(p + " ") || in.contains(" " + p) || digitComma) {
                out = out.replace(p, "");
            } else {
                out = out.replace(p, " ");
            }
        }
        Matcher m = LONE_PERIOD.matcher(out);
        StringBuilder b = new StringBuilder();
        int removed = 0;
        while (removed < PERIOD_REMOVAL_LIMIT && m.find()) {
            m.appendReplacement(b, "");
            removed++;
        }
        m.appendTail(b);
        return b.toString();
    }

    /** {@code _process_digit_article}: lower-case, number words to digits, drop articles, restore contractions. */
    public static String digitsAndArticles(String in) {
        List<String> words = new ArrayList<>();
        for (String w : PyText.split(PyText.lower(in))) {
            String word = NUMBER_WORDS.getOrDefault(w, w);
            if (!ARTICLES.contains(word)) {
                words.add(word);
            }
        }
        words.replaceAll(w -> CONTRACTIONS.getOrDefault(w, w));
        return String.join(" ", words);
    }

    private static Map<String, String> pairs(String... kv) {
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return Map.copyOf(m);
    }
}
