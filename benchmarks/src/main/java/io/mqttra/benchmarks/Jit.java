package io.mqttra.benchmarks;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/** Time this JVM's JIT compilers have spent so far (all compiler threads), for runs measured in this JVM. */
final class Jit {

    private static final CompilationMXBean COMPILER = ManagementFactory.getCompilationMXBean();

    private Jit() {}

    /** Milliseconds of compiling so far, 0 when the JVM does not tell. */
    static long millis() {
        return COMPILER != null && COMPILER.isCompilationTimeMonitoringSupported()
                ? COMPILER.getTotalCompilationTime()
                : 0;
    }
}
