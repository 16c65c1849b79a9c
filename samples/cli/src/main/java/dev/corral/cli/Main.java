package dev.corral.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code corral}: run a WebAssembly plugin, or inspect a module, from the shell. Every failure ends
 * as one line on stderr, {@code corral: <kind>: <message>}, and an exit code from {@link ExitCode}.
 */
@Command(name = "corral",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Runs WebAssembly plugins in Corral's sandbox.",
        subcommands = {CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:ok, or the code a WASI command passed to proc_exit",
            "64:usage error (bad flag, unknown export, wrong arguments)",
            "65:module malformed, invalid or unlinkable",
            "66:module file unreadable",
            "70:trap",
            "71:fuel exhausted",
            "72:timeout",
            "73:stack exhausted"})
public final class Main implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err));
    }

    /**
     * Runs one command line and returns its exit code; the plugin's stdout and stderr go to
     * {@code out} and {@code err} too. Never calls {@code System.exit}, so tests can run it in-process.
     */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        try {
            return commandLine(out, err).execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    static CommandLine commandLine(PrintStream out, PrintStream err) {
        var cli = new CommandLine(new Main());
        // '@FILE' is ours (run --input @FILE), not picocli's argument-file expansion
        cli.setExpandAtFiles(false);
        cli.addSubcommand(new RunCommand(out, err));
        cli.addSubcommand(new InspectCommand(out));
        cli.addSubcommand(new ServeCommand(out, err));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setParameterExceptionHandler((ex, args) -> {
            report(err, ExitCode.USAGE, ex.getMessage() + "; see 'corral " + subcommandName(ex.getCommandLine()) + "--help'");
            return ExitCode.USAGE.code;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean verbose = commandLine.getCommand() instanceof Verbose && ((Verbose) commandLine.getCommand()).verbose();
            return fail(err, ex, verbose);
        });
        return cli;
    }

    /** Prints the one-line error for {@code e} (and its stack trace when verbose) and returns the exit code. */
    static int fail(PrintStream err, Throwable e, boolean verbose) {
        ExitCode code = ExitCode.of(e);
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            message = e.getClass().getSimpleName();
        } else if (!ExitCode.isExpected(e)) {
            message = e.getClass().getSimpleName() + ": " + message;
        }
        report(err, code, message);
        if (verbose) {
            e.printStackTrace(err);
        }
        return code.code;
    }

    static void report(PrintStream err, ExitCode code, String message) {
        err.println("corral: " + code.kind + ": " + message.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip());
        err.flush();
    }

    private static String subcommandName(CommandLine cl) {
        return cl == null || cl.getParent() == null ? "" : cl.getCommandName() + " ";
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command: 'corral run MODULE' or 'corral inspect MODULE'");
    }

    /** Subcommands that can show stack traces. */
    interface Verbose {
        boolean verbose();
    }

    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"corral " + (v == null ? "(development build)" : v)};
        }
    }
}
