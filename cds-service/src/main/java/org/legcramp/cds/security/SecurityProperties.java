package org.legcramp.cds.security;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who may call the service ({@code legcramp.security.*}).
 *
 * @param requireClientAuthentication every CDS Hooks call must carry a valid EHR-signed JWT; false
 *        only for local trials (a warning says so at start-up)
 * @param trustedIssuers the EHRs allowed to call, each with where its signing keys are published
 * @param clockSkew tolerance on exp, nbf and iat
 * @param jwksRefreshMinInterval an unknown kid refetches the issuer's JWKS at most this often
 * @param informaticists HTTP Basic credentials for /analytics and /cql (password as a {bcrypt} or {noop} hash)
 * @param allowedOrigins browser origins allowed by CORS (e.g. the CDS Hooks sandbox); "*" for any
 */
@ConfigurationProperties("legcramp.security")
public record SecurityProperties(
        @DefaultValue("false") boolean requireClientAuthentication,
        @DefaultValue List<TrustedIssuer> trustedIssuers,
        @DefaultValue("60s") Duration clockSkew,
        @DefaultValue("10s") Duration jwksRefreshMinInterval,
        @DefaultValue Informaticists informaticists,
        @DefaultValue List<String> allowedOrigins) {

    /**
     * @param issuer the exact {@code iss} the EHR puts in its tokens
     * @param jwksUrl where its public keys are (used when a token has no {@code jku})
     * @param allowedJku {@code jku} header values accepted for this issuer; any other is refused
     */
    public record TrustedIssuer(String issuer, String jwksUrl, @DefaultValue List<String> allowedJku) {}

    public record Informaticists(String username, String password) {

        public boolean configured() {
            return username != null && !username.isBlank() && password != null && !password.isBlank();
        }
    }
}
