package io.parley.gateway;

import io.parley.gateway.support.NodeProcess;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The heap-return settings a node chooses, read from the running JVM; the operator's own stand. */
class JvmDefaultsTest {

    @Test
    void aNodeGivesBackHeapByDefault() throws Exception {
        try (NodeProcess node = NodeProcess.start(Map.of())) {
            assertThat(flag(node, "MinHeapFreeRatio")).isEqualTo("10");
            assertThat(flag(node, "MaxHeapFreeRatio")).isEqualTo("30");
            assertThat(flag(node, "G1PeriodicGCInterval")).isEqualTo("60000");
        }
    }

    @Test
    void flagsOnTheCommandLineStand() throws Exception {
        try (NodeProcess node = NodeProcess.start(Map.of(), List.of("-XX:MaxHeapFreeRatio=50"))) {
            assertThat(flag(node, "MaxHeapFreeRatio")).isEqualTo("50");
            assertThat(flag(node, "MinHeapFreeRatio")).isEqualTo("10");
        }
    }

    /** The flag's value in the node's JVM, as {@code jcmd <pid> VM.flags -all} reports it. */
    private static String flag(NodeProcess node, String name) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), Long.toString(node.pid()), "VM.flags", "-all")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Matcher m = Pattern.compile("\\b" + name + "\\s+=\\s+(\\S+)").matcher(output);
        assertThat(m.find()).as(name + " in " + output.substring(0, Math.min(300, output.length()))).isTrue();
        return m.group(1);
    }
}
