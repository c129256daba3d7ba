package io.mqttra.broker.protocol;

/** MQTT 5.0 reason codes (section 2.4) and MQTT 3.1.1 return codes the broker sends. */
final class ReasonCodes {

    static final byte SUCCESS = 0x00;
    static final byte NO_MATCHING_SUBSCRIBERS = 0x10;
    static final byte NO_SUBSCRIPTION_EXISTED = 0x11;
    static final byte DISCONNECT_WITH_WILL = 0x04;
    static final byte UNSPECIFIED_ERROR = (byte) 0x80;
    static final byte MALFORMED_PACKET = (byte) 0x81;
    static final byte PROTOCOL_ERROR = (byte) 0x82;
    static final byte IMPLEMENTATION_SPECIFIC_ERROR = (byte) 0x83;
    static final byte UNSUPPORTED_PROTOCOL_VERSION = (byte) 0x84;
    static final byte CLIENT_IDENTIFIER_NOT_VALID = (byte) 0x85;
    static final byte NOT_AUTHORIZED = (byte) 0x87;
    static final byte SERVER_UNAVAILABLE = (byte) 0x88;
    static final byte SERVER_SHUTTING_DOWN = (byte) 0x8B;
    static final byte BAD_AUTHENTICATION_METHOD = (byte) 0x8C;
    static final byte KEEP_ALIVE_TIMEOUT = (byte) 0x8D;
    static final byte SESSION_TAKEN_OVER = (byte) 0x8E;
    static final byte TOPIC_FILTER_INVALID = (byte) 0x8F;
    static final byte TOPIC_NAME_INVALID = (byte) 0x90;
    static final byte PACKET_IDENTIFIER_NOT_FOUND = (byte) 0x92;
    static final byte RECEIVE_MAXIMUM_EXCEEDED = (byte) 0x93;
    static final byte TOPIC_ALIAS_INVALID = (byte) 0x94;
    static final byte PACKET_TOO_LARGE = (byte) 0x95;
    static final byte QUOTA_EXCEEDED = (byte) 0x97;
    static final byte ADMINISTRATIVE_ACTION = (byte) 0x98;
    static final byte PAYLOAD_FORMAT_INVALID = (byte) 0x99;
    static final byte RETAIN_NOT_SUPPORTED = (byte) 0x9A;
    static final byte QOS_NOT_SUPPORTED = (byte) 0x9B;
    static final byte SHARED_SUBSCRIPTIONS_NOT_SUPPORTED = (byte) 0x9E;

    // MQTT 3.1.1 CONNACK return codes (section 3.2.2.3) and SUBACK failure (section 3.9.3)
    static final byte V3_UNACCEPTABLE_PROTOCOL_VERSION = 0x01;
    static final byte V3_IDENTIFIER_REJECTED = 0x02;
    static final byte V3_SERVER_UNAVAILABLE = 0x03;
    static final byte V3_SUBACK_FAILURE = (byte) 0x80;

    private ReasonCodes() {}
}
