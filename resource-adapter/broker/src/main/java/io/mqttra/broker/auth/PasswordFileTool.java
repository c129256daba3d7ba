package io.mqttra.broker.auth;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Adds, updates and deletes users of a password file, like {@code mosquitto_passwd}:
 * <pre>
 * java -cp mqtt-ra-broker.jar io.mqttra.broker.auth.PasswordFileTool [-c | -D] [-r role1,role2] [-I iterations] file user
 * java -cp mqtt-ra-broker.jar io.mqttra.broker.auth.PasswordFileTool [-c] [-r roles] [-I iterations] -b file user password
 * </pre>
 * {@code -c} creates (overwrites) the file, {@code -D} deletes the user, {@code -b} takes the password from the
 * command line (visible to other local users: for scripts and tests), {@code -r} sets the user's roles.
 * Without {@code -b} the password is read from the console without echo, or as one line from standard input.
 */
public final class PasswordFileTool {

    private PasswordFileTool() {}

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Runs the tool; returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        boolean create = false;
        boolean delete = false;
        boolean batch = false;
        Set<String> roles = Set.of();
        int iterations = PasswordHash.DEFAULT_ITERATIONS;
        List<String> positional = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "-c" -> create = true;
                    case "-D" -> delete = true;
                    case "-b" -> batch = true;
                    case "-r" -> roles = PasswordFile.parseRoles(args[++i]);
                    case "-I" -> iterations = Integer.parseInt(args[++i]);
                    default -> positional.add(args[i]);
                }
            }
        } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
            return usage(err);
        }
        int expected = batch ? 3 : 2;
        if (positional.size() != expected || (create && delete)) {
            return usage(err);
        }
        Path file = Path.of(positional.get(0));
        String user = positional.get(1);
        try {
            PasswordFile users = create || !Files.exists(file) ? PasswordFile.empty() : PasswordFile.load(file);
            if (delete) {
                if (!users.remove(user)) {
                    err.println("user '" + user + "' is not in " + file);
                    return 1;
                }
                users.save(file);
                return 0;
            }
            byte[] password = batch ? positional.get(2).getBytes(StandardCharsets.UTF_8) : readPassword();
            if (password == null) {
                err.println("no password given");
                return 1;
            }
            try {
                users.put(user, password, roles, iterations);
            } finally {
                Arrays.fill(password, (byte) 0);
            }
            users.save(file);
            out.println((create ? "created " + file + " with" : "updated") + " user '" + user + "'"
                    + (roles.isEmpty() ? "" : " roles " + roles));
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    private static byte[] readPassword() throws IOException {
        Console console = System.console();
        if (console != null) {
            char[] first = console.readPassword("Password: ");
            char[] again = console.readPassword("Reenter password: ");
            try {
                if (first == null || !Arrays.equals(first, again)) {
                    return null;
                }
                return new String(first).getBytes(StandardCharsets.UTF_8);
            } finally {
                if (first != null) {
                    Arrays.fill(first, '\0');
                }
                if (again != null) {
                    Arrays.fill(again, '\0');
                }
            }
        }
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        return line == null ? null : line.getBytes(StandardCharsets.UTF_8);
    }

    private static int usage(PrintStream err) {
        err.println("usage: PasswordFileTool [-c | -D] [-r role1,role2] [-I iterations] passwordfile username");
        err.println("       PasswordFileTool [-c] [-r role1,role2] [-I iterations] -b passwordfile username password");
        return 2;
    }
}
