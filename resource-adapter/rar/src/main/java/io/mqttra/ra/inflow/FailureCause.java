package io.mqttra.ra.inflow;

import jakarta.ejb.EJBException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;

/**
 * Finds the exception a message-driven bean really threw. The EJB container wraps it, and when the bean method is
 * invoked reflectively Payara even reports a misleading "Transaction Attribute not found" EJBException instead.
 */
final class FailureCause {

    private FailureCause() {}

    static Throwable of(Throwable thrown) {
        Throwable current = thrown;
        for (int depth = 0; depth < 16; depth++) {
            Throwable next = unwrap(current);
            if (next == null || next == current) {
                return current;
            }
            current = next;
        }
        return current;
    }

    /** A text for the log: the real cause, and a hint when only the container's wrapper is known. */
    static String describe(Throwable thrown) {
        Throwable cause = of(thrown);
        String text = cause.getClass().getName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        if (cause instanceof EJBException) {
            text +=
                    " (reported by the EJB container; the exception the bean threw is logged by the container just before)";
        }
        return text;
    }

    private static Throwable unwrap(Throwable t) {
        if (t instanceof InvocationTargetException ite) {
            return ite.getCause();
        }
        if (t instanceof UndeclaredThrowableException ute) {
            return ute.getCause();
        }
        if (t instanceof EJBException ejb) {
            return ejb.getCausedByException() != null ? ejb.getCausedByException() : ejb.getCause();
        }
        return null;
    }
}
