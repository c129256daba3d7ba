package io.mqttra.broker.auth;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed ACL file, indexed by whom each rule is for, so that compiling one connection's permissions touches
 * only the rules for its user, its roles, the anonymous section and the patterns.
 */
public final class AclRules {

    /** One {@code topic} or {@code pattern} line. */
    record Rule(int access, String filter, int line) {}

    private final List<Rule> anonymous = new ArrayList<>();
    private final Map<String, List<Rule>> byUser = new HashMap<>();
    private final Map<String, List<Rule>> byRole = new HashMap<>();
    private final List<Rule> patterns = new ArrayList<>();

    AclRules() {}

    void addAnonymous(Rule r) {
        anonymous.add(r);
    }

    void addForUser(String user, Rule r) {
        byUser.computeIfAbsent(user, k -> new ArrayList<>()).add(r);
    }

    void addForRole(String role, Rule r) {
        byRole.computeIfAbsent(role, k -> new ArrayList<>()).add(r);
    }

    void addPattern(Rule r) {
        patterns.add(r);
    }

    List<Rule> anonymous() {
        return anonymous;
    }

    List<Rule> forUser(String user) {
        return byUser.getOrDefault(user, List.of());
    }

    List<Rule> forRole(String role) {
        return byRole.getOrDefault(role, List.of());
    }

    List<Rule> patterns() {
        return patterns;
    }

    /** Number of rules, for the start-up log line. */
    public int size() {
        int n = anonymous.size() + patterns.size();
        for (List<Rule> l : byUser.values()) {
            n += l.size();
        }
        for (List<Rule> l : byRole.values()) {
            n += l.size();
        }
        return n;
    }

    @Override
    public String toString() {
        return size() + " rules (" + byUser.size() + " users, " + byRole.size() + " roles, " + patterns.size()
                + " patterns)";
    }
}
