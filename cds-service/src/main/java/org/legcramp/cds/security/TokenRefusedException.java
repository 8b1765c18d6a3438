package org.legcramp.cds.security;

import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;

/**
 * A bearer token refused, with the reason (RFC 6750 {@code invalid_token}) and what it claimed to
 * be: its issuer and key id, as read before verification (for the log; never the token itself).
 */
public class TokenRefusedException extends InvalidBearerTokenException {

    private final String claimedIssuer;
    private final String keyId;

    public TokenRefusedException(String reason, String claimedIssuer, String keyId) {
        super(reason);
        this.claimedIssuer = claimedIssuer;
        this.keyId = keyId;
    }

    public String claimedIssuer() {
        return claimedIssuer;
    }

    public String keyId() {
        return keyId;
    }
}
