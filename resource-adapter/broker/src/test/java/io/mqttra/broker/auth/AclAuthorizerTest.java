package io.mqttra.broker.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Unit tests of the ACL file format and the compiled per-connection permissions. */
class AclAuthorizerTest {

    private static final List<String> ACL = List.of(
            "# anonymous clients",
            "topic read public/#",
            "",
            "user alice",
            "topic readwrite home/alice/#",
            "topic deny home/alice/secret",
            "topic write  shared/drop box",
            "user bob",
            "topic read sensors/+/temperature",
            "topic sensors/bob/#",
            "role operators",
            "topic read plant/#",
            "role mqtt-admins",
            "topic read $SYS/#",
            "pattern write devices/%c/status",
            "pattern read users/%u/inbox/#");

    private final AclAuthorizer acl = new AclAuthorizer(AclFile.parse(ACL, "test.acl"));

    private TopicPermissions user(String name, String clientId, String... roles) {
        return acl.permissions(MqttPrincipal.user(name, Set.of(roles)), clientId);
    }

    @Test
    void anonymousSectionAppliesOnlyToAnonymousClients() {
        TopicPermissions anon = acl.permissions(MqttPrincipal.ANONYMOUS, "c1");
        assertThat(anon.canReceive("public/news")).isTrue();
        assertThat(anon.canSubscribe("public/#")).isTrue();
        assertThat(anon.canPublish("public/news")).isFalse();
        assertThat(user("alice", "c2").canReceive("public/news")).isFalse();
    }

    @Test
    void userSectionGrantsReadWriteAndDenyWins() {
        TopicPermissions alice = user("alice", "a1");
        assertThat(alice.canPublish("home/alice/kitchen")).isTrue();
        assertThat(alice.canReceive("home/alice"))
                .as("a/# also matches a [MQTT-4.7.1-2]")
                .isTrue();
        assertThat(alice.canPublish("home/alice/secret")).isFalse();
        assertThat(alice.canReceive("home/alice/secret")).isFalse();
        assertThat(alice.canPublish("home/bob/kitchen")).isFalse();
        assertThat(alice.canPublish("shared/drop box"))
                .as("topics may contain spaces")
                .isTrue();
        assertThat(alice.canReceive("shared/drop box")).isFalse();
    }

    @Test
    void subscribeNeedsAReadRuleCoveringTheWholeFilter() {
        TopicPermissions bob = user("bob", "b1");
        assertThat(bob.canSubscribe("sensors/+/temperature")).isTrue();
        assertThat(bob.canSubscribe("sensors/kitchen/temperature")).isTrue();
        assertThat(bob.canSubscribe("sensors/#")).isFalse();
        assertThat(bob.canSubscribe("sensors/+/humidity")).isFalse();
        assertThat(bob.canSubscribe("sensors/bob/#")).isTrue();
        assertThat(bob.canSubscribe("#")).isFalse();
        // alice may subscribe to her subtree; the denied topic inside it is filtered per message
        TopicPermissions alice = user("alice", "a1");
        assertThat(alice.canSubscribe("home/alice/#")).isTrue();
        assertThat(alice.canSubscribe("home/alice/secret")).isFalse();
    }

    @Test
    void roleSectionsApplyToPrincipalsWithTheRole() {
        assertThat(user("carol", "c1", "operators").canReceive("plant/boiler/pressure"))
                .isTrue();
        assertThat(user("carol", "c1").canReceive("plant/boiler/pressure")).isFalse();
        assertThat(user("dave", "d1", "mqtt-admins").canSubscribe("$SYS/#")).isTrue();
    }

    @Test
    void patternsSubstituteUserNameAndClientId() {
        TopicPermissions bob = user("bob", "sensor-7");
        assertThat(bob.canPublish("devices/sensor-7/status")).isTrue();
        assertThat(bob.canPublish("devices/sensor-8/status")).isFalse();
        assertThat(bob.canSubscribe("users/bob/inbox/#")).isTrue();
        assertThat(bob.canReceive("users/alice/inbox/x")).isFalse();
        // the pattern applies to anonymous clients through %c, never through %u
        TopicPermissions anon = acl.permissions(MqttPrincipal.ANONYMOUS, "dev1");
        assertThat(anon.canPublish("devices/dev1/status")).isTrue();
        assertThat(anon.canSubscribe("users/+/inbox/#")).isFalse();
    }

    @Test
    void wildcardsOrSeparatorsInNamesNeverWidenAPattern() {
        assertThat(user("#", "c").canReceive("users/anyone/inbox/x")).isFalse();
        assertThat(user("+", "c").canSubscribe("users/+/inbox/#")).isFalse();
        assertThat(user("x", "a/b").canPublish("devices/a/b/status")).isFalse();
        assertThat(AclAuthorizer.substitute("d/%c/s", "u", "+")).isNull();
    }

    @Test
    void wildcardRulesDoNotReachDollarTopics() {
        AclAuthorizer all =
                new AclAuthorizer(AclFile.parse(List.of("user u", "topic readwrite #", "topic read +/x"), "t"));
        TopicPermissions u = all.permissions(MqttPrincipal.user("u", Set.of()), "c");
        assertThat(u.canReceive("anything/at/all")).isTrue();
        // [MQTT-4.7.2-1] '#' and '+' at the first level do not match topics starting with '$'
        assertThat(u.canReceive("$SYS/broker/load")).isFalse();
        assertThat(u.canSubscribe("$SYS/#")).isFalse();
        assertThat(u.canReceive("$x/x")).isFalse();
    }

    @Test
    void sysGuardKeepsSysToTheAdminRole() {
        Authorizer guarded = new SysTopicGuard(Authorizer.permitAll(), "mqtt-admins");
        TopicPermissions admin = guarded.permissions(MqttPrincipal.user("root", Set.of("mqtt-admins")), "c");
        TopicPermissions plain = guarded.permissions(MqttPrincipal.user("joe", Set.of()), "c");
        assertThat(admin.canSubscribe("$SYS/#")).isTrue();
        assertThat(admin.canReceive("$SYS/broker/clients")).isTrue();
        assertThat(plain.canSubscribe("$SYS/#")).isFalse();
        assertThat(plain.canReceive("$SYS/broker/clients")).isFalse();
        assertThat(plain.canPublish("$SYS/broker/clients")).isFalse();
        assertThat(plain.canPublish("$SYSTEM/x")).isTrue();
        assertThat(plain.canReceive("a/b")).isTrue();
    }

    @Test
    void malformedLinesNameTheLine() {
        assertThatThrownBy(() -> AclFile.parse(List.of("user a", "topic read a/#/b"), "bad.acl"))
                .hasMessageContaining("bad.acl line 2")
                .hasMessageContaining("a/#/b");
        assertThatThrownBy(() -> AclFile.parse(List.of("allow all"), "bad.acl"))
                .hasMessageContaining("line 1")
                .hasMessageContaining("unknown keyword");
        assertThatThrownBy(() -> AclFile.parse(List.of("user"), "bad.acl")).hasMessageContaining("missing user name");
    }

    @Test
    void rulesAreIndexedByPrincipal() {
        AclRules rules = AclFile.parse(ACL, "t");
        assertThat(rules.size()).isEqualTo(10);
        assertThat(rules.forUser("alice")).hasSize(3);
        assertThat(rules.forRole("operators")).hasSize(1);
        assertThat(rules.patterns()).hasSize(2);
    }
}
