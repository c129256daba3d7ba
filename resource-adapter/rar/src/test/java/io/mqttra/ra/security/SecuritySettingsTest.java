package io.mqttra.ra.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttra.broker.auth.AclAuthorizer;
import io.mqttra.broker.auth.PasswordFile;
import io.mqttra.broker.auth.PasswordFileAuthenticator;
import io.mqttra.broker.config.BrokerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unit test of the adapter's security properties: secure defaults and validation. */
class SecuritySettingsTest {

    @TempDir
    Path dir;

    private final Executor direct = Runnable::run;

    private static SecuritySettings with(AuthMode mode, String passwordFile, String aclFile, boolean allowNetwork) {
        SecuritySettings d = SecuritySettings.defaults();
        return new SecuritySettings(
                mode,
                d.realmName(),
                d.requiredGroup(),
                passwordFile,
                aclFile,
                true,
                "admins",
                allowNetwork,
                false,
                100,
                1000);
    }

    @Test
    void withoutAuthenticationTheListenerIsForcedOntoLoopback() {
        SecuritySettings none = SecuritySettings.defaults();
        assertThat(none.mode()).isEqualTo(AuthMode.NONE);
        assertThat(none.effectiveBindAddress("0.0.0.0")).isEqualTo("127.0.0.1");
        assertThat(none.effectiveBindAddress("::1")).isEqualTo("::1");
        assertThat(none.effectiveBindAddress(null)).isEqualTo("127.0.0.1");
        assertThat(with(AuthMode.NONE, null, null, true).effectiveBindAddress("0.0.0.0"))
                .isEqualTo("0.0.0.0");
    }

    @Test
    void withAuthenticationTheConfiguredAddressIsKept() {
        assertThat(with(AuthMode.REALM, null, null, false).effectiveBindAddress("0.0.0.0"))
                .isEqualTo("0.0.0.0");
    }

    @Test
    void passwordFileModeConfiguresAuthenticatorAclAndThrottle() throws Exception {
        Path users = dir.resolve("users");
        PasswordFile f = PasswordFile.empty();
        f.put("u", "p".getBytes(), Set.of(), 10);
        f.save(users);
        Path acl = dir.resolve("acl");
        Files.writeString(acl, "user u\ntopic readwrite u/#\n");
        BrokerConfig config = with(AuthMode.PASSWORD_FILE, users.toString(), acl.toString(), false)
                .applyTo(BrokerConfig.builder(), "0.0.0.0", direct)
                .build();
        assertThat(config.authenticator()).isInstanceOf(PasswordFileAuthenticator.class);
        assertThat(config.authorizer()).isInstanceOf(AclAuthorizer.class);
        assertThat(config.sysAdminOnly()).isTrue();
        assertThat(config.adminRole()).isEqualTo("admins");
        assertThat(config.bindAddress()).isEqualTo("0.0.0.0");
        assertThat(config.loginFailureDelayMillis()).isEqualTo(100);
        assertThat(config.maxLoginFailureDelayMillis()).isEqualTo(1000);
    }

    @Test
    void anonymousAccessIsOptIn() throws Exception {
        Path users = dir.resolve("users");
        PasswordFile.empty().save(users);
        SecuritySettings d = SecuritySettings.defaults();
        SecuritySettings open = new SecuritySettings(
                AuthMode.PASSWORD_FILE, null, null, users.toString(), null, false, d.adminRole(), false, true, 0, 0);
        var anonymous = new io.mqttra.broker.auth.Credentials("c", null, null, null, 4);
        assertThat(open.authenticator(direct)
                        .authenticate(anonymous)
                        .toCompletableFuture()
                        .get())
                .isInstanceOf(io.mqttra.broker.auth.AuthResult.Granted.class);
        assertThat(with(AuthMode.PASSWORD_FILE, users.toString(), null, false)
                        .authenticator(direct)
                        .authenticate(anonymous)
                        .toCompletableFuture()
                        .get())
                .isInstanceOf(io.mqttra.broker.auth.AuthResult.Refused.class);
    }

    @Test
    void noneModeHasNoAuthenticatorAndStaysOnLoopback() {
        BrokerConfig config = SecuritySettings.defaults()
                .applyTo(BrokerConfig.builder(), "0.0.0.0", direct)
                .build();
        assertThat(config.authenticator()).isNull();
        assertThat(config.authorizer()).isNull();
        assertThat(config.bindAddress()).isEqualTo("127.0.0.1");
    }

    @Test
    void missingFilesAndUnknownModesAreNamed() {
        assertThatThrownBy(() ->
                        with(AuthMode.PASSWORD_FILE, null, null, false).applyTo(BrokerConfig.builder(), "x", direct))
                .hasMessageContaining("passwordFile");
        assertThatThrownBy(
                        () -> with(AuthMode.PASSWORD_FILE, dir.resolve("nope").toString(), null, false)
                                .applyTo(BrokerConfig.builder(), "x", direct))
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> AuthMode.parse("ldap")).hasMessageContaining("none, realm or password-file");
        assertThat(AuthMode.parse("Password-File")).isEqualTo(AuthMode.PASSWORD_FILE);
        assertThat(AuthMode.parse("")).isEqualTo(AuthMode.NONE);
    }
}
