package io.moslora.cli;

/**
 * A problem with what the user gave us (a file, a field, a flag value). The launcher prints its message as one
 * line and exits with status 1; the message should name the file and the field and say what to do next.
 */
public class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
