package io.moslora.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One safetensors file, opened for lazy reading: the header is parsed and validated on open, and each tensor's
 * byte range is memory-mapped only when it is read, so multi-GB checkpoints cost no heap and files over 2 GiB
 * work (a single tensor must stay under 2 GiB, the limit of one Java buffer).
 *
 * <p>Layout: 8 bytes little-endian header length N, N bytes of UTF-8 JSON, then the data section; the header's
 * {@code data_offsets} are relative to the start of the data section.
 *
 * <p>Reads are safe from several threads at once (positional reads and mappings only; no shared cursor).
 */
public final class SafetensorsFile implements TensorReader {
    /** The reference implementation refuses headers above 100 MB; so do we, before allocating anything. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** The largest byte range one Java buffer can hold. */
    public static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE - 8;

    private final Path file;
    private final FileChannel channel;
    private final SafetensorsHeader header;
    private final long dataStart;
    private final List<String> names;
    private volatile boolean closed;

    private SafetensorsFile(Path file, FileChannel channel, SafetensorsHeader header, long dataStart) {
        this.file = file;
        this.channel = channel;
        this.header = header;
        this.dataStart = dataStart;
        List<String> n = new ArrayList<>(header.tensors().size());
        for (TensorInfo t : header.tensors()) {
            n.add(t.name());
        }
        this.names = Collections.unmodifiableList(n);
    }

    /** Opens and validates {@code file}; a {@link SafetensorsException} names the file and the problem. */
    public static SafetensorsFile open(Path file) {
        if (!Files.exists(file)) {
            throw new SafetensorsException(file, "file not found");
        }
        if (!Files.isRegularFile(file)) {
            throw new SafetensorsException(file, "not a regular file");
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new SafetensorsException(file, "cannot open: " + e.getMessage(), e);
        }
        try {
            SafetensorsFile opened = readHeader(file, channel);
            channel = null; // now owned by the SafetensorsFile
            return opened;
        } finally {
            if (channel != null) {
                closeQuietly(channel);
            }
        }
    }

    private static SafetensorsFile readHeader(Path file, FileChannel channel) {
        try {
            long size = channel.size();
            if (size < 8) {
                throw new SafetensorsException(file, "file is " + size
                        + " bytes, shorter than the 8-byte header length every safetensors file starts with");
            }
            ByteBuffer lengthBytes = readFully(file, channel, 0, 8);
            long headerLength = lengthBytes.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            if (headerLength < 0 || headerLength > size - 8) {
                throw new SafetensorsException(file, "header length " + Long.toUnsignedString(headerLength)
                        + " reaches beyond the end of the file (" + size + " bytes); not a safetensors file or truncated");
            }
            if (headerLength > MAX_HEADER_BYTES) {
                throw new SafetensorsException(file, "header length " + headerLength + " exceeds the limit of "
                        + MAX_HEADER_BYTES + " bytes; not a safetensors file");
            }
            ByteBuffer headerBuffer = readFully(file, channel, 8, (int) headerLength);
            byte[] headerBytes = new byte[(int) headerLength];
            headerBuffer.get(headerBytes);
            long dataStart = 8 + headerLength;
            SafetensorsHeader header = SafetensorsHeader.parse(file, headerBytes, dataStart, size - dataStart);
            return new SafetensorsFile(file, channel, header, dataStart);
        } catch (IOException e) {
            throw new SafetensorsException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    private static ByteBuffer readFully(Path file, FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            int n = channel.read(buf, position + buf.position());
            if (n < 0) {
                throw new SafetensorsException(file, "file ended at byte " + (position + buf.position())
                        + " while reading " + length + " bytes at " + position + " (truncated while being read?)");
            }
        }
        return buf.flip();
    }

    @Override
    public Path path() {
        return file;
    }

    /** Byte position where the data section starts (8 + header length). */
    public long dataStart() {
        return dataStart;
    }

    @Override
    public List<String> names() {
        return names;
    }

    /** Dtype, shape and absolute byte range of every tensor, in file order. */
    public List<TensorInfo> tensors() {
        return header.tensors();
    }

    @Override
    public boolean contains(String name) {
        return header.byName().containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        TensorInfo t = header.byName().get(name);
        if (t == null) {
            throw new SafetensorsException(file, "no tensor " + SafetensorsException.quote(name) + " in this file (it holds "
                    + names.size() + " tensors)");
        }
        return t;
    }

    @Override
    public Path fileOf(String name) {
        info(name);
        return file;
    }

    @Override
    public Map<String, String> metadata() {
        return header.metadata();
    }

    @Override
    public ByteBuffer rawBytes(String name) {
        TensorInfo t = info(name);
        if (closed) {
            throw new IllegalStateException(file + " is closed");
        }
        if (t.byteSize() > MAX_TENSOR_BYTES) {
            throw new SafetensorsException(file, "tensor " + SafetensorsException.quote(name) + " is " + t.byteSize()
                    + " bytes; a single tensor must be smaller than 2 GiB to be read into one buffer");
        }
        if (t.byteSize() == 0) {
            return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer();
        }
        try {
            // a file cut short after opening would make the mapping fault (SIGBUS) when touched; check first
            if (channel.size() < t.end()) {
                throw new SafetensorsException(file, "file shrank to " + channel.size() + " bytes after it was opened;"
                        + " tensor " + SafetensorsException.quote(name) + " needs bytes up to " + t.end());
            }
            return channel.map(FileChannel.MapMode.READ_ONLY, t.begin(), t.byteSize())
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new SafetensorsException(file, "cannot map tensor " + SafetensorsException.quote(name) + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing was written through this channel; closing cannot lose data
        }
    }
}
