package io.moslora.llava.tokenizer;

import io.moslora.cli.UserError;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The piece table of a SentencePiece {@code tokenizer.model} (a protobuf {@code ModelProto}), read directly
 * because DJL's processor does not tell which pieces are control or user-defined symbols.
 */
public record SentencePieceModel(List<Piece> pieces) {

    /** SentencePiece's piece types ({@code sentencepiece_model.proto}). */
    public enum Type { NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE }

    public record Piece(String text, float score, Type type) {}

    public static SentencePieceModel parse(byte[] bytes, Path file) {
        List<Piece> pieces = new ArrayList<>();
        Reader r = new Reader(ByteBuffer.wrap(bytes), file);
        while (r.hasMore()) {
            long key = r.varint();
            int field = (int) (key >>> 3);
            int wire = (int) (key & 7);
            if (field == 1 && wire == 2) {
                pieces.add(readPiece(r.sub()));
            } else {
                r.skip(wire);
            }
        }
        if (pieces.isEmpty()) {
            throw new UserError(file + ": no pieces found; is this a SentencePiece tokenizer.model?");
        }
        return new SentencePieceModel(List.copyOf(pieces));
    }

    private static Piece readPiece(Reader r) {
        String text = "";
        float score = 0f;
        Type type = Type.NORMAL;
        while (r.hasMore()) {
            long key = r.varint();
            int field = (int) (key >>> 3);
            int wire = (int) (key & 7);
            if (field == 1 && wire == 2) {
                text = new String(r.bytes(), StandardCharsets.UTF_8);
            } else if (field == 2 && wire == 5) {
                score = r.buf.order(ByteOrder.LITTLE_ENDIAN).getFloat();
            } else if (field == 3 && wire == 0) {
                int t = (int) r.varint(); // enum values start at 1 (NORMAL)
                type = t >= 1 && t <= Type.values().length ? Type.values()[t - 1] : Type.NORMAL;
            } else {
                r.skip(wire);
            }
        }
        return new Piece(text, score, type);
    }

    /** Just enough protobuf: varints, length-delimited fields and skipping. */
    private static final class Reader {
        final ByteBuffer buf;
        final Path file;

        Reader(ByteBuffer buf, Path file) {
            this.buf = buf;
            this.file = file;
        }

        boolean hasMore() {
            return buf.hasRemaining();
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (!buf.hasRemaining()) {
                    throw corrupt();
                }
                byte b = buf.get();
                v |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw corrupt();
        }

        byte[] bytes() {
            int n = Math.toIntExact(varint());
            if (n < 0 || n > buf.remaining()) {
                throw corrupt();
            }
            byte[] out = new byte[n];
            buf.get(out);
            return out;
        }

        Reader sub() {
            return new Reader(ByteBuffer.wrap(bytes()), file);
        }

        void skip(int wire) {
            switch (wire) {
                case 0 -> varint();
                case 1 -> advance(8);
                case 2 -> bytes();
                case 5 -> advance(4);
                default -> throw corrupt();
            }
        }

        private void advance(int n) {
            if (n > buf.remaining()) {
                throw corrupt();
            }
            buf.position(buf.position() + n);
        }

        private UserError corrupt() {
            return new UserError(file + ": truncated or corrupt SentencePiece model protobuf");
        }
    }
}
