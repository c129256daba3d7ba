package io.mqttra.ra;

import java.lang.reflect.Method;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Values that override the adapter's config properties, looked up by MicroProfile Config names such as
 * {@code mqtt.port}. MicroProfile Config maps such a name to the environment variable {@code MQTT_PORT}, so an
 * operator can set either a system property or an environment variable (or any other config source of the server).
 *
 * <p>MicroProfile Config is reached reflectively: the RAR also runs in servers without it, and then the same two
 * default sources (system properties, then environment variables with the same name mapping) are read directly.
 */
final class ConfigOverrides {

    private static final Logger LOG = Logger.getLogger(ConfigOverrides.class.getName());

    private final Function<String, Optional<String>> source;
    private final String sourceName;

    private ConfigOverrides(Function<String, Optional<String>> source, String sourceName) {
        this.source = source;
        this.sourceName = sourceName;
    }

    /** Reads MicroProfile Config if the server offers it, else system properties and environment variables. */
    static ConfigOverrides fromServer() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        try {
            Class<?> provider = Class.forName("org.eclipse.microprofile.config.ConfigProvider", true, loader);
            Object config = provider.getMethod("getConfig").invoke(null);
            Method getOptionalValue = Class.forName("org.eclipse.microprofile.config.Config", true, loader)
                    .getMethod("getOptionalValue", String.class, Class.class);
            return new ConfigOverrides(
                    name -> microProfileValue(config, getOptionalValue, name), "MicroProfile Config");
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            LOG.log(Level.FINE, "No MicroProfile Config available; reading system properties and environment", e);
            return fromSystem(System::getProperty, System::getenv);
        }
    }

    /** The MicroProfile Config default sources without MicroProfile Config: system property, then environment. */
    static ConfigOverrides fromSystem(Function<String, String> systemProperties, Function<String, String> environment) {
        return new ConfigOverrides(
                name -> Optional.ofNullable(systemProperties.apply(name))
                        .or(() -> Optional.ofNullable(environment.apply(name)))
                        .or(() -> Optional.ofNullable(environment.apply(environmentName(name)))),
                "system properties and environment variables");
    }

    /** The value configured under the name, if any (blank counts as unset). */
    Optional<String> value(String name) {
        return source.apply(name).map(String::trim).filter(v -> !v.isEmpty());
    }

    String sourceName() {
        return sourceName;
    }

    /** MicroProfile Config's environment-variable mapping: {@code mqtt.bind.address} -> {@code MQTT_BIND_ADDRESS}. */
    static String environmentName(String name) {
        StringBuilder b = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            b.append(Character.isLetterOrDigit(c) ? c : '_');
        }
        return b.toString().toUpperCase(Locale.ROOT);
    }

    @SuppressWarnings("unchecked")
    private static Optional<String> microProfileValue(Object config, Method getOptionalValue, String name) {
        try {
            return (Optional<String>) getOptionalValue.invoke(config, name, String.class);
        } catch (ReflectiveOperationException e) {
            LOG.log(Level.WARNING, "Cannot read " + name + " from MicroProfile Config", e);
            return Optional.empty();
        }
    }
}
