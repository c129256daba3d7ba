package io.mqttra.persistence;

import io.mqttra.api.admin.SessionInfo;
import io.mqttra.broker.MqttBroker;
import io.mqttra.broker.config.BrokerConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Child JVM of the tests that need a broker on a real H2 file in a JVM of its own: a bounded heap, or a restart.
 * Prints {@code PORT n} once listening, then answers commands on stdin, one per line:
 * <ul>
 *   <li>{@code STATS clientId}: {@code STATS queued usedHeapAfterGc storedMessages queueEntries sessions}, where
 *       queued is the session's count of waiting messages (-1 without such a session) and sessions the number of
 *       sessions the broker holds</li>
 *   <li>{@code STOP}: stops the broker, closes the store, prints {@code STOPPED} and exits.</li>
 * </ul>
 * Arguments: H2 directory, max queued messages per session, store cleanup interval in ms.
 */
public final class BrokerChild {

    public static void main(String[] args) throws Exception {
        StoreSettings settings = StoreSettings.h2File(Path.of(args[0]))
                .withCleanupInterval(java.time.Duration.ofMillis(Long.parseLong(args[2])));
        JpaStores store = JpaStores.open(settings, TestDatabases.THREADS);
        MqttBroker broker = new MqttBroker(
                BrokerConfig.builder()
                        .port(0)
                        .ioThreads(2)
                        .maxQueuedMessages(Integer.parseInt(args[1]))
                        .build(),
                null,
                store.stores());
        broker.start();
        System.out.println("PORT " + broker.port());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith("STATS ")) {
                String clientId = line.substring(6);
                long queued = -1;
                for (SessionInfo s : broker.administration().sessions()) {
                    if (s.clientId().equals(clientId)) {
                        queued = s.queued();
                    }
                }
                System.gc();
                Runtime rt = Runtime.getRuntime();
                System.out.println("STATS " + queued + " "
                        + (rt.totalMemory() - rt.freeMemory()) + " "
                        + store.messages().storedMessageCount() + " "
                        + store.messages().queueEntryCount() + " "
                        + broker.administration().sessions().size());
            } else if (line.equals("STOP")) {
                broker.stop();
                store.close();
                System.out.println("STOPPED");
                System.out.flush();
                return;
            }
            System.out.flush();
        }
    }

    private BrokerChild() {}
}
