package io.mqttra.broker.auth;

import io.mqttra.broker.routing.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads an ACL file in Mosquitto's format, extended with role sections:
 * <pre>
 * # topic lines before any user/role line apply to anonymous clients
 * topic read public/#
 *
 * user alice
 * topic readwrite home/alice/#
 * topic deny home/alice/secret
 *
 * role mqtt-admins            (extension: every principal with this role / realm group)
 * topic read $SYS/#
 *
 * pattern write devices/%c/status   (anywhere: every client; %u = user name, %c = client id)
 * </pre>
 * The access word is {@code read}, {@code write}, {@code readwrite} (the default when omitted) or {@code deny};
 * a denial wins over any grant. Everything not granted is denied.
 */
public final class AclFile {

    private AclFile() {}

    public static AclRules load(Path file) {
        try {
            return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read ACL file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param source name used in error messages
     * @throws IllegalArgumentException naming the source and line of the first malformed line
     */
    public static AclRules parse(List<String> lines, String source) {
        AclRules rules = new AclRules();
        String user = null;
        String role = null;
        for (int i = 0; i < lines.size(); i++) {
            int lineNo = i + 1;
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int sp = indexOfSpace(line);
            String keyword = sp < 0 ? line : line.substring(0, sp);
            String rest = sp < 0 ? "" : line.substring(sp + 1).strip();
            switch (keyword) {
                case "user" -> {
                    user = requireValue(rest, "user name", source, lineNo);
                    role = null;
                }
                case "role" -> {
                    role = requireValue(rest, "role name", source, lineNo);
                    user = null;
                }
                case "topic", "pattern" -> {
                    AclRules.Rule rule = rule(rest, keyword.equals("pattern"), source, lineNo);
                    if (keyword.equals("pattern")) {
                        rules.addPattern(rule);
                    } else if (user != null) {
                        rules.addForUser(user, rule);
                    } else if (role != null) {
                        rules.addForRole(role, rule);
                    } else {
                        rules.addAnonymous(rule);
                    }
                }
                default ->
                    throw new IllegalArgumentException(source + " line " + lineNo + ": unknown keyword '" + keyword
                            + "' (expected user, role, topic or pattern)");
            }
        }
        return rules;
    }

    private static AclRules.Rule rule(String rest, boolean pattern, String source, int lineNo) {
        int sp = indexOfSpace(rest);
        int access = Access.parse(sp < 0 ? rest : rest.substring(0, sp));
        String filter;
        if (access < 0) {
            access = Access.READWRITE; // Mosquitto: no access word means readwrite
            filter = rest;
        } else {
            filter = sp < 0 ? "" : rest.substring(sp + 1).strip();
        }
        // Patterns are checked again after substitution; here only their shape.
        String check = pattern ? filter.replace("%u", "u").replace("%c", "c") : filter;
        if (!Topics.isValidFilter(check)) {
            throw new IllegalArgumentException(source + " line " + lineNo + ": invalid topic filter '" + filter + "'");
        }
        return new AclRules.Rule(access, filter, lineNo);
    }

    private static String requireValue(String value, String what, String source, int lineNo) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException(source + " line " + lineNo + ": missing " + what);
        }
        return value;
    }

    private static int indexOfSpace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
