package io.parley.gateway;

import io.parley.gateway.config.ConfigLoader;
import io.parley.gateway.config.Setting;
import io.parley.gateway.config.Settings;
import io.parley.gateway.server.BuildInfo;

import java.io.PrintStream;
import java.util.OptionalInt;

/**
 * The jar's arguments. A node is configured by its environment alone, so the only arguments are
 * questions: {@code --version} and {@code --help}. Anything else is refused with the usage.
 */
final class CommandLine {
    static final int USAGE_ERROR = 2;

    private CommandLine() {
    }

    /** Answers the arguments; an exit code when there is nothing to run, empty to start a node. */
    static OptionalInt answer(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            return OptionalInt.empty();
        }
        if (args.length == 1 && args[0].equals("--version")) {
            out.println("parley-gateway " + BuildInfo.version() + " (Java " + System.getProperty("java.version") + ")");
            return OptionalInt.of(0);
        }
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.print(usage());
            return OptionalInt.of(0);
        }
        err.println("unknown argument(s): " + String.join(" ", args));
        err.print(usage());
        return OptionalInt.of(USAGE_ERROR);
    }

    static String usage() {
        StringBuilder text = new StringBuilder()
                .append("Usage: java -jar parley-gateway.jar [--version | --help]\n\n")
                .append("Runs one Parley node. With nothing set it listens on 8080 with an embedded history\n")
                .append("store in ./data and signs development tokens. Configure it with environment variables,\n")
                .append("or put the keys (lower case) in a YAML file named by ")
                .append(ConfigLoader.CONFIG_FILE_VARIABLE).append("; config/parley.yaml explains each.\n\n")
                .append("Environment variables (default; allowed values):\n");
        int width = Settings.ALL.stream().mapToInt(setting -> setting.environmentVariable().length()).max().orElse(0);
        String row = "  %-" + width + "s  %s\n";
        text.append(String.format(row, ConfigLoader.CONFIG_FILE_VARIABLE, "unset; a YAML file"))
                .append(String.format(row, ConfigLoader.LOG_LEVEL_VARIABLE, "INFO; TRACE, DEBUG, INFO, WARN, ERROR"));
        for (Setting<?> setting : Settings.ALL) {
            text.append(String.format(row, setting.environmentVariable(),
                    (setting.defaultValue() == null ? "unset" : setting.defaultText()) + "; " + setting.bounds()));
        }
        return text.toString();
    }
}
