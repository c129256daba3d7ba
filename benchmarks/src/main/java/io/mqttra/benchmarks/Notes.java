package io.mqttra.benchmarks;

/** Short remarks for the Notes column. */
final class Notes {

    private Notes() {}

    /** Mentions publishes that were cut short by the deadline or failed; empty when everything went out. */
    static String outcome(long wanted, Publisher.Outcome o) {
        StringBuilder b = new StringBuilder();
        if (o.sent() < wanted) {
            b.append("; only ").append(o.sent()).append(" of ").append(wanted).append(" sent before the time limit");
        }
        if (o.failed() > 0) {
            b.append("; ").append(o.failed()).append(" publishes failed: ").append(shorten(o.firstError()));
        } else if (o.firstError() != null) {
            b.append("; ").append(shorten(o.firstError()));
        }
        return b.toString();
    }

    static String shorten(String s) {
        if (s == null) {
            return "";
        }
        String oneLine = s.replace('\n', ' ').replace('|', '/');
        return oneLine.length() > 120 ? oneLine.substring(0, 117) + "..." : oneLine;
    }
}
