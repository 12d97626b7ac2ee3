package io.moslora.llava.data;

/** One message of a LLaVA conversation: {@code from} human or gpt, and its text. */
public record Turn(Role role, String text) {
    public enum Role {
        HUMAN("human"), GPT("gpt");

        private final String jsonName;

        Role(String jsonName) {
            this.jsonName = jsonName;
        }

        public String jsonName() {
            return jsonName;
        }
    }

    public static Turn human(String text) {
        return new Turn(Role.HUMAN, text);
    }

    public static Turn gpt(String text) {
        return new Turn(Role.GPT, text);
    }
}
