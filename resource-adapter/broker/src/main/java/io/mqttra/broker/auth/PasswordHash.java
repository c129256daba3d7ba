package io.mqttra.broker.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Password hashes in the format of Mosquitto's password files, so files made by {@code mosquitto_passwd} work:
 * <ul>
 *   <li>{@code $7$<iterations>$<salt>$<hash>}: PBKDF2 with HMAC-SHA512, 64-byte hash (Mosquitto 2.x default);</li>
 *   <li>{@code $6$<salt>$<hash>}: one round of SHA-512 over password and salt (Mosquitto 1.x; read only).</li>
 * </ul>
 * Salt and hash are Base64. The password is hashed as the raw bytes the client sent, as Mosquitto does.
 */
public final class PasswordHash {

    /** Iterations for new hashes: far above Mosquitto's 101, since verification runs off the event loop anyway. */
    public static final int DEFAULT_ITERATIONS = 100_000;

    private static final int SALT_BYTES = 12;
    private static final int HASH_BYTES = 64;
    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordHash() {}

    /** A new {@code $7$} hash of the password with a random salt. */
    public static String create(byte[] password, int iterations) {
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be at least 1: " + iterations);
        }
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] hash = pbkdf2Sha512(password, salt, iterations);
        Base64.Encoder b64 = Base64.getEncoder();
        return "$7$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    /** Whether the string has one of the supported shapes (used when loading a file, to fail early). */
    public static boolean isSupported(String encoded) {
        try {
            parse(encoded);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The work factor of an encoded hash: its PBKDF2 iterations, 1 for a $6$ hash. */
    public static int iterations(String encoded) {
        return Math.max(1, parse(encoded).iterations);
    }

    /** Checks a password against an encoded hash in constant time (for equal-length hashes). */
    public static boolean verify(byte[] password, String encoded) {
        Parsed p = parse(encoded);
        byte[] actual = p.iterations > 0 ? pbkdf2Sha512(password, p.salt, p.iterations) : sha512(password, p.salt);
        try {
            return MessageDigest.isEqual(actual, p.hash);
        } finally {
            Arrays.fill(actual, (byte) 0);
        }
    }

    private record Parsed(int iterations, byte[] salt, byte[] hash) {}

    private static Parsed parse(String encoded) {
        if (encoded == null) {
            throw new IllegalArgumentException("no hash");
        }
        String[] parts = encoded.split("\\$", -1);
        try {
            Base64.Decoder b64 = Base64.getDecoder();
            if (parts.length == 5 && parts[0].isEmpty() && parts[1].equals("7")) {
                int iterations = Integer.parseInt(parts[2]);
                if (iterations < 1) {
                    throw new IllegalArgumentException("iterations below 1");
                }
                return new Parsed(iterations, b64.decode(parts[3]), b64.decode(parts[4]));
            }
            if (parts.length == 4 && parts[0].isEmpty() && parts[1].equals("6")) {
                return new Parsed(0, b64.decode(parts[2]), b64.decode(parts[3]));
            }
        } catch (IllegalArgumentException e) { // NumberFormatException is one too
            throw new IllegalArgumentException("malformed password hash: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("unsupported password hash (expected $7$ PBKDF2-SHA512 or $6$ SHA-512)");
    }

    /** PBKDF2 (RFC 8018) with HMAC-SHA512 over raw password bytes; one 64-byte block is all a $7$ hash needs. */
    static byte[] pbkdf2Sha512(byte[] password, byte[] salt, int iterations) {
        try {
            Mac mac = Mac.getInstance("HmacSHA512");
            // HMAC pads short keys with zeros, so an empty password is the same key as one zero byte
            // (SecretKeySpec refuses an empty array).
            mac.init(new SecretKeySpec(password.length == 0 ? new byte[1] : password, "HmacSHA512"));
            mac.update(salt);
            mac.update(new byte[] {0, 0, 0, 1});
            byte[] u = mac.doFinal();
            byte[] t = u.clone();
            for (int i = 1; i < iterations; i++) {
                u = mac.doFinal(u);
                for (int j = 0; j < HASH_BYTES; j++) {
                    t[j] ^= u[j];
                }
            }
            return t;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA512 is not available in this JVM", e);
        }
    }

    private static byte[] sha512(byte[] password, byte[] salt) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-512");
            md.update(password);
            md.update(salt);
            return md.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-512 is not available in this JVM", e);
        }
    }
}
