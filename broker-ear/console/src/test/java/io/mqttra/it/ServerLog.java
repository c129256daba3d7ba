package io.mqttra.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The log file a server process writes its output to, read by tests for readiness, assertions and failures. */
public final class ServerLog {

    private static final int TAIL_LINES = 60;

    private final Path file;

    public ServerLog(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public String text() throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    /** What was written after {@code offset} bytes, so that a restarted server's lines are told from earlier ones. */
    public String since(long offset) throws IOException {
        byte[] all = Files.readAllBytes(file);
        return offset >= all.length
                ? ""
                : new String(all, (int) offset, all.length - (int) offset, StandardCharsets.UTF_8);
    }

    public long size() throws IOException {
        return Files.exists(file) ? Files.size(file) : 0;
    }

    /** The last lines, for failure messages; never throws, since it is read while reporting another failure. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log unreadable: " + e + ")";
        }
    }
}
