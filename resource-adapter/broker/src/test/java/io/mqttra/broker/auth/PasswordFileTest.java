package io.mqttra.broker.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Password hashes, the password file and its tool, checked against Mosquitto's own mosquitto_passwd. */
class PasswordFileTest {

    @TempDir
    Path dir;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void pbkdf2MatchesTheRfc6070StyleReferenceVector() throws Exception {
        // PBKDF2-HMAC-SHA512("password", "salt", 1) from the widely published test vectors
        byte[] dk = PasswordHash.pbkdf2Sha512(utf8("password"), utf8("salt"), 1);
        assertThat(java.util.HexFormat.of().formatHex(dk)).startsWith("867f70cf1ade02cff3752599a3a53dc4");
        byte[] dk2 = PasswordHash.pbkdf2Sha512(utf8("password"), utf8("salt"), 2);
        assertThat(java.util.HexFormat.of().formatHex(dk2)).startsWith("e1d9c16aa681708a45f5c7c4e215ceb6");
    }

    @Test
    void createdHashesVerify() {
        String h = PasswordHash.create(utf8("s3cret"), 1000);
        assertThat(h).startsWith("$7$1000$");
        assertThat(PasswordHash.verify(utf8("s3cret"), h)).isTrue();
        assertThat(PasswordHash.verify(utf8("s3cret!"), h)).isFalse();
        assertThat(PasswordHash.verify(new byte[0], PasswordHash.create(new byte[0], 10)))
                .isTrue();
    }

    @Test
    void readsFilesWrittenByMosquittoPasswd() throws Exception {
        Path file = dir.resolve("mosquitto.passwd");
        Process p = new ProcessBuilder("mosquitto_passwd", "-c", "-b", file.toString(), "alice", "wonderland")
                .redirectErrorStream(true)
                .start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        p = new ProcessBuilder("mosquitto_passwd", "-H", "sha512", "-b", file.toString(), "bob", "builder")
                .redirectErrorStream(true)
                .start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

        PasswordFile users = PasswordFile.load(file);
        assertThat(users.user("alice").hash()).startsWith("$7$");
        assertThat(users.user("bob").hash()).startsWith("$6$");
        assertThat(PasswordHash.verify(utf8("wonderland"), users.user("alice").hash()))
                .isTrue();
        assertThat(PasswordHash.verify(utf8("wonderlandx"), users.user("alice").hash()))
                .isFalse();
        assertThat(PasswordHash.verify(utf8("builder"), users.user("bob").hash()))
                .isTrue();
        assertThat(PasswordHash.verify(utf8("bulider"), users.user("bob").hash()))
                .isFalse();
    }

    @Test
    void toolAddsUpdatesAndDeletesUsersWithRoles() throws Exception {
        Path file = dir.resolve("users.passwd");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertThat(PasswordFileTool.run(new String[] {"-c", "-I", "50", "-b", file.toString(), "alice", "pw1"}, ps, ps))
                .isZero();
        assertThat(PasswordFileTool.run(
                        new String[] {"-r", "mqtt-admins,operators", "-I", "50", "-b", file.toString(), "root", "pw2"},
                        ps,
                        ps))
                .isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("pw1").doesNotContain("pw2");

        PasswordFile users = PasswordFile.load(file);
        assertThat(users.userNames()).containsExactly("alice", "root");
        assertThat(users.user("root").roles()).containsExactlyInAnyOrder("mqtt-admins", "operators");
        assertThat(PasswordHash.verify(utf8("pw2"), users.user("root").hash())).isTrue();
        assertThat(Files.readString(file)).doesNotContain("pw1");

        assertThat(PasswordFileTool.run(new String[] {"-D", file.toString(), "alice"}, ps, ps))
                .isZero();
        assertThat(PasswordFile.load(file).userNames()).containsExactly("root");
        assertThat(PasswordFileTool.run(new String[] {"-D", file.toString(), "nobody"}, ps, ps))
                .isEqualTo(1);
        assertThat(PasswordFileTool.run(new String[] {file.toString()}, ps, ps)).isEqualTo(2);
    }

    @Test
    void plainTextPasswordsAreRefusedWithoutShowingThem() throws Exception {
        Path file = dir.resolve("plain.passwd");
        Files.write(file, List.of("alice:topsecret"));
        assertThatThrownBy(() -> PasswordFile.load(file))
                .hasMessageContaining("line 1")
                .hasMessageContaining("alice")
                .hasMessageNotContaining("topsecret");
    }

    @Test
    void rolesSurviveASaveAndLoad() throws Exception {
        Path file = dir.resolve("r.passwd");
        PasswordFile f = PasswordFile.empty();
        f.put("u", utf8("p"), Set.of("a", "b"), 10);
        f.save(file);
        assertThat(PasswordFile.load(file).user("u").roles()).containsExactlyInAnyOrder("a", "b");
    }
}
