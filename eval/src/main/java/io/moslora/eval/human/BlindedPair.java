package io.moslora.eval.human;

/**
 * A pair as raters see it: an opaque id (its position on the page), and which side system A was put on. The side
 * is the secret that only the key file holds.
 */
public record BlindedPair(String id, ComparisonPair pair, Side sideOfA) {
    public java.nio.file.Path leftImage() {
        return sideOfA == Side.LEFT ? pair.imageA() : pair.imageB();
    }

    public java.nio.file.Path rightImage() {
        return sideOfA == Side.LEFT ? pair.imageB() : pair.imageA();
    }
}
