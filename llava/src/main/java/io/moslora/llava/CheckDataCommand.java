package io.moslora.llava;

import io.moslora.llava.data.DataScan;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./moslora check-data}: the trainer's pre-flight scan of a LLaVA data set, on its own. */
@Command(name = "check-data", mixinStandardHelpOptions = true,
        description = "Scan a LLaVA instruction JSON and its images before training: malformed records, missing or "
                + "corrupt images, image paths outside the image folder. Exit 1 on any bad sample unless --skip-bad.")
public final class CheckDataCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "LLaVA instruction JSON (llava_v1_5_mix665k.json format)")
    Path data;

    @Option(names = "--images", paramLabel = "DIR", description = "image folder the records' 'image' paths are relative to")
    Path images;

    @Option(names = "--skip-bad", description = "report bad samples and count them instead of failing")
    boolean skipBad;

    @Override
    public Integer call() {
        if (!java.nio.file.Files.isRegularFile(data)) {
            throw new io.moslora.cli.UserError(data + ": data file not found");
        }
        DataScan.Report report = DataScan.scan(data, images, true);
        var out = spec.commandLine().getOut();
        var usable = DataScan.requireUsable(report, data, skipBad, out);
        out.println(data + ": " + usable.size() + " samples usable, " + report.bad().size() + " skipped");
        return 0;
    }
}
