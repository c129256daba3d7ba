package io.mqttra.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A free port below the kernel's ephemeral range, for a server that is killed and restarted on the same port. A
 * port from {@code new ServerSocket(0)} lies inside that range, so while the server is down any outgoing connection
 * on the machine may take it as its local port and the restarted server then fails with "Address already in use"
 * (seen on a busy machine).
 */
public final class RestartSafePort {

    private RestartSafePort() {}

    public static int pick() {
        int below = ephemeralRangeStart();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = random.nextInt(10_000, below);
            if (port >= 6900 && port < 7000) {
                continue; // Hazelcast's default range, used by other Payara instances
            }
            try (ServerSocket any = new ServerSocket()) {
                any.setReuseAddress(false);
                any.bind(new InetSocketAddress(port));
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port found between 10000 and " + below);
    }

    private static int ephemeralRangeStart() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
                    .trim();
            int low = Integer.parseInt(range.split("\\s+")[0]);
            return low > 11_000 ? low : 32_768;
        } catch (IOException | RuntimeException notLinux) {
            return 32_768;
        }
    }
}
