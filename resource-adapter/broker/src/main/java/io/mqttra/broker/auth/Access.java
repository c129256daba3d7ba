package io.mqttra.broker.auth;

/**
 * Access bits of an ACL rule. Grants and denials are separate bits so that one trie lookup can answer
 * "granted and not denied" for an operation: a matching denial wins over any matching grant.
 */
final class Access {

    static final int READ = 1;
    static final int WRITE = 2;
    static final int READWRITE = READ | WRITE;
    static final int DENY_READ = READ << 2;
    static final int DENY_WRITE = WRITE << 2;
    /** Mosquitto's {@code topic deny <filter>}: neither read nor write. */
    static final int DENY = DENY_READ | DENY_WRITE;

    private Access() {}

    /** Whether the bits collected for a topic allow the operation ({@link #READ} or {@link #WRITE}). */
    static boolean allows(int bits, int operation) {
        return (bits & operation) != 0 && (bits & (operation << 2)) == 0;
    }

    /** Parses an access keyword of an ACL line; -1 when the word is not one. */
    static int parse(String word) {
        return switch (word) {
            case "read" -> READ;
            case "write" -> WRITE;
            case "readwrite" -> READWRITE;
            case "deny" -> DENY;
            default -> -1;
        };
    }

    static String describe(int bits) {
        if ((bits & DENY) == DENY) {
            return "deny";
        }
        return switch (bits & READWRITE) {
            case READ -> "read";
            case WRITE -> "write";
            default -> "readwrite";
        };
    }
}
