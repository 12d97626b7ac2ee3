package io.moslora.io;

import java.util.Optional;

/** The element types a safetensors file can hold, with the name the format spells them by and their width. */
public enum DType {
    F64("F64", 8, true),
    F32("F32", 4, true),
    F16("F16", 2, true),
    BF16("BF16", 2, true),
    I64("I64", 8, false),
    I32("I32", 4, false),
    I16("I16", 2, false),
    I8("I8", 1, false),
    U8("U8", 1, false),
    BOOL("BOOL", 1, false);

    private final String safetensorsName;
    private final int byteSize;
    private final boolean floatingPoint;

    DType(String safetensorsName, int byteSize, boolean floatingPoint) {
        this.safetensorsName = safetensorsName;
        this.byteSize = byteSize;
        this.floatingPoint = floatingPoint;
    }

    /** The exact string used in a safetensors header ({@code "BF16"}). */
    public String safetensorsName() {
        return safetensorsName;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** The dtype a header string names, or empty for a name this reader does not know (e.g. F8_E4M3). */
    public static Optional<DType> fromSafetensorsName(String name) {
        for (DType d : values()) {
            if (d.safetensorsName.equals(name)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /** Every supported name, for error messages that tell the user what would have been accepted. */
    public static String supportedNames() {
        StringBuilder sb = new StringBuilder();
        for (DType d : values()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(d.safetensorsName);
        }
        return sb.toString();
    }
}
