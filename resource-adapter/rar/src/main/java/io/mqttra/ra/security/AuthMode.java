package io.mqttra.ra.security;

import java.util.Locale;

/** Where the broker checks CONNECT user names and passwords (RA property {@code authMode}, env {@code MQTT_AUTH_MODE}). */
public enum AuthMode {

    /** No check: every client is anonymous; the listener is then kept on loopback unless explicitly allowed. */
    NONE,
    /** A security realm of the server (default {@code file}, users made with {@code asadmin create-file-user}). */
    REALM,
    /** A Mosquitto-style password file (made with {@code mosquitto_passwd} or {@code PasswordFileTool}). */
    PASSWORD_FILE;

    /** Parses {@code none}, {@code realm} or {@code password-file} (case and '-'/'_' insensitive). */
    public static AuthMode parse(String text) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        String t = text.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        try {
            return valueOf(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("authMode must be none, realm or password-file, not '" + text + "'", e);
        }
    }
}
