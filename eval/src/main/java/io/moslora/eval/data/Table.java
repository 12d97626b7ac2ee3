package io.moslora.eval.data;

import io.moslora.cli.UserError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A spreadsheet as the evaluators see it: named columns, rows of text cells, and {@code null} for a missing value
 * (pandas' NaN). It remembers its file so every error can name the file, the row and the column.
 */
public final class Table {
    private final Path file;
    private final List<String> columns;
    private final Map<String, Integer> position = new LinkedHashMap<>();
    private final List<List<String>> rows;

    public Table(Path file, List<String> columns, List<List<String>> rows) {
        this.file = file;
        this.columns = List.copyOf(columns);
        for (int i = 0; i < columns.size(); i++) {
            if (position.putIfAbsent(columns.get(i), i) != null) {
                throw new UserError(file + ": column '" + columns.get(i) + "' appears twice in the header; "
                        + "rename one of them");
            }
        }
        this.rows = Collections.unmodifiableList(new ArrayList<>(rows));
    }

    public Path file() {
        return file;
    }

    public List<String> columns() {
        return columns;
    }

    public int size() {
        return rows.size();
    }

    public boolean has(String column) {
        return position.containsKey(column);
    }

    /** The cell, or {@code null} when the column is absent or the cell is empty/NaN. */
    public String get(int row, String column) {
        Integer c = position.get(column);
        if (c == null) {
            return null;
        }
        List<String> r = rows.get(row);
        return c < r.size() ? r.get(c) : null;
    }

    /** The cell, which must be present: a one-line error naming file, row and column otherwise. */
    public String require(int row, String column) {
        requireColumn(column);
        String v = get(row, column);
        if (v == null) {
            throw new UserError(where(row, column) + " is empty; every row needs a value there");
        }
        return v;
    }

    public void requireColumn(String column) {
        if (!has(column)) {
            throw new UserError(file + ": missing column '" + column + "' (columns are " + columns
                    + "); add it or pick the right file");
        }
    }

    /** "FILE row N column 'C'", rows counted from 1 after the header, as a spreadsheet shows them (+1). */
    public String where(int row, String column) {
        return file + ": row " + (row + 1) + " column '" + column + "'";
    }
}
