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
     * One EHR allowed to call, and where its signing keys are. Keys can be <b>pinned</b> (exactly one of
     * {@code jwks}, {@code jwksFile}, {@code jwksUrl}): then only the pinned keys verify its tokens, and
     * a token's {@code jku} is never fetched; it must be the pinned URL or on {@code allowedJku}, or the
     * token is refused. Without a pin, keys come from the token's {@code jku}, which must be on
     * {@code allowedJku}.
     *
     * @param issuer the exact {@code iss} the EHR puts in its tokens
     * @param jwks the issuer's public keys as an inline JWKS (JSON), pinned
     * @param jwksFile a file holding the issuer's JWKS, pinned (read at start-up)
     * @param jwksUrl where the issuer's JWKS is published, pinned (fetched, cached, refetched for an unknown kid)
     * @param allowedJku {@code jku} header values accepted for this issuer; any other is refused
     */
    public record TrustedIssuer(String issuer, String jwks, String jwksFile, String jwksUrl,
            @DefaultValue List<String> allowedJku) {

        /** Whether the issuer's keys are pinned in configuration (and a token's jku is never fetched). */
        public boolean pinned() {
            return present(jwks) || present(jwksFile) || present(jwksUrl);
        }

        static boolean present(String value) {
            return value != null && !value.isBlank();
        }
    }

    public record Informaticists(String username, String password) {

        public boolean configured() {
            return username != null && !username.isBlank() && password != null && !password.isBlank();
        }
    }
}
