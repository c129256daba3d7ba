package io.mqttra.ra.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttra.broker.auth.AuthResult;
import io.mqttra.broker.auth.Credentials;
import io.mqttra.broker.auth.Refusal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Unit test of the realm authenticator's reflection and mapping, against a stand-in realm registry. */
class RealmAuthenticatorTest {

    private final ExecutorService pool = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private RealmAuthenticator realm(String name, String requiredGroup) throws Exception {
        return new RealmAuthenticator(
                new PayaraRealm(name, getClass().getClassLoader(), StandInRealms.class.getName()), requiredGroup, pool);
    }

    private static AuthResult login(RealmAuthenticator a, String user, String password) throws Exception {
        Credentials c = new Credentials(
                "c1",
                user,
                password == null ? null : password.getBytes(StandardCharsets.UTF_8),
                new InetSocketAddress("127.0.0.1", 5000),
                5);
        return a.authenticate(c).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void realmGroupsBecomeRoles() throws Exception {
        AuthResult r = login(realm("file", "mqtt-users"), "alice", "secret");
        assertThat(r).isInstanceOf(AuthResult.Granted.class);
        assertThat(((AuthResult.Granted) r).principal().roles()).containsExactlyInAnyOrder("mqtt-users", "mqtt-admins");
        assertThat(((AuthResult.Granted) r).principal().name()).isEqualTo("alice");
    }

    @Test
    void wrongPasswordUnknownUserAndMissingPasswordAreBadCredentials() throws Exception {
        RealmAuthenticator a = realm("file", "mqtt-users");
        assertThat(((AuthResult.Refused) login(a, "alice", "wrong")).reason()).isEqualTo(Refusal.BAD_CREDENTIALS);
        assertThat(((AuthResult.Refused) login(a, "mallory", "secret")).reason())
                .isEqualTo(Refusal.BAD_CREDENTIALS);
        assertThat(((AuthResult.Refused) login(a, "alice", null)).reason()).isEqualTo(Refusal.BAD_CREDENTIALS);
        assertThat(((AuthResult.Refused) login(a, null, null)).reason()).isEqualTo(Refusal.BAD_CREDENTIALS);
    }

    @Test
    void aUserOutsideTheRequiredGroupIsNotAuthorized() throws Exception {
        AuthResult r = login(realm("file", "mqtt-users"), "carol", "pw");
        assertThat(((AuthResult.Refused) r).reason()).isEqualTo(Refusal.NOT_AUTHORIZED);
        assertThat(login(realm("file", ""), "carol", "pw")).isInstanceOf(AuthResult.Granted.class);
    }

    @Test
    void ldapStyleRealmsAreCheckedThroughFindAndBind() throws Exception {
        RealmAuthenticator a = realm("ldap", "mqtt-users");
        assertThat(login(a, "dave", "pw")).isInstanceOf(AuthResult.Granted.class);
        assertThat(((AuthResult.Refused) login(a, "dave", "nope")).reason()).isEqualTo(Refusal.BAD_CREDENTIALS);
    }

    @Test
    void missingOrUnsuitableRealmsAreUnavailableAndSaySo() throws Exception {
        AuthResult missing = login(realm("nosuch", null), "alice", "secret");
        assertThat(((AuthResult.Refused) missing).reason()).isEqualTo(Refusal.UNAVAILABLE);
        assertThat(((AuthResult.Refused) missing).detail()).contains("nosuch").doesNotContain("secret");
        AuthResult cert = login(realm("cert", null), "alice", "secret");
        assertThat(((AuthResult.Refused) cert).detail()).contains("cannot check passwords");
    }

    @Test
    void outsidePayaraTheAuthenticatorCannotBeCreated() {
        // In a plain JVM there is no com.sun.enterprise realm registry: fail at start, not at the first CONNECT.
        assertThatThrownBy(() -> new RealmAuthenticator("file", null, pool))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Payara");
    }
}
