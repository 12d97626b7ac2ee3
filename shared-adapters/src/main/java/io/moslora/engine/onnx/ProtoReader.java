package io.moslora.engine.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Minimal protobuf wire-format cursor: varints, fixed-width fields and length-delimited slices. */
final class ProtoReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final ByteBuffer buf;
    private final String source;

    ProtoReader(ByteBuffer buf, String source) {
        this.buf = buf.slice().order(ByteOrder.LITTLE_ENDIAN);
        this.source = source;
    }

    boolean hasMore() {
        return buf.hasRemaining();
    }

    /** Reads a field key; returns {field number, wire type}. */
    int[] key() {
        long k = varint();
        return new int[] {(int) (k >>> 3), (int) (k & 7)};
    }

    long varint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            need(1);
            byte b = buf.get();
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new OnnxFormatException(source + ": malformed varint at byte " + buf.position());
    }

    int fixed32() {
        need(4);
        return buf.getInt();
    }

    long fixed64() {
        need(8);
        return buf.getLong();
    }

    /** The next length-delimited payload, little-endian. */
    ByteBuffer bytes() {
        long len = varint();
        if (len < 0 || len > buf.remaining()) {
            throw new OnnxFormatException(source + ": field length " + len + " runs past the end");
        }
        ByteBuffer slice = buf.slice().order(ByteOrder.LITTLE_ENDIAN);
        slice.limit((int) len);
        buf.position(buf.position() + (int) len);
        return slice;
    }

    void skip(int wireType) {
        switch (wireType) {
            case VARINT -> varint();
            case FIXED64 -> fixed64();
            case LENGTH_DELIMITED -> bytes();
            case FIXED32 -> fixed32();
            default -> throw new OnnxFormatException(source + ": unsupported wire type " + wireType);
        }
    }

    private void need(int n) {
        if (buf.remaining() < n) {
            throw new OnnxFormatException(source + ": truncated protobuf");
        }
    }
}
