package io.moslora.llava.data;

/** A sample that cannot be trained on, and why; {@code index} is its position in the JSON array. */
public record BadSample(int index, String id, String reason) {
    @Override
    public String toString() {
        return "record " + index + " (id " + id + "): " + reason;
    }
}
