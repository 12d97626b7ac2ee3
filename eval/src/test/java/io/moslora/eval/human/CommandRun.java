package io.moslora.eval.human;

import io.moslora.cli.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs {@code human-eval} in-process and keeps what it printed. */
record CommandRun(int code, String out, String err) {
    static CommandRun humanEval(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(new HumanEvalCommand(), new PrintWriter(out), new PrintWriter(err), args);
        return new CommandRun(code, out.toString(), err.toString());
    }

    /** The last line printed on stderr (the one-line error of a failed run). */
    String errorLine() {
        String[] lines = err.strip().split("\\R");
        return lines[lines.length - 1];
    }
}
