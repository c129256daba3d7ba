package io.mqttra.broker.sys;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of this build, written into a resource by the Maven build (resource filtering). */
public final class BrokerVersion {

    private static final String VERSION = load();

    private BrokerVersion() {}

    public static String get() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = BrokerVersion.class.getResourceAsStream("broker-version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.isBlank() && !v.startsWith("${")) {
                    return v.trim();
                }
            }
        } catch (IOException e) {
            // fall through: the build did not provide it (e.g. classes compiled by an IDE)
        }
        String manifest = BrokerVersion.class.getPackage().getImplementationVersion();
        return manifest != null ? manifest : "unknown";
    }
}
