package io.moslora.engine.onnx;

/** A file that is not a well-formed ONNX protobuf; the message names the file and what is wrong. */
public class OnnxFormatException extends RuntimeException {
    public OnnxFormatException(String message) {
        super(message);
    }
}
