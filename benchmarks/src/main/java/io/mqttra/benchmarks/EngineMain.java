package io.mqttra.benchmarks;

import io.mqttra.broker.MqttBroker;
import io.mqttra.broker.config.BrokerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CountDownLatch;

/**
 * Starts the broker engine alone in this JVM (its own threads, in-memory stores) on a loopback port, for the
 * benchmarks to compare with Mosquitto and with the broker inside Payara. Runs until the process is terminated.
 *
 * <pre>
 * --port N          0: ephemeral (the default)
 * --port-file FILE  the bound port is written there
 * --max-queued N    queued QoS 1/2 messages per session (default: the engine's own)
 * --max-inflight N  unacknowledged outgoing QoS 1/2 messages per session (default: the engine's own)
 * </pre>
 * The benchmarks use the engine's defaults; the limits are there to find out whether a figure depends on them.
 */
public final class EngineMain {

    private EngineMain() {}

    public static void main(String[] args) throws Exception {
        int port = 0;
        Path portFile = null;
        BrokerConfig.Builder config = BrokerConfig.builder().bindAddress("127.0.0.1");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--port-file" -> portFile = Path.of(args[++i]);
                case "--max-queued" -> config.maxQueuedMessages(Integer.parseInt(args[++i]));
                case "--max-inflight" -> config.maxInflight(Integer.parseInt(args[++i]));
                default ->
                    throw new IllegalArgumentException("unknown argument " + args[i]
                            + "; usage: EngineMain [--port N] [--port-file FILE] [--max-queued N] [--max-inflight N]");
            }
        }
        MqttBroker broker = new MqttBroker(config.port(port).build());
        broker.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            broker.stop();
                            stopped.countDown();
                        },
                        "engine-shutdown"));
        if (portFile != null) {
            // Written whole and then renamed, so run.sh never reads half a number.
            Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
            Files.writeString(tmp, Integer.toString(broker.port()));
            Files.move(tmp, portFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        System.out.println("mqtt-ra engine listening on 127.0.0.1:" + broker.port());
        stopped.await();
    }
}
