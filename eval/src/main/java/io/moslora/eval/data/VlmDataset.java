package io.moslora.eval.data;

import io.moslora.cli.UserError;
import io.moslora.eval.text.PythonLiteral;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A VLMEvalKit benchmark TSV: one question per row with {@code index}, {@code question}, optional {@code hint},
 * option columns {@code A}, {@code B}, ..., {@code answer}, {@code category}, {@code l2-category}, {@code split},
 * and the image as base64 in {@code image} (or, to save space, the index of another row whose image it shares)
 * and/or a file name in {@code image_path}. Loading validates what every use needs (unique indexes, image
 * references that resolve); images are decoded only when asked for.
 */
public final class VlmDataset {
    /** VLMEvalKit treats an image cell this short as a reference to another row's index. */
    private static final int MAX_REFERENCE_LENGTH = 64;

    private final String name;
    private final Table table;
    private final DatasetKind kind;
    private final List<String> indexes = new ArrayList<>();
    private final Map<String, Integer> rowOfIndex = new HashMap<>();
    /** For each row, the row that holds its base64 image (itself, or the row it refers to); -1 when none. */
    private final int[] imageRow;

    private VlmDataset(String name, Table table, DatasetKind kind) {
        this.name = name;
        this.table = table;
        this.kind = kind;
        table.requireColumn("index");
        for (int r = 0; r < table.size(); r++) {
            String idx = normalizeIndex(table.require(r, "index"));
            Integer before = rowOfIndex.putIfAbsent(idx, r);
            if (before != null) {
                throw new UserError(table.where(r, "index") + ": duplicate index " + idx + " (also row "
                        + (before + 1) + "); indexes must be unique");
            }
            indexes.add(idx);
        }
        imageRow = new int[table.size()];
        for (int r = 0; r < table.size(); r++) {
            imageRow[r] = resolveImageRow(r);
        }
    }

    public static VlmDataset load(Path tsv) {
        return load(tsv, null);
    }

    /** Loads {@code tsv}; {@code kind} overrides the kind inferred from its name and columns. */
    public static VlmDataset load(Path tsv, DatasetKind kind) {
        Table table = TableReader.read(tsv);
        String name = DataFolder.nameOf(tsv);
        return new VlmDataset(name, table, kind != null ? kind : DatasetCatalog.kindOf(name, table));
    }

    /** Index cells as pandas would compare them: integral numbers written as "12", "12.0" or "012" are equal. */
    public static String normalizeIndex(String raw) {
        String t = raw.strip();
        if (t.matches("[+-]?\\d+(\\.0*)?")) {
            int dot = t.indexOf('.');
            String digits = dot < 0 ? t : t.substring(0, dot);
            try {
                return Long.toString(Long.parseLong(digits));
            } catch (NumberFormatException e) {
                return t;
            }
        }
        return t;
    }

    private int resolveImageRow(int r) {
        String img = table.get(r, "image");
        if (img == null) {
            return -1;
        }
        if (img.length() > MAX_REFERENCE_LENGTH) {
            return r;
        }
        Integer target = rowOfIndex.get(normalizeIndex(img));
        String targetImage = target == null ? null : table.get(target, "image");
        if (targetImage == null || targetImage.length() <= MAX_REFERENCE_LENGTH) {
            throw new UserError(table.where(r, "image") + ": '" + img + "' is neither base64 image data nor the "
                    + "index of a row that holds one");
        }
        return target;
    }

    /**
     * The first {@code n} questions (for a quick {@code --limit} run). Image references to rows beyond the cut are
     * replaced by the image data itself, so the subset stands on its own.
     */
    public VlmDataset head(int n) {
        if (n >= size()) {
            return this;
        }
        List<List<String>> rows = new ArrayList<>();
        int imageColumn = table.columns().indexOf("image");
        for (int r = 0; r < n; r++) {
            List<String> cells = new ArrayList<>();
            for (String c : table.columns()) {
                cells.add(table.get(r, c));
            }
            if (imageColumn >= 0 && imageRow[r] >= n) {
                cells.set(imageColumn, table.get(imageRow[r], "image"));
            }
            rows.add(cells);
        }
        return new VlmDataset(name, new Table(table.file(), table.columns(), rows), kind);
    }

    public String name() {
        return name;
    }

    public DatasetKind kind() {
        return kind;
    }

    public Table table() {
        return table;
    }

    public Path file() {
        return table.file();
    }

    public int size() {
        return table.size();
    }

    public String index(int row) {
        return indexes.get(row);
    }

    public List<String> indexes() {
        return List.copyOf(indexes);
    }

    /** The row of an index, or -1. */
    public int rowOf(String index) {
        Integer r = rowOfIndex.get(normalizeIndex(index));
        return r == null ? -1 : r;
    }

    public String question(int row) {
        return table.require(row, "question");
    }

    /** The hint, or null. */
    public String hint(int row) {
        return table.get(row, "hint");
    }

    public String answer(int row) {
        return table.require(row, "answer");
    }

    public String get(int row, String column) {
        return table.get(row, column);
    }

    /** The options present in this row, in letter order (pandas' NaN options are left out, as in VLMEvalKit). */
    public Map<String, String> options(int row) {
        Map<String, String> out = new LinkedHashMap<>();
        for (char c = 'A'; c <= 'Z'; c++) {
            String v = table.get(row, String.valueOf(c));
            if (v != null) {
                out.put(String.valueOf(c), v);
            }
        }
        return out;
    }

    /** A key that is the same for every row showing the same image (image_path, else the image's row). */
    public String imageKey(int row) {
        String path = table.get(row, "image_path");
        if (path != null) {
            return path;
        }
        return imageRow[row] < 0 ? "row" + row : "image@" + indexes.get(imageRow[row]);
    }

    /** The decoded images of a row (a cell may hold a Python list of several base64 images). */
    public List<BufferedImage> images(int row) {
        if (imageRow[row] < 0) {
            String path = table.get(row, "image_path");
            if (path == null) {
                throw new UserError(table.where(row, "image") + ": the row has no image and no image_path");
            }
            return readImageFiles(row, path);
        }
        String cell = table.get(imageRow[row], "image");
        List<String> parts = PythonLiteral.parseList(cell).orElse(List.of(cell));
        List<BufferedImage> out = new ArrayList<>();
        for (String b64 : parts) {
            out.add(decode(row, b64));
        }
        return out;
    }

    private List<BufferedImage> readImageFiles(int row, String cell) {
        List<BufferedImage> out = new ArrayList<>();
        for (String p : PythonLiteral.parseList(cell).orElse(List.of(cell))) {
            Path f = Path.of(p).isAbsolute() ? Path.of(p) : table.file().toAbsolutePath().getParent().resolve(p);
            try {
                BufferedImage img = ImageIO.read(f.toFile());
                if (img == null) {
                    throw new IOException("not an image");
                }
                out.add(img);
            } catch (IOException e) {
                throw new UserError(table.where(row, "image_path") + ": cannot read image " + f + " ("
                        + e.getMessage() + ")", e);
            }
        }
        return out;
    }

    private BufferedImage decode(int row, String b64) {
        try {
            byte[] bytes = Base64.getMimeDecoder().decode(b64.strip());
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
            if (img == null) {
                throw new IOException("the bytes are not a PNG/JPEG/BMP/GIF image");
            }
            return img;
        } catch (IllegalArgumentException | IOException e) {
            throw new UserError(table.where(row, "image") + " (index " + indexes.get(row)
                    + "): image does not decode (" + e.getMessage() + "); re-export the TSV", e);
        }
    }
}
