package io.mqttra.benchmarks;

import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Prints ports that are free on the loopback interface right now, for brokers that need a port in their
 * configuration file (Mosquitto, Payara Micro). Usage: FreePort [count].
 */
public final class FreePort {

    private FreePort() {}

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        ServerSocket[] held = new ServerSocket[count];
        // Hold all sockets until every port is chosen, so the same port is not printed twice.
        for (int i = 0; i < count; i++) {
            held[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        }
        for (ServerSocket s : held) {
            System.out.println(s.getLocalPort());
            s.close();
        }
    }
}
