package io.parley.gateway.ops;

import io.parley.gateway.config.ConfigLoader;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.parley.gateway.ops.OpsFiles.ROOT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the docs tell a reader to type still names things that exist: every Maven command's
 * modules, profiles, test classes, simulations and benchmark figures with their arguments, every
 * {@code PARLEY_*} variable, every jar path and every relative link with its anchor. (The commands
 * themselves run elsewhere: README's two in CI, the Gatling suite in {@code loadtest/smoke.sh}, the
 * quickstart in {@code .ci/quickstart.sh}.)
 */
class DocumentedCommandsTest {
    private static final Pattern MAVEN = Pattern.compile("(?:\\./mvnw|\\bmvn) [^`\\n]*");
    private static final Pattern MODULES = Pattern.compile("-pl ([\\w,-]+)");
    private static final Pattern PROFILE = Pattern.compile("-P ?([\\w-]+)");
    private static final Pattern TESTS = Pattern.compile("-Dtest=([\\w,*]+)");
    private static final Pattern SIMULATION = Pattern.compile("-Dgatling\\.simulationClass=([\\w.]+)");
    private static final Pattern FIGURE = Pattern.compile("-Dexec\\.args=\"(\\w+)((?: \\w+=\\S*)*)\"");
    private static final Pattern VARIABLE = Pattern.compile("\\bPARLEY_[A-Z0-9_]*[A-Z0-9]");
    private static final Pattern JAR = Pattern.compile("java (?:-\\S+ )*-jar (\\S+\\.jar)");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    @Test
    void mavenCommandsNameModulesProfilesTestsSimulationsAndFigures() {
        List<String> problems = new ArrayList<>();
        int commands = 0;
        for (Path doc : docs()) {
            Matcher command = MAVEN.matcher(read(doc));
            while (command.find()) {
                commands++;
                String line = command.group();
                String where = ROOT.relativize(doc) + ": " + line;
                each(MODULES, line, module -> {
                    if (!Files.isRegularFile(ROOT.resolve(module).resolve("pom.xml"))) {
                        problems.add(where + " -> no module " + module);
                    }
                });
                each(PROFILE, line, profile -> {
                    if (poms().noneMatch(pom -> read(pom).contains("<id>" + profile + "</id>"))) {
                        problems.add(where + " -> no profile " + profile);
                    }
                });
                each(TESTS, line, test -> {
                    if (sources("src/test/java").noneMatch(file -> file.getFileName().toString().equals(test + ".java"))) {
                        problems.add(where + " -> no test class " + test);
                    }
                });
                each(SIMULATION, line, simulation -> {
                    Path source = ROOT.resolve("loadtest/src/test/java").resolve(simulation.replace('.', '/') + ".java");
                    if (!Files.isRegularFile(source)) {
                        problems.add(where + " -> no simulation " + simulation);
                    }
                });
                Matcher figure = FIGURE.matcher(line);
                if (figure.find()) {
                    problems.addAll(figureProblems(where, figure.group(1), figure.group(2).trim()));
                }
            }
        }
        assertThat(commands).as("Maven commands found in the docs").isGreaterThan(10);
        assertThat(problems).isEmpty();
    }

    /** The runner's {@code case "figure" -> Class.main} names the class whose defaults list the keys. */
    private static List<String> figureProblems(String where, String figure, String arguments) {
        Path bench = ROOT.resolve("loadtest/src/main/java/io/parley/loadtest/bench");
        Matcher dispatch = Pattern.compile("case \"" + figure + "\" -> (\\w+)\\.main").matcher(read(bench.resolve("Bench.java")));
        if (!dispatch.find()) {
            return List.of(where + " -> the runner has no figure " + figure);
        }
        String runner = read(bench.resolve(dispatch.group(1) + ".java"));
        List<String> problems = new ArrayList<>();
        for (String argument : arguments.isEmpty() ? new String[0] : arguments.split(" ")) {
            String key = argument.substring(0, argument.indexOf('='));
            if (!runner.contains("\"" + key + "\", ")) {
                problems.add(where + " -> figure " + figure + " takes no " + key);
            }
        }
        return problems;
    }

    @Test
    void everyVariableTheDocsNameIsOneTheNodeReads() {
        Set<String> known = Set.copyOf(ConfigLoader.environmentVariables());
        // Named as what the node ignores (Kubernetes service links), or read by the test suite.
        Set<String> ignoredOnPurpose = Set.of("PARLEY_SERVICE_HOST", "PARLEY_SERVICE_PORT");
        List<String> unknown = new ArrayList<>();
        for (Path doc : docs()) {
            Matcher variable = VARIABLE.matcher(read(doc));
            while (variable.find()) {
                String name = variable.group();
                if (!known.contains(name) && !ignoredOnPurpose.contains(name) && !name.startsWith("PARLEY_TEST_")) {
                    unknown.add(ROOT.relativize(doc) + ": " + name);
                }
            }
        }
        assertThat(unknown).isEmpty();
    }

    @Test
    void everyJarTheDocsRunIsTheOneTheBuildMakes() {
        String finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(read(ROOT.resolve("gateway/pom.xml")))
                .results().map(m -> m.group(1)).findFirst().orElseThrow();
        List<String> problems = new ArrayList<>();
        for (Path doc : docs()) {
            Matcher jar = JAR.matcher(read(doc));
            while (jar.find()) {
                String path = jar.group(1);
                boolean inTree = !path.startsWith("/") && path.contains("/");
                // A tree's jar is the build's output; in the image it is copied under its own name.
                if (!Path.of(path).getFileName().toString().equals(finalName + ".jar")
                        || inTree && !path.replaceFirst("^(\\.\\./)+", "").equals("gateway/target/" + finalName + ".jar")) {
                    problems.add(ROOT.relativize(doc) + ": java -jar " + path);
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyRelativeLinkReachesAFileAndItsHeading() {
        List<String> broken = new ArrayList<>();
        for (Path doc : docs()) {
            Matcher link = LINK.matcher(read(doc));
            while (link.find()) {
                String target = link.group(1);
                if (target.matches("^[a-z]+:.*")) {
                    continue; // http:, https:, mailto:
                }
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                Path resolved = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
                if (!resolved.startsWith(ROOT)) {
                    broken.add(ROOT.relativize(doc) + ": " + target + " (outside the repository)");
                } else if (!Files.exists(resolved)) {
                    broken.add(ROOT.relativize(doc) + ": " + target + " (no such file)");
                } else if (hash >= 0 && resolved.toString().endsWith(".md")
                        && !anchors(resolved).contains(target.substring(hash + 1))) {
                    broken.add(ROOT.relativize(doc) + ": " + target + " (no such heading)");
                }
            }
        }
        assertThat(broken).isEmpty();
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
    private static Set<String> anchors(Path markdown) {
        return read(markdown).lines().filter(line -> line.startsWith("#"))
                .map(line -> line.replaceFirst("^#+\\s*", "").toLowerCase(Locale.ROOT)
                        .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'))
                .collect(Collectors.toSet());
    }

    private static List<Path> docs() {
        try (Stream<Path> files = Files.walk(ROOT, 4)) {
            return files.filter(path -> path.toString().endsWith(".md"))
                    .filter(path -> Stream.of("target", "node_modules", ".git", ".mvn")
                            .noneMatch(skip -> ROOT.relativize(path).toString().contains(skip)))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Stream<Path> poms() {
        return Stream.of("pom.xml", "protocol/pom.xml", "storage/pom.xml", "gateway/pom.xml", "loadtest/pom.xml")
                .map(ROOT::resolve);
    }

    private static Stream<Path> sources(String under) {
        return Stream.of("protocol", "storage", "gateway", "loadtest").flatMap(module -> {
            Path root = ROOT.resolve(module).resolve(under);
            try (Stream<Path> files = Files.walk(root)) {
                return files.toList().stream();
            } catch (IOException e) {
                return Stream.empty();
            }
        });
    }

    private static void each(Pattern pattern, String line, java.util.function.Consumer<String> check) {
        Matcher matcher = pattern.matcher(line);
        while (matcher.find()) {
            for (String item : matcher.group(1).split(",")) {
                check.accept(item);
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
