package io.mqttra.broker.store;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import javax.transaction.xa.Xid;

/**
 * The identifier of one transaction branch (an XA {@link Xid}) as a value: equal when format id, global transaction
 * id and branch qualifier are equal, whatever class the transaction manager used. It is the key of a prepared
 * transaction in the {@link TransactionStore}, and must give the transaction manager back the very bytes it
 * passed in, or recovery cannot match it with its log.
 *
 * @param formatId            format identifier chosen by the transaction manager
 * @param globalTransactionId global transaction id, at most 64 bytes
 * @param branchQualifier     branch qualifier, at most 64 bytes
 */
public record TransactionId(int formatId, byte[] globalTransactionId, byte[] branchQualifier) implements Xid {

    public TransactionId {
        Objects.requireNonNull(globalTransactionId, "globalTransactionId");
        Objects.requireNonNull(branchQualifier, "branchQualifier");
        if (globalTransactionId.length > Xid.MAXGTRIDSIZE || branchQualifier.length > Xid.MAXBQUALSIZE) {
            throw new IllegalArgumentException("Xid parts longer than 64 bytes");
        }
        globalTransactionId = globalTransactionId.clone();
        branchQualifier = branchQualifier.clone();
    }

    /** A copy of any transaction manager's Xid, safe to keep after the call (the manager may reuse its object). */
    public static TransactionId of(Xid xid) {
        if (xid instanceof TransactionId id) {
            return id;
        }
        return new TransactionId(xid.getFormatId(), xid.getGlobalTransactionId(), xid.getBranchQualifier());
    }

    /**
     * A stable text form, usable as a database key and in logs: {@code formatId:gtrid-hex:bqual-hex}.
     */
    public String key() {
        HexFormat hex = HexFormat.of();
        return formatId + ":" + hex.formatHex(globalTransactionId) + ":" + hex.formatHex(branchQualifier);
    }

    /** Parses {@link #key()}. */
    public static TransactionId parse(String key) {
        String[] parts = key.split(":", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a transaction id: " + key);
        }
        HexFormat hex = HexFormat.of();
        return new TransactionId(Integer.parseInt(parts[0]), hex.parseHex(parts[1]), hex.parseHex(parts[2]));
    }

    @Override
    public int getFormatId() {
        return formatId;
    }

    @Override
    public byte[] getGlobalTransactionId() {
        return globalTransactionId.clone();
    }

    @Override
    public byte[] getBranchQualifier() {
        return branchQualifier.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TransactionId other
                && formatId == other.formatId
                && Arrays.equals(globalTransactionId, other.globalTransactionId)
                && Arrays.equals(branchQualifier, other.branchQualifier);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * formatId + Arrays.hashCode(globalTransactionId)) + Arrays.hashCode(branchQualifier);
    }

    @Override
    public String toString() {
        return "Xid[" + key() + "]";
    }
}
