package io.parley.gateway;

import io.parley.gateway.config.Setting;
import io.parley.gateway.config.Settings;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

/** The jar's arguments: questions answered on stdout, anything else refused with the usage. */
class CommandLineTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private OptionalInt answer(String... args) {
        return CommandLine.answer(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void noArgumentsStartANode() {
        assertThat(answer()).isEmpty();
        assertThat(out.size() + err.size()).isZero();
    }

    @Test
    void versionIsTheOneMavenBuilt() {
        assertThat(answer("--version")).hasValue(0);
        assertThat(out.toString(StandardCharsets.UTF_8)).matches("parley-gateway \\d+\\.\\d+\\.\\d+\\S* \\(Java .+\\)\\R");
    }

    @Test
    void helpNamesEveryEnvironmentVariable() {
        assertThat(answer("--help")).hasValue(0);
        String help = out.toString(StandardCharsets.UTF_8);
        assertThat(help).contains("PARLEY_CONFIG").contains("PARLEY_LOG_LEVEL");
        for (Setting<?> setting : Settings.ALL) {
            assertThat(help).containsPattern("\n  " + setting.environmentVariable() + " +\\S");
        }
        assertThat(help).containsPattern("\n  PARLEY_PORT +8080; 0\\.\\.65535\n")
                .containsPattern("\n  PARLEY_REDIS_URL +unset; a redis://, rediss://, redis-sentinel:// or redis-cluster:// URL\n");
    }

    @Test
    void anythingElseIsRefusedWithTheUsage() {
        assertThat(answer("--port", "9090")).hasValue(CommandLine.USAGE_ERROR);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("unknown argument(s): --port 9090")
                .contains("Usage: java -jar parley-gateway.jar");
        assertThat(out.size()).isZero();
    }
}
