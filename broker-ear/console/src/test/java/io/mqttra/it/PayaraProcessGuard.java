package io.mqttra.it;

/**
 * Makes sure no Payara Micro started by this test JVM outlives it, even when the run is cut short (Arquillian
 * normally stops it; a crash or an interrupted build would leave it holding its ports).
 */
public final class PayaraProcessGuard {

    private static boolean installed;

    private PayaraProcessGuard() {}

    public static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> ProcessHandle.current()
                                .descendants()
                                .filter(ProcessHandle::isAlive)
                                .forEach(ProcessHandle::destroyForcibly),
                        "payara-process-guard"));
    }
}
