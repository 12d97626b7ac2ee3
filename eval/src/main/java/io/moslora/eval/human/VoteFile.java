package io.moslora.eval.human;

import io.moslora.cli.UserError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads the CSV a rater exported from the page ({@code study,rater,pair,criterion,choice}) and checks it against
 * the key: one rater, known pairs and criteria, no vote given twice, none missing. Every problem is one line
 * naming the file and its line.
 */
public final class VoteFile {
    public static final List<String> HEADER = List.of("study", "rater", "pair", "criterion", "choice");

    private VoteFile() {}

    public static RaterVotes read(Path file, StudyKey key) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserError(file + ": cannot read the vote file (" + e.getMessage() + ")");
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1); // spreadsheet programs add a byte-order mark when they save CSV
        }
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get();
        try (CSVParser parser = CSVParser.parse(text, format)) {
            if (!parser.getHeaderNames().equals(HEADER)) {
                throw new UserError(file + " line 1: header is " + String.join(",", parser.getHeaderNames())
                        + "; a vote file exported by the page starts with " + String.join(",", HEADER));
            }
            String rater = null;
            Map<String, Long> seenAt = new HashMap<>();
            List<Vote> votes = new ArrayList<>();
            for (CSVRecord row : parser) {
                long line = row.getRecordNumber() + 1;
                String where = file + " line " + line + ": ";
                if (row.size() != HEADER.size()) {
                    throw new UserError(where + row.size() + " fields; each vote needs " + String.join(",", HEADER));
                }
                if (!row.get("study").equals(key.study())) {
                    throw new UserError(where + "study '" + row.get("study") + "' is not the key's study '"
                            + key.study() + "'; these votes belong to another export, use that export's key");
                }
                String rowRater = row.get("rater").strip();
                if (rowRater.isEmpty()) {
                    throw new UserError(where + "rater id is empty; ask the rater to fill in the rater id and"
                            + " export again");
                }
                if (rater == null) {
                    rater = rowRater;
                } else if (!rater.equals(rowRater)) {
                    throw new UserError(where + "rater '" + rowRater + "' differs from '" + rater + "' above; one"
                            + " file holds the votes of one rater");
                }
                BlindedPair pair = key.pair(row.get("pair"));
                if (pair == null) {
                    throw new UserError(where + "pair '" + row.get("pair") + "' is not in the key; the file does not"
                            + " match this study");
                }
                String criterion = row.get("criterion");
                if (!key.hasCriterion(criterion)) {
                    throw new UserError(where + "criterion '" + criterion + "' is not in the key (it has "
                            + key.criteria().stream().map(Criterion::id).toList() + ")");
                }
                Choice choice = Choice.parse(row.get("choice"));
                if (choice == null) {
                    throw new UserError(where + "choice '" + row.get("choice") + "' must be left, tie or right");
                }
                Long first = seenAt.putIfAbsent(pair.id() + "/" + criterion, line);
                if (first != null) {
                    throw new UserError(where + "second vote for pair " + pair.id() + ", criterion " + criterion
                            + " (first on line " + first + "); keep one vote per pair and criterion");
                }
                votes.add(new Vote(rater, pair, criterion, choice.forSystemA(pair.sideOfA())));
            }
            if (votes.isEmpty()) {
                throw new UserError(file + ": no votes below the header; give the file the rater exported");
            }
            requireComplete(file, key, seenAt);
            return new RaterVotes(file, rater, List.copyOf(votes));
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            throw new UserError(file + ": malformed CSV (" + e.getMessage() + "); give the file the page exported");
        }
    }

    private static void requireComplete(Path file, StudyKey key, Map<String, Long> seen) {
        int expected = key.pairs().size() * key.criteria().size();
        if (seen.size() == expected) {
            return;
        }
        for (BlindedPair p : key.pairs()) {
            for (Criterion c : key.criteria()) {
                if (!seen.containsKey(p.id() + "/" + c.id())) {
                    throw new UserError(file + ": incomplete, " + (expected - seen.size()) + " of " + expected
                            + " votes missing (first: pair " + p.id() + ", criterion " + c.id() + "); the rater"
                            + " must answer every pair before exporting");
                }
            }
        }
    }
}
