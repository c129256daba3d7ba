package io.mqttra.broker.admin;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Shows the start of a payload to a person: as text when it is UTF-8 text, otherwise as hexadecimal. */
record PayloadPreview(String text, boolean isText) {

    static PayloadPreview of(byte[] payload, int maxBytes) {
        String decoded = decodeUtf8(payload);
        if (decoded != null && isPrintable(decoded)) {
            // Cut by characters: a cut by bytes could split a multi-byte character.
            int end = decoded.offsetByCodePoints(0, Math.min(maxBytes, decoded.codePointCount(0, decoded.length())));
            return new PayloadPreview(decoded.substring(0, end), true);
        }
        int n = Math.min(maxBytes, payload.length);
        return new PayloadPreview(HexFormat.of().formatHex(payload, 0, n), false);
    }

    private static String decodeUtf8(byte[] payload) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static boolean isPrintable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t') {
                return false;
            }
        }
        return true;
    }
}
