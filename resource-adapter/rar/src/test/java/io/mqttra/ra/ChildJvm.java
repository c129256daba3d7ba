package io.mqttra.ra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of the test class path in a JVM of its own, for tests whose subject halts the JVM the way
 * {@code kill -9} ends it, and gives back its exit code and output.
 */
public final class ChildJvm {

    /** Exit code and stdout/stderr lines of a finished child. */
    public record Result(int exitCode, List<String> lines) {

        /** The lines that start with {@code prefix}. */
        public List<String> linesStartingWith(String prefix) {
            return lines.stream().filter(l -> l.startsWith(prefix)).toList();
        }
    }

    private ChildJvm() {}

    /** Runs {@code main} with {@code args} and waits at most two minutes; its output goes to {@code log} too. */
    public static Result run(Class<?> main, List<String> jvmOptions, Path log, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process child = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!child.waitFor(2, TimeUnit.MINUTES)) {
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError(main.getSimpleName() + " did not end within two minutes; see " + log);
        }
        return new Result(child.exitValue(), Files.readAllLines(log, StandardCharsets.UTF_8));
    }
}
