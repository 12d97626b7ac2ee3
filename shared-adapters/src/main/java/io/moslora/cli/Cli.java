package io.moslora.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Runs a picocli command with the project's exit-code contract: 0 ok, 1 user error (one line on stderr),
 * 2 usage error. Used by the launcher's main and by tests that drive commands in-process.
 */
public final class Cli {
    public static final int OK = 0;
    public static final int USER_ERROR = 1;
    public static final int USAGE = 2;

    private Cli() {}

    public static CommandLine commandLine(Object command, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(command);
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((ex, line, parseResult) -> {
            Throwable t = ex;
            while (t != null && !(t instanceof UserError) && t.getCause() != null && t.getCause() != t) {
                t = t.getCause();
            }
            if (t instanceof UserError) {
                line.getErr().println("error: " + t.getMessage());
                line.getErr().flush();
                return USER_ERROR;
            }
            throw ex;
        });
        return cl;
    }

    /** Executes {@code command} with {@code args}; never calls System.exit. */
    public static int run(Object command, PrintWriter out, PrintWriter err, String... args) {
        int code = commandLine(command, out, err).execute(args);
        out.flush();
        err.flush();
        return code;
    }
}
