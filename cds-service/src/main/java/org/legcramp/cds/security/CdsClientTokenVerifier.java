package org.legcramp.cds.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;

/**
 * Verifies the JWT an EHR signs for each CDS Hooks call (CDS Hooks 2.0 "Trusting CDS Clients"),
 * with Nimbus JOSE: a trusted {@code iss}; a signature by a key of that issuer's JWKS, found by
 * {@code kid} (the JWKS is cached and refetched when an unknown kid appears), or of the {@code jku}
 * in the header only when that URL is on the issuer's allow-list; ES256, ES384, RS256 or RS384
 * only; {@code aud} exactly the URL invoked; {@code exp}, {@code iat} (and {@code nbf}) within the
 * clock skew; a {@code jti} not used before. Unknown claims are ignored.
 */
public class CdsClientTokenVerifier {

    static final Set<JWSAlgorithm> ACCEPTED_ALGORITHMS =
            Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.RS256, JWSAlgorithm.RS384);

    private final Map<String, SecurityProperties.TrustedIssuer> issuers = new ConcurrentHashMap<>();
    private final Map<String, JWKSource<SecurityContext>> keySources = new ConcurrentHashMap<>();
    private final SecurityProperties properties;
    private final UsedTokenIds usedTokenIds;

    public CdsClientTokenVerifier(SecurityProperties properties, UsedTokenIds usedTokenIds) {
        this.properties = properties;
        this.usedTokenIds = usedTokenIds;
        properties.trustedIssuers().forEach(issuer -> issuers.put(issuer.issuer(), issuer));
    }

    /**
     * @param expectedAudience the URL the EHR invoked
     * @throws InvalidBearerTokenException saying why the token is refused
     */
    public Jwt verify(String token, String expectedAudience) {
        SignedJWT jwt = parse(token);
        JWSAlgorithm algorithm = jwt.getHeader().getAlgorithm();
        if (!ACCEPTED_ALGORITHMS.contains(algorithm)) {
            throw refused("algorithm " + algorithm + " is not accepted; use ES256, ES384, RS256 or RS384");
        }
        if (jwt.getHeader().getKeyID() == null) {
            throw refused("the token header has no kid");
        }
        JWTClaimsSet unverified = claims(jwt);
        String issuer = unverified.getIssuer();
        SecurityProperties.TrustedIssuer trusted = issuer == null ? null : issuers.get(issuer);
        if (trusted == null) {
            throw refused("issuer " + issuer + " is not trusted");
        }
        JWKSource<SecurityContext> keys = keySource(trusted, jwt.getHeader().getJWKURL());

        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ACCEPTED_ALGORITHMS, keys));
        // Nimbus asks these sets whether they contain null, which immutable sets refuse to answer.
        DefaultJWTClaimsVerifier<SecurityContext> claimsVerifier = new DefaultJWTClaimsVerifier<>(
                new HashSet<>(Set.of(expectedAudience)),
                new JWTClaimsSet.Builder().issuer(issuer).build(),
                new HashSet<>(Set.of("iss", "aud", "exp", "iat", "jti")),
                new HashSet<>());
        claimsVerifier.setMaxClockSkew((int) properties.clockSkew().toSeconds());
        processor.setJWTClaimsSetVerifier(claimsVerifier);
        JWTClaimsSet claims;
        try {
            claims = processor.process(jwt, null);
        } catch (BadJOSEException e) {
            throw refused(describe(e.getMessage(), expectedAudience));
        } catch (JOSEException e) {
            throw refused("the signing keys of " + issuer + " could not be fetched or used");
        }
        Instant now = Instant.now();
        if (claims.getIssueTime().toInstant().isAfter(now.plus(properties.clockSkew()))) {
            throw refused("the token is issued in the future (iat)");
        }
        if (!usedTokenIds.firstUse(issuer, claims.getJWTID(), claims.getExpirationTime().toInstant())) {
            throw refused("the token was already used (jti replay)");
        }
        return Jwt.withTokenValue(token)
                .headers(headers -> headers.putAll(jwt.getHeader().toJSONObject()))
                .claims(values -> values.putAll(claims.getClaims()))
                .issuedAt(claims.getIssueTime().toInstant())
                .expiresAt(claims.getExpirationTime().toInstant())
                .build();
    }

    private static SignedJWT parse(String token) {
        JWT parsed;
        try {
            parsed = JWTParser.parse(token);
        } catch (ParseException e) {
            throw refused("the bearer token is not a JWT");
        }
        if (parsed instanceof PlainJWT) {
            throw refused("unsigned tokens (alg none) are not accepted");
        }
        if (!(parsed instanceof SignedJWT signed)) {
            throw refused("encrypted tokens are not accepted; sign the token");
        }
        return signed;
    }

    private static JWTClaimsSet claims(SignedJWT jwt) {
        try {
            return jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw refused("the token's claims are not valid JSON");
        }
    }

    private JWKSource<SecurityContext> keySource(SecurityProperties.TrustedIssuer issuer, URI jku) {
        String url;
        if (jku != null) {
            if (!issuer.allowedJku().contains(jku.toString())) {
                throw refused("jku " + jku + " is not on the allow-list of issuer " + issuer.issuer());
            }
            url = jku.toString();
        } else if (issuer.jwksUrl() != null && !issuer.jwksUrl().isBlank()) {
            url = issuer.jwksUrl();
        } else {
            throw refused("issuer " + issuer.issuer() + " publishes keys only through jku, and the token has none");
        }
        return keySources.computeIfAbsent(url, this::remoteKeys);
    }

    private JWKSource<SecurityContext> remoteKeys(String url) {
        try {
            return JWKSourceBuilder.<SecurityContext>create(URI.create(url).toURL())
                    .rateLimited(properties.jwksRefreshMinInterval().toMillis())
                    .retrying(true)
                    .build();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw refused("the JWKS URL " + url + " is not a valid URL");
        }
    }

    /** Nimbus's messages, in the words an EHR integrator needs. */
    private static String describe(String message, String expectedAudience) {
        String text = message == null ? "" : message;
        if (text.contains("audience")) {
            return "aud must be exactly " + expectedAudience;
        }
        if (text.contains("Expired")) {
            return "the token has expired (exp)";
        }
        if (text.contains("before use time") || text.contains("nbf")) {
            return "the token is not valid yet (nbf)";
        }
        if (text.contains("matching key") || text.contains("key candidates")) {
            return "no key of the issuer's JWKS matches the token's kid and algorithm";
        }
        if (text.contains("Signed JWT rejected") || text.contains("signature")) {
            return "the signature does not verify";
        }
        if (text.contains("missing required claims")) {
            return "the token lacks a required claim (iss, aud, exp, iat, jti)";
        }
        return "the token is not valid: " + text;
    }

    private static InvalidBearerTokenException refused(String reason) {
        return new InvalidBearerTokenException(reason);
    }
}
