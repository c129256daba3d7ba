package io.mqttra.broker.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The users of a Mosquitto-style password file: one {@code user:hash} line per user (see {@link PasswordHash}).
 * An extension that Mosquitto does not read: {@code user:hash:role1,role2} gives the user roles for ACL
 * {@code role} sections. Lines starting with '#' and blank lines are ignored.
 */
public final class PasswordFile {

    /** One user's line. */
    public record Entry(String hash, Set<String> roles) {
        public Entry {
            roles = Set.copyOf(roles);
        }
    }

    private final Map<String, Entry> users;

    private PasswordFile(Map<String, Entry> users) {
        this.users = users;
    }

    public static PasswordFile empty() {
        return new PasswordFile(new LinkedHashMap<>());
    }

    /**
     * @throws IOException              when the file cannot be read
     * @throws IllegalArgumentException naming the line of a malformed entry (the line's content is not shown:
     *                                  it may hold a plain-text password)
     */
    public static PasswordFile load(Path file) throws IOException {
        Map<String, Entry> users = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected user:hash");
            }
            String user = line.substring(0, colon);
            String rest = line.substring(colon + 1);
            int second = rest.indexOf(':');
            String hash = second < 0 ? rest : rest.substring(0, second);
            Set<String> roles = second < 0 ? Set.of() : parseRoles(rest.substring(second + 1));
            if (!PasswordHash.isSupported(hash)) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": the password of user '" + user
                        + "' is not a $7$ or $6$ hash (plain-text passwords are not accepted)");
            }
            users.put(user, new Entry(hash, roles));
        }
        return new PasswordFile(users);
    }

    static Set<String> parseRoles(String text) {
        Set<String> roles = new LinkedHashSet<>();
        for (String r : text.split(",")) {
            if (!r.isBlank()) {
                roles.add(r.strip());
            }
        }
        return roles;
    }

    /** The user's entry, or null. */
    public Entry user(String name) {
        return users.get(name);
    }

    public Set<String> userNames() {
        return users.keySet();
    }

    public int size() {
        return users.size();
    }

    /** Adds or replaces a user with a new hash of the password. */
    public void put(String user, byte[] password, Set<String> roles, int iterations) {
        if (user.isEmpty() || user.indexOf(':') >= 0 || user.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a user name must not be empty nor contain ':' or a line break");
        }
        for (String r : roles) {
            if (r.indexOf(',') >= 0 || r.indexOf(':') >= 0 || r.isBlank()) {
                throw new IllegalArgumentException("invalid role name '" + r + "'");
            }
        }
        users.put(user, new Entry(PasswordHash.create(password, iterations), roles));
    }

    public boolean remove(String user) {
        return users.remove(user) != null;
    }

    /** Writes the file atomically (a reader never sees half a file), readable by the owner only where supported. */
    public void save(Path file) throws IOException {
        List<String> lines = new ArrayList<>(users.size());
        users.forEach((user, e) ->
                lines.add(user + ":" + e.hash() + (e.roles().isEmpty() ? "" : ":" + String.join(",", e.roles()))));
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, ".passwd", ".tmp");
        try {
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(
                        tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: keep the default permissions
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public String toString() {
        return users.size() + " users";
    }

    static void clear(byte[] secret) {
        if (secret != null) {
            Arrays.fill(secret, (byte) 0);
        }
    }
}
