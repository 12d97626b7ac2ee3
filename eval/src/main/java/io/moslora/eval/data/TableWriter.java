package io.moslora.eval.data;

import io.moslora.io.AtomicFiles;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.QuoteMode;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.xssf.streaming.SXSSFWorkbook;

/**
 * Writes tables in the formats VLMEvalKit writes: predictions as {@code .xlsx} (one sheet, header row, no index
 * column) and scores as {@code .csv} with every field quoted. Every write is atomic (temp file + rename), so an
 * interrupted run never leaves a half-written prediction file behind.
 */
public final class TableWriter {
    private TableWriter() {}

    /** Excel's limit on the characters in one cell. */
    public static final int MAX_CELL_CHARS = 32767;

    /** Columns whose integral values are stored as numbers (pandas keeps an int index column numeric). */
    private static final List<String> NUMERIC_COLUMNS = List.of("index");

    public static void writeXlsx(Path target, List<String> columns, List<List<String>> rows) {
        AtomicFiles.writeStream(target, out -> {
            try (SXSSFWorkbook wb = new SXSSFWorkbook(200)) {
                Sheet sheet = wb.createSheet("Sheet1");
                Row header = sheet.createRow(0);
                for (int c = 0; c < columns.size(); c++) {
                    header.createCell(c).setCellValue(columns.get(c));
                }
                for (int r = 0; r < rows.size(); r++) {
                    Row row = sheet.createRow(r + 1);
                    List<String> values = rows.get(r);
                    for (int c = 0; c < columns.size(); c++) {
                        String v = c < values.size() ? values.get(c) : null;
                        if (v == null) {
                            continue;
                        }
                        Cell cell = row.createCell(c);
                        if (NUMERIC_COLUMNS.contains(columns.get(c)) && v.matches("-?\\d{1,15}")) {
                            cell.setCellValue(Long.parseLong(v));
                        } else {
                            // Excel refuses longer cells; a runaway generation is cut rather than losing the file
                            cell.setCellValue(v.length() > MAX_CELL_CHARS ? v.substring(0, MAX_CELL_CHARS) : v);
                        }
                    }
                }
                wb.write(out);
                wb.dispose();
            }
        });
    }

    /** A CSV with every field quoted and '\n' line ends, like pandas' {@code to_csv(quoting=QUOTE_ALL)}. */
    public static void writeCsv(Path target, List<String> columns, List<List<String>> rows) {
        AtomicFiles.writeStream(target, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            CSVFormat format = CSVFormat.DEFAULT.builder().setQuoteMode(QuoteMode.ALL).setRecordSeparator("\n")
                    .get();
            try (CSVPrinter p = new CSVPrinter(w, format)) {
                p.printRecord(columns);
                for (List<String> row : rows) {
                    p.printRecord(row.stream().map(v -> v == null ? "" : v).toList());
                }
            }
        });
    }
}
