package org.legcramp.cds.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
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
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;

/**
 * Verifies the JWT an EHR signs for each CDS Hooks call (CDS Hooks 2.0 "Trusting CDS Clients"),
 * with Nimbus JOSE: a trusted {@code iss}; a signature by a key of that issuer, found by
 * {@code kid}: its pinned keys (inline JWKS, a JWKS file, or a JWKS URL, cached and refetched when
 * an unknown kid appears) whatever the token's {@code jku} says, a {@code jku} other than the
 * pinned URL or the issuer's allow-list being refused; without a pin, the {@code jku} in the
 * header when that URL is on the issuer's allow-list. ES256, ES384, RS256 or RS384 only;
 * {@code aud} exactly the URL invoked; {@code exp}, {@code iat} (and {@code nbf}) within the clock
 * skew; a {@code jti} not used before. Unknown claims are ignored. Every refusal is a
 * {@link TokenRefusedException} naming the reason, and the issuer and kid the token claimed.
 */
public class CdsClientTokenVerifier {

    static final Set<JWSAlgorithm> ACCEPTED_ALGORITHMS =
            Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.RS256, JWSAlgorithm.RS384);

    private final Map<String, SecurityProperties.TrustedIssuer> issuers = new ConcurrentHashMap<>();
    /** Keys pinned inline or in a file, per issuer; read once at start-up. */
    private final Map<String, JWKSource<SecurityContext>> pinnedKeys = new ConcurrentHashMap<>();
    private final Map<String, JWKSource<SecurityContext>> keySources = new ConcurrentHashMap<>();
    private final SecurityProperties properties;
    private final UsedTokenIds usedTokenIds;

    /** @throws IllegalStateException naming the issuer, when its keys are configured wrongly */
    public CdsClientTokenVerifier(SecurityProperties properties, UsedTokenIds usedTokenIds) {
        this.properties = properties;
        this.usedTokenIds = usedTokenIds;
        for (SecurityProperties.TrustedIssuer issuer : properties.trustedIssuers()) {
            check(issuer);
            issuers.put(issuer.issuer(), issuer);
            JWKSet pinned = pinnedSet(issuer);
            if (pinned != null) {
                pinnedKeys.put(issuer.issuer(), new ImmutableJWKSet<>(pinned));
            }
        }
    }

    /**
     * @param expectedAudience the URL the EHR invoked
     * @throws TokenRefusedException saying why the token is refused
     */
    public Jwt verify(String token, String expectedAudience) {
        SignedJWT jwt;
        try {
            jwt = parse(token);
        } catch (InvalidBearerTokenException e) {
            throw new TokenRefusedException(e.getMessage(), null, null);
        }
        String issuer;
        try {
            issuer = jwt.getJWTClaimsSet().getIssuer();
        } catch (ParseException e) {
            issuer = null;
        }
        try {
            return verify(jwt, token, expectedAudience);
        } catch (InvalidBearerTokenException e) {
            throw new TokenRefusedException(e.getMessage(), issuer, jwt.getHeader().getKeyID());
        }
    }

    private Jwt verify(SignedJWT jwt, String token, String expectedAudience) {
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
        if (issuer.pinned()) {
            if (jku != null && !jku.toString().equals(issuer.jwksUrl()) && !issuer.allowedJku().contains(jku.toString())) {
                throw refused("jku " + jku + " is not allowed for issuer " + issuer.issuer() + " (keys pinned)");
            }
            JWKSource<SecurityContext> pinned = pinnedKeys.get(issuer.issuer());
            return pinned != null ? pinned : keySources.computeIfAbsent(issuer.jwksUrl(), this::remoteKeys);
        }
        if (jku == null) {
            throw refused("issuer " + issuer.issuer() + " publishes keys only through jku, and the token has none");
        }
        if (!issuer.allowedJku().contains(jku.toString())) {
            throw refused("jku " + jku + " is not on the allow-list of issuer " + issuer.issuer());
        }
        return keySources.computeIfAbsent(jku.toString(), this::remoteKeys);
    }

    private static void check(SecurityProperties.TrustedIssuer issuer) {
        if (!SecurityProperties.TrustedIssuer.present(issuer.issuer())) {
            throw new IllegalStateException("A legcramp.security.trusted-issuers entry has no issuer");
        }
        long pins = Stream.of(issuer.jwks(), issuer.jwksFile(), issuer.jwksUrl())
                .filter(SecurityProperties.TrustedIssuer::present).count();
        if (pins > 1) {
            throw new IllegalStateException("Trusted issuer " + issuer.issuer()
                    + ": pin its keys with one of jwks, jwks-file or jwks-url, not several");
        }
        if (pins == 0 && issuer.allowedJku().isEmpty()) {
            throw new IllegalStateException("Trusted issuer " + issuer.issuer()
                    + " has no keys: give jwks, jwks-file or jwks-url (pinned), or allowed-jku");
        }
    }

    /** The inline or file JWKS of an issuer, public parts only; null when not pinned that way. */
    private static JWKSet pinnedSet(SecurityProperties.TrustedIssuer issuer) {
        String source;
        String json;
        if (SecurityProperties.TrustedIssuer.present(issuer.jwks())) {
            source = "jwks";
            json = issuer.jwks();
        } else if (SecurityProperties.TrustedIssuer.present(issuer.jwksFile())) {
            source = "jwks-file " + issuer.jwksFile();
            try {
                json = Files.readString(Path.of(issuer.jwksFile()));
            } catch (IOException e) {
                throw new IllegalStateException("Trusted issuer " + issuer.issuer() + ": cannot read " + source, e);
            }
        } else {
            return null;
        }
        JWKSet keys;
        try {
            keys = JWKSet.parse(json).toPublicJWKSet();
        } catch (ParseException e) {
            throw new IllegalStateException("Trusted issuer " + issuer.issuer() + ": " + source + " is not a JWKS ("
                    + e.getMessage() + ")", e);
        }
        if (keys.isEmpty()) {
            throw new IllegalStateException("Trusted issuer " + issuer.issuer() + ": " + source + " holds no public key");
        }
        return keys;
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
