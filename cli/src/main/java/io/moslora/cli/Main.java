package io.moslora.cli;

import io.moslora.engine.TorchLogLevel;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** The {@code ./moslora} launcher: every module's commands hang off this one root. */
@Command(
        name = "moslora",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "MoSLoRA Suite: Mixture-of-Subspaces LoRA fine-tuning and evaluation for multimodal and diffusion models.",
        subcommands = {
            io.moslora.io.InspectCommand.class,
            io.moslora.config.ConfigCommand.class,
            io.moslora.adapters.cli.ParamsCommand.class,
            io.moslora.adapters.cli.AdapterCommand.class,
            io.moslora.quant.QuantCommand.class,
            io.moslora.llava.TokenizeCommand.class,
            io.moslora.llava.DemoDataCommand.class,
            io.moslora.llava.CheckDataCommand.class,
            io.moslora.llava.LlavaCommand.class,
            io.moslora.llava.demo.DemoCommand.class,
            io.moslora.sdxl.cli.SdxlCommand.class,
            io.moslora.llava.cli.ExperimentCommand.class,
            io.moslora.llava.cli.BenchCommand.class,
            io.moslora.eval.cli.EvalCommand.class,
            io.moslora.eval.human.HumanEvalCommand.class})
public final class Main extends CommandGroup {

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        if (!helpOrVersion(args)) { // those need no engine, and starting it takes a second or two
            try {
                TorchLogLevel.applyEnvironment(); // the launcher's TORCH_CPP_LOG_LEVEL=ERROR: libtorch does not read it itself
            } catch (UserError e) {
                err.println(e.getMessage());
                System.exit(Cli.USER_ERROR);
            } catch (RuntimeException e) {
                // no libtorch to quiet: a command that needs the engine reports that itself
            }
        }
        System.exit(Cli.run(new Main(), out, err, args));
    }

    private static boolean helpOrVersion(String[] args) {
        return args.length == 0 || java.util.Arrays.stream(args).anyMatch(a -> a.equals("-h") || a.equals("--help")
                || a.equals("-V") || a.equals("--version") || a.equals("help"));
    }

    static final class Version implements picocli.CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"moslora " + (v == null ? "0.1.0-SNAPSHOT" : v)};
        }
    }
}
