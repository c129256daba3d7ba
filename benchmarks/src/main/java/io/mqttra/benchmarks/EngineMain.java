package io.mqttra.benchmarks;

import io.mqttra.broker.BrokerConfig;
import io.mqttra.broker.MqttBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CountDownLatch;

/**
 * Starts the broker engine alone in this JVM (its own threads, in-memory stores) on a loopback port, for the
 * benchmarks to compare with Mosquitto and with the broker inside Payara. Runs until the process is terminated.
 *
 * <pre>--port N (0: ephemeral, the default)  --port-file FILE (the bound port is written there)</pre>
 */
public final class EngineMain {

    private EngineMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = 0;
        Path portFile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--port-file" -> portFile = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: EngineMain [--port N] [--port-file FILE]");
            }
        }
        MqttBroker broker = new MqttBroker(BrokerConfig.builder().bindAddress("127.0.0.1").port(port).build());
        broker.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.stop();
            stopped.countDown();
        }, "engine-shutdown"));
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
