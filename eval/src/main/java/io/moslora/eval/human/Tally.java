package io.moslora.eval.human;

/** Counts of A's wins, ties and losses against B, and their shares in percent. */
public record Tally(int win, int tie, int loss) {
    public static final Tally EMPTY = new Tally(0, 0, 0);

    public Tally plus(Outcome o) {
        return switch (o) {
            case WIN -> new Tally(win + 1, tie, loss);
            case TIE -> new Tally(win, tie + 1, loss);
            case LOSS -> new Tally(win, tie, loss + 1);
        };
    }

    public int votes() {
        return win + tie + loss;
    }

    public double winPercent() {
        return percent(win);
    }

    public double tiePercent() {
        return percent(tie);
    }

    public double lossPercent() {
        return percent(loss);
    }

    /** The paper's Δ: win% − loss%, positive when A is preferred. */
    public double deltaPercent() {
        return percent(win - loss);
    }

    private double percent(int count) {
        return votes() == 0 ? Double.NaN : 100.0 * count / votes();
    }
}
