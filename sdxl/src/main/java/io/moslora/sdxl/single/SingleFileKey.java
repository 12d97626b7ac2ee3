package io.moslora.sdxl.single;

/** Where one of our parameters lies in a single-file checkpoint: the file's key and how it is stored there. */
public record SingleFileKey(String key, StoredAs storedAs) {
    static SingleFileKey same(String key) {
        return new SingleFileKey(key, StoredAs.SAME);
    }
}
