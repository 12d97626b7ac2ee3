package io.moslora.quant;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A one-node ONNX model {@code Y = com.microsoft::MatMulBnb4(A, B, absmax)} with our packed codes and absmax as
 * initializers, encoded by hand (field numbers from onnx.proto). The op dequantizes B as the row-major
 * {@code [N, K]} weight (PyTorch's Linear layout, blocks over the flattened weight, even element in the high
 * nibble) and computes {@code A[M, K] x B^T}.
 */
final class MatMulBnb4Model {
    private static final int FLOAT = 1;
    private static final int UINT8 = 2;
    private static final int ATTRIBUTE_INT = 2;

    private MatMulBnb4Model() {}

    static byte[] build(int m, int k, int n, QuantState s) {
        float[] absmax = s.blockAbsmax();
        ByteBuffer absmaxBytes = ByteBuffer.allocate(absmax.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        absmaxBytes.asFloatBuffer().put(absmax);

        ProtoWriter node = new ProtoWriter()
                .string(1, "A").string(1, "B").string(1, "absmax")
                .string(2, "Y")
                .string(3, "bnb4")
                .string(4, "MatMulBnb4")
                .string(7, "com.microsoft")
                .message(5, intAttribute("K", k))
                .message(5, intAttribute("N", n))
                .message(5, intAttribute("block_size", s.blocksize()))
                .message(5, intAttribute("quant_type", s.type().onnxQuantType()));
        ProtoWriter graph = new ProtoWriter()
                .message(1, node)
                .string(2, "matmul_bnb4")
                .message(5, tensor("B", UINT8, s.packed(), s.packed().length))
                .message(5, tensor("absmax", FLOAT, absmaxBytes.array(), absmax.length))
                .message(11, valueInfo("A", m, k))
                .message(12, valueInfo("Y", m, n));
        return new ProtoWriter()
                .varint(1, 8) // ir_version
                .string(2, "moslora-quant-test")
                .message(8, new ProtoWriter().string(1, "").varint(2, 17))
                .message(8, new ProtoWriter().string(1, "com.microsoft").varint(2, 1))
                .message(7, graph)
                .toByteArray();
    }

    private static ProtoWriter intAttribute(String name, long value) {
        return new ProtoWriter().string(1, name).varint(3, value).varint(20, ATTRIBUTE_INT);
    }

    private static ProtoWriter tensor(String name, int dataType, byte[] raw, long... dims) {
        ProtoWriter t = new ProtoWriter();
        for (long d : dims) {
            t.varint(1, d);
        }
        return t.varint(2, dataType).string(8, name).bytes(9, raw);
    }

    private static ProtoWriter valueInfo(String name, long... dims) {
        ProtoWriter shape = new ProtoWriter();
        for (long d : dims) {
            shape.message(1, new ProtoWriter().varint(1, d));
        }
        ProtoWriter tensorType = new ProtoWriter().varint(1, FLOAT).message(2, shape);
        return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
    }
}
