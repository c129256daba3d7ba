package io.mqttra.ra;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicsTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "light-switch/status", "/", "a//b", "$SYS/broker", "grüße/🌡"})
    void validTopicNames(String topic) {
        assertThat(Topics.topicNameProblem(topic)).isNull();
    }

    @Test
    void topicNameMustNotBeEmpty_MQTT_4_7_3_1() {
        assertThat(Topics.topicNameProblem("")).contains("at least one character");
        assertThat(Topics.topicNameProblem(null)).contains("at least one character");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/+", "#", "a/#", "a+b", "sport/tennis#"})
    void topicNameMustNotContainWildcards_MQTT_4_7_1_1_and_MQTT_3_3_2_2(String topic) {
        assertThat(Topics.topicNameProblem(topic)).contains("wildcards");
    }

    @Test
    void topicMustNotContainNullCharacter_MQTT_4_7_3_2() {
        assertThat(Topics.topicNameProblem("a\u0000b")).contains("U+0000");
        assertThat(Topics.topicFilterProblem("a/\u0000")).contains("U+0000");
    }

    @Test
    void topicMustBeWellFormedUtf8_MQTT_1_5_4_1() {
        assertThat(Topics.topicNameProblem("a\uD800")).contains("surrogate");
        assertThat(Topics.topicNameProblem("\uDC00a")).contains("surrogate");
    }

    @Test
    void topicMustNotExceed65535Bytes_MQTT_4_7_3_3() {
        assertThat(Topics.topicNameProblem("a".repeat(65_535))).isNull();
        assertThat(Topics.topicNameProblem("a".repeat(65_536))).contains("65,535 bytes");
        assertThat(Topics.topicNameProblem("é".repeat(32_768))).contains("65,535 bytes"); // 2 bytes each
    }

    @ParameterizedTest
    @ValueSource(strings = {"#", "+", "a/#", "a/+/c", "+/+", "/+", "$share/group/a/#", "$share/g/+"})
    void validTopicFilters(String filter) {
        assertThat(Topics.topicFilterProblem(filter)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/#/c", "a#", "a/b#", "#/a"})
    void multiLevelWildcardMustBeLastAndAlone_MQTT_4_7_1_2(String filter) {
        assertThat(Topics.topicFilterProblem(filter)).contains("'#'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a+", "a/b+/c", "+a"})
    void singleLevelWildcardMustFillALevel_MQTT_4_7_1_3(String filter) {
        assertThat(Topics.topicFilterProblem(filter)).contains("'+'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"$share//a", "$share/g+/a", "$share/g", "$share/g/"})
    void sharedSubscriptionNeedsShareNameAndFilter_MQTT_4_8_2_1_and_MQTT_4_8_2_2(String filter) {
        assertThat(Topics.topicFilterProblem(filter)).isNotNull();
    }

    @Test
    void matchingFollowsTheWildcardRules() {
        assertThat(Topics.matches("a/+/c", "a/b/c")).isTrue();
        assertThat(Topics.matches("a/+/c", "a/b/d")).isFalse();
        assertThat(Topics.matches("a/#", "a")).isTrue(); // '#' includes the parent level
        assertThat(Topics.matches("a/#", "a/b/c")).isTrue();
        assertThat(Topics.matches("+", "a/b")).isFalse();
        assertThat(Topics.matches("+/+", "/a")).isTrue();
        assertThat(Topics.matches("$share/g/a/+", "a/b")).isTrue();
    }

    @Test
    void wildcardFirstFiltersDoNotMatchDollarTopics_MQTT_4_7_2_1() {
        assertThat(Topics.matches("#", "$SYS/broker")).isFalse();
        assertThat(Topics.matches("+/broker", "$SYS/broker")).isFalse();
        assertThat(Topics.matches("$SYS/#", "$SYS/broker")).isTrue();
    }
}
