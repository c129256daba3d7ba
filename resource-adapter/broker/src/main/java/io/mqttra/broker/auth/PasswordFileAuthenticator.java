package io.mqttra.broker.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Checks CONNECT user names and passwords against a Mosquitto-style password file ({@link PasswordFile}).
 *
 * <p>Hashing is deliberately slow, so it runs on the given executor, never on the event loop. The file is read
 * again when its modification time changes, so users added with {@link PasswordFileTool} count at the next
 * CONNECT without a restart. An unknown user costs the same hashing as a known one, so the answer time does
 * not tell which user names exist.
 */
public final class PasswordFileAuthenticator implements Authenticator {

    private static final Logger LOG = Logger.getLogger(PasswordFileAuthenticator.class.getName());

    private final Path file;
    private final Executor executor;
    private volatile PasswordFile users;
    /** Hashed for unknown users, with the work factor of the file's users, so both cost the same time. */
    private volatile String decoyHash;

    private volatile FileTime loadedVersion;

    /**
     * @param file     the password file; read now, so a missing or malformed file fails the start
     * @param executor runs the hashing (in the server: the WorkManager)
     * @throws UncheckedIOException     when the file cannot be read
     * @throws IllegalArgumentException when a line is malformed
     */
    public PasswordFileAuthenticator(Path file, Executor executor) {
        this.file = Objects.requireNonNull(file, "file");
        this.executor = Objects.requireNonNull(executor, "executor");
        try {
            this.loadedVersion = Files.getLastModifiedTime(file);
            this.users = PasswordFile.load(file);
            this.decoyHash = decoyFor(users);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read password file " + file + ": " + e.getMessage(), e);
        }
        LOG.info(() -> "MQTT password file " + file + ": " + users.size() + " users");
    }

    @Override
    public CompletionStage<AuthResult> authenticate(Credentials credentials) {
        if (credentials.userName() == null) {
            return CompletableFuture.completedFuture(AuthResult.refused(Refusal.BAD_CREDENTIALS, "no user name"));
        }
        return CompletableFuture.supplyAsync(() -> check(credentials), executor);
    }

    private AuthResult check(Credentials credentials) {
        reloadIfChanged();
        PasswordFile.Entry entry = users.user(credentials.userName());
        byte[] password = credentials.password();
        try {
            boolean match = PasswordHash.verify(
                    password == null ? new byte[0] : password, entry == null ? decoyHash : entry.hash());
            if (entry == null) {
                return AuthResult.refused(Refusal.BAD_CREDENTIALS, "unknown user");
            }
            if (password == null) {
                return AuthResult.refused(Refusal.BAD_CREDENTIALS, "no password");
            }
            if (!match) {
                return AuthResult.refused(Refusal.BAD_CREDENTIALS, "wrong password");
            }
            return AuthResult.granted(MqttPrincipal.user(credentials.userName(), entry.roles()));
        } finally {
            PasswordFile.clear(password);
        }
    }

    private void reloadIfChanged() {
        try {
            FileTime now = Files.getLastModifiedTime(file);
            if (now.equals(loadedVersion)) {
                return;
            }
            synchronized (this) {
                if (!now.equals(loadedVersion)) {
                    PasswordFile reloaded = PasswordFile.load(file);
                    users = reloaded;
                    decoyHash = decoyFor(reloaded);
                    loadedVersion = now;
                    LOG.info(() -> "MQTT password file " + file + " reloaded: " + reloaded.size() + " users");
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            // Keep serving with the users we had: a half-edited file must not lock everyone out.
            LOG.log(
                    Level.WARNING,
                    "MQTT password file " + file + " not reloaded, keeping the previous users: " + e.getMessage());
        }
    }

    private static String decoyFor(PasswordFile users) {
        int iterations = PasswordHash.DEFAULT_ITERATIONS;
        for (String name : users.userNames()) {
            iterations = PasswordHash.iterations(users.user(name).hash());
            break;
        }
        return PasswordHash.create(new byte[] {'x'}, iterations);
    }

    @Override
    public String toString() {
        return "password file " + file;
    }
}
