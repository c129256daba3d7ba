package io.mqttra.broker.auth;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Checks the user name and password of a CONNECT against an identity store.
 *
 * <p>Called on a network event loop: an implementation must return at once and do any slow work (password
 * hashing, a realm or LDAP call) on an executor of its own (in the server: the WorkManager). The broker sends
 * no CONNACK and processes no other packet of that connection until the stage completes, and refuses the
 * connection as {@link Refusal#UNAVAILABLE} if it takes longer than the connect timeout. A stage that fails
 * exceptionally counts as UNAVAILABLE too.
 *
 * <p>Implementations must not log the password nor keep references to it after completing.
 */
@FunctionalInterface
public interface Authenticator {

    CompletionStage<AuthResult> authenticate(Credentials credentials);

    /**
     * This authenticator, but a CONNECT without a user name is let in as {@link MqttPrincipal#ANONYMOUS}
     * (ACLs then apply their anonymous rules). A CONNECT with a user name is still checked.
     */
    default Authenticator allowingAnonymous() {
        Authenticator checked = this;
        return new Authenticator() {
            @Override
            public CompletionStage<AuthResult> authenticate(Credentials c) {
                return c.userName() == null
                        ? CompletableFuture.completedFuture(AuthResult.granted(MqttPrincipal.ANONYMOUS))
                        : checked.authenticate(c);
            }

            @Override
            public String toString() { // the start-up log says who may connect
                return checked + ", anonymous clients allowed";
            }
        };
    }
}
