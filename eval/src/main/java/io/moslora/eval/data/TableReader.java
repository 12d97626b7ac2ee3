package io.moslora.eval.data;

import io.moslora.cli.UserError;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellType;
import org.apache.poi.ss.usermodel.DataFormatter;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.ss.usermodel.WorkbookFactory;

/**
 * Reads {@code .tsv}, {@code .csv} and {@code .xlsx} files the way VLMEvalKit's pandas calls do: the first row is
 * the header, and the strings pandas reads as NaN ({@code ""}, {@code "nan"}, {@code "None"}, {@code "NA"}, ...)
 * become missing cells. Mirroring pandas here is what makes an option literally named "None" disappear exactly as
 * it does in the reference tool, so the numbers agree.
 */
public final class TableReader {
    /** pandas' default {@code na_values} for read_csv and read_excel. */
    static final Set<String> PANDAS_NA = Set.of("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN",
            "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null");

    private TableReader() {}

    public static Table read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UserError(file + ": file not found");
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try {
            if (name.endsWith(".xlsx")) {
                return readXlsx(file);
            }
            if (name.endsWith(".tsv")) {
                return readDelimited(file, '\t');
            }
            if (name.endsWith(".csv")) {
                return readDelimited(file, ',');
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof UserError u) {
                throw u;
            }
            throw new UserError(file + ": cannot read as a table (" + e.getMessage() + ")", e);
        }
        throw new UserError(file + ": unsupported file type; use .xlsx, .tsv or .csv");
    }

    private static String na(String v) {
        return v == null || PANDAS_NA.contains(v) ? null : v;
    }

    private static Table readDelimited(Path file, char delimiter) throws IOException {
        CSVFormat format = CSVFormat.DEFAULT.builder().setDelimiter(delimiter).setQuote('"').get();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                CSVParser parser = CSVParser.parse(in, format)) {
            List<String> header = null;
            List<List<String>> rows = new ArrayList<>();
            for (CSVRecord rec : parser) {
                List<String> cells = new ArrayList<>(rec.size());
                for (String v : rec) {
                    cells.add(header == null ? stripBom(v) : na(v));
                }
                if (header == null) {
                    header = cells;
                } else {
                    rows.add(cells);
                }
            }
            if (header == null) {
                throw new UserError(file + ": empty file, expected a header row");
            }
            return new Table(file, header, rows);
        }
    }

    private static String stripBom(String v) {
        return v.startsWith("\uFEFF") ? v.substring(1) : v;
    }

    private static Table readXlsx(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file); Workbook wb = WorkbookFactory.create(in)) {
            Sheet sheet = wb.getSheetAt(0);
            DataFormatter formatter = new DataFormatter(Locale.ROOT);
            List<String> header = new ArrayList<>();
            List<List<String>> rows = new ArrayList<>();
            int first = sheet.getFirstRowNum();
            Row h = sheet.getRow(first);
            if (h == null) {
                throw new UserError(file + ": empty sheet, expected a header row");
            }
            for (int c = 0; c < h.getLastCellNum(); c++) {
                header.add(h.getCell(c) == null ? "Unnamed: " + c : cellText(h.getCell(c), formatter));
            }
            for (int r = first + 1; r <= sheet.getLastRowNum(); r++) {
                Row row = sheet.getRow(r);
                List<String> cells = new ArrayList<>(header.size());
                for (int c = 0; c < header.size(); c++) {
                    Cell cell = row == null ? null : row.getCell(c);
                    cells.add(cell == null ? null : na(cellText(cell, formatter)));
                }
                rows.add(cells);
            }
            return new Table(file, header, rows);
        }
    }

    /** Numbers as pandas prints them back: integral values without ".0" (as openpyxl hands them over as int). */
    private static String cellText(Cell cell, DataFormatter formatter) {
        CellType type = cell.getCellType() == CellType.FORMULA ? cell.getCachedFormulaResultType() : cell.getCellType();
        return switch (type) {
            case STRING -> cell.getStringCellValue();
            case NUMERIC -> {
                double d = cell.getNumericCellValue();
                yield d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
            }
            case BOOLEAN -> cell.getBooleanCellValue() ? "True" : "False";
            case BLANK -> "";
            default -> formatter.formatCellValue(cell);
        };
    }
}
