package io.moslora.engine;

/** A tensor operation the facade refuses or that libtorch rejected; always a Java exception, never a crash. */
public class EngineException extends RuntimeException {
    public EngineException(String message) {
        super(message);
    }
}
