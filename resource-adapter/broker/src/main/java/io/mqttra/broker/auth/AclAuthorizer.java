package io.mqttra.broker.auth;

import io.mqttra.broker.routing.Topics;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Authorizes with an ACL file ({@link AclFile}): at CONNECT it gathers the rules that concern the principal
 * (its user section, its role sections, or the anonymous section, plus every pattern with {@code %u} and
 * {@code %c} filled in) into one {@link FilterTrie}; the connection then asks only that trie.
 */
public final class AclAuthorizer implements Authorizer {

    private final AclRules rules;

    public AclAuthorizer(AclRules rules) {
        this.rules = java.util.Objects.requireNonNull(rules, "rules");
    }

    @Override
    public TopicPermissions permissions(MqttPrincipal principal, String clientId) {
        FilterTrie trie = new FilterTrie();
        if (principal.isAnonymous()) {
            rules.anonymous().forEach(r -> trie.add(r.filter(), r.access()));
        } else {
            rules.forUser(principal.name()).forEach(r -> trie.add(r.filter(), r.access()));
            for (String role : principal.roles()) {
                rules.forRole(role).forEach(r -> trie.add(r.filter(), r.access()));
            }
        }
        for (AclRules.Rule p : rules.patterns()) {
            String filter = substitute(p.filter(), principal.name(), clientId);
            if (filter != null && Topics.isValidFilter(filter)) {
                trie.add(filter, p.access());
            }
        }
        return new Compiled(trie, principal, clientId);
    }

    /**
     * Fills in {@code %u} and {@code %c}. Null (the pattern does not apply) when a needed value is missing or
     * contains a wildcard or a level separator: a user called {@code #} must not gain every topic, and a client
     * id {@code a/b} must not reach into another client's subtree (stricter than Mosquitto, which only refuses
     * wildcards).
     */
    static String substitute(String pattern, String user, String clientId) {
        String out = pattern;
        if (out.contains("%u")) {
            if (!isSafeLevel(user)) {
                return null;
            }
            out = out.replace("%u", user);
        }
        if (out.contains("%c")) {
            if (!isSafeLevel(clientId)) {
                return null;
            }
            out = out.replace("%c", clientId);
        }
        return out;
    }

    private static boolean isSafeLevel(String value) {
        return value != null
                && !value.isEmpty()
                && value.indexOf('+') < 0
                && value.indexOf('#') < 0
                && value.indexOf('/') < 0;
    }

    @Override
    public String toString() {
        return "ACL " + rules;
    }

    /**
     * One connection's permissions. Publish and receive decisions are also remembered per topic, since a
     * connection usually publishes and receives on a small set of topics; the memory is bounded.
     */
    private static final class Compiled implements TopicPermissions {

        private static final int MAX_REMEMBERED = 256;

        private final FilterTrie trie;
        private final ConcurrentHashMap<String, Integer> remembered = new ConcurrentHashMap<>();
        private final MqttPrincipal principal;
        private final String clientId;

        Compiled(FilterTrie trie, MqttPrincipal principal, String clientId) {
            this.trie = trie;
            this.principal = principal;
            this.clientId = clientId;
        }

        private int bits(String topic) {
            Integer known = remembered.get(topic);
            if (known != null) {
                return known;
            }
            int bits = trie.match(topic);
            if (remembered.size() >= MAX_REMEMBERED) {
                remembered.clear(); // cheap bound; a connection that spreads over many topics just re-walks the trie
            }
            remembered.put(topic, bits);
            return bits;
        }

        @Override
        public boolean canPublish(String topic) {
            return Access.allows(bits(topic), Access.WRITE);
        }

        @Override
        public boolean canReceive(String topic) {
            return Access.allows(bits(topic), Access.READ);
        }

        @Override
        public boolean canSubscribe(String filter) {
            // Granted when a read rule covers the whole filter and no denial covers it; a denial that covers
            // only part of it (deny a/secret under read a/#) is enforced per message by canReceive.
            return Access.allows(trie.covering(filter), Access.READ);
        }

        @Override
        public String toString() {
            return "ACL of " + principal + " / " + clientId + " (" + trie.size() + " rules)";
        }
    }
}
