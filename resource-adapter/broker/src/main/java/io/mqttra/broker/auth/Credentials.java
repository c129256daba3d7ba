package io.mqttra.broker.auth;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What a CONNECT presents to an {@link Authenticator}.
 *
 * <p>The password is kept out of {@link #toString()} so that no log line built from a {@code Credentials}
 * can leak it; the connection clears it once the authenticator has answered.
 */
public final class Credentials {

    private final String clientId;
    private final String userName;
    private final byte[] password;
    private final SocketAddress remoteAddress;
    private final int protocolLevel;

    /**
     * @param clientId      client identifier (possibly assigned by the broker)
     * @param userName      user name from CONNECT, or null when the flag was not set
     * @param password      password bytes from CONNECT (MQTT passwords are binary data), or null
     * @param remoteAddress the client's address
     * @param protocolLevel 3, 4 (3.1.1) or 5
     */
    public Credentials(
            String clientId, String userName, byte[] password, SocketAddress remoteAddress, int protocolLevel) {
        this.clientId = clientId;
        this.userName = userName;
        this.password = password == null ? null : password.clone();
        this.remoteAddress = remoteAddress;
        this.protocolLevel = protocolLevel;
    }

    public String clientId() {
        return clientId;
    }

    /** The user name, or null when the client sent none. */
    public String userName() {
        return userName;
    }

    public boolean hasPassword() {
        return password != null;
    }

    /** A copy of the raw password bytes, or null; the caller should clear the copy when done. */
    public byte[] password() {
        return password == null ? null : password.clone();
    }

    /**
     * The password as characters, for identity stores that take {@code char[]}; null when there is none or it is
     * not valid UTF-8 (such a password cannot match a text password). The caller should clear the array.
     */
    public char[] passwordChars() {
        if (password == null) {
            return null;
        }
        try {
            CharBuffer cb = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(password));
            char[] chars = new char[cb.remaining()];
            cb.get(chars);
            Arrays.fill(cb.array(), '\0');
            return chars;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    public SocketAddress remoteAddress() {
        return remoteAddress;
    }

    public int protocolLevel() {
        return protocolLevel;
    }

    /** Overwrites the password held here; called once authentication has finished. */
    public void clear() {
        if (password != null) {
            Arrays.fill(password, (byte) 0);
        }
    }

    @Override
    public String toString() {
        // Never the password, not even its length.
        return "client " + clientId + (userName == null ? " (no user name)" : " user '" + userName + "'") + " from "
                + remoteAddress;
    }
}
