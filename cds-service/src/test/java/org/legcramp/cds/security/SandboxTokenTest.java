package org.legcramp.cds.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.legcramp.cds.support.HookCase;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The CDS Hooks sandbox, as it signs: ES384 with its published key, a {@code jku} naming
 * https://sandbox.cds-hooks.org/.well-known/jwks.json. With the sandbox's public key pinned in a
 * file the token verifies offline (that URL is never fetched, and cannot be from here); an issuer
 * can also pin its keys inline. Key material: src/test/resources/sandbox/README.md.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SandboxTokenTest {

    private static final String SANDBOX = "https://sandbox.cds-hooks.org";
    private static final String SANDBOX_JKU = "https://sandbox.cds-hooks.org/.well-known/jwks.json";
    private static final ECKey SANDBOX_KEY = (ECKey) resourceJwks("/sandbox/jwk-keypair.json").getKeys().get(0);
    private static final String INLINE_ISSUER = "https://inline-pinned-ehr.example.org";
    private static final ECKey INLINE_KEY = generated("inline-1");

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void security(DynamicPropertyRegistry registry) {
        registry.add("legcramp.security.require-client-authentication", () -> "true");
        registry.add("legcramp.security.trusted-issuers[0].issuer", () -> SANDBOX);
        registry.add("legcramp.security.trusted-issuers[0].jwks-file", () -> resourcePath("/sandbox/jwks.json"));
        registry.add("legcramp.security.trusted-issuers[0].allowed-jku[0]", () -> SANDBOX_JKU);
        registry.add("legcramp.security.trusted-issuers[1].issuer", () -> INLINE_ISSUER);
        registry.add("legcramp.security.trusted-issuers[1].jwks", () -> new JWKSet(INLINE_KEY.toPublicJWK()).toString());
    }

    @Test
    void sandboxSignedEs384TokenWithJkuVerifiesOfflineAgainstThePinnedKeyAndGetsCards() {
        String path = "/cds-services/quinine-for-cramps-order-sign";
        var reply = post(path, sandboxToken(path, SANDBOX_KEY, SANDBOX_JKU),
                HookCase.named("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps").request().toString());
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        assertThat(reply.body()).contains("\"indicator\":\"critical\"");
    }

    @Test
    void sandboxTokenNamingAnotherJkuIsRefusedBecauseTheKeysArePinned() {
        var reply = post("/cds-services", sandboxToken("/cds-services", SANDBOX_KEY, "https://attacker.example.org/jwks.json"), null);
        assertThat(reply.statusCode()).isEqualTo(401);
        assertThat(reply.body()).contains("jku https://attacker.example.org/jwks.json is not allowed for issuer "
                + SANDBOX + " (keys pinned)");
    }

    @Test
    void tokenClaimingTheSandboxButSignedWithAnotherKeyIsRefused() {
        ECKey impostor = generated(SANDBOX_KEY.getKeyID());
        var reply = post("/cds-services", sandboxToken("/cds-services", impostor, SANDBOX_JKU), null);
        assertThat(reply.statusCode()).isEqualTo(401);
        assertThat(reply.body()).contains("signature");
    }

    @Test
    void issuerWithInlinePinnedKeysIsVerifiedWithoutAnyUrl() {
        String token = sign(INLINE_KEY, null, claims("/cds-services").issuer(INLINE_ISSUER).build());
        assertThat(post("/cds-services", token, null).statusCode()).isEqualTo(200);
    }

    @Test
    void jkuOnAnInlinePinnedIssuerThatIsNotAllowListedIsRefused() {
        String token = sign(INLINE_KEY, "https://inline-pinned-ehr.example.org/jwks.json",
                claims("/cds-services").issuer(INLINE_ISSUER).build());
        var reply = post("/cds-services", token, null);
        assertThat(reply.statusCode()).isEqualTo(401);
        assertThat(reply.body()).contains("(keys pinned)");
    }

    /** What the sandbox's jwt-generator.js sends: iss, aud, exp (+300 s), iat, jti; alg, typ, kid, jku. */
    private String sandboxToken(String path, ECKey key, String jku) {
        return sign(key, jku, claims(path).issuer(SANDBOX).build());
    }

    private JWTClaimsSet.Builder claims(String path) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .audience("http://127.0.0.1:" + port + path)
                .expirationTime(Date.from(now.plusSeconds(300)))
                .issueTime(Date.from(now))
                .jwtID(UUID.randomUUID().toString());
    }

    private static String sign(ECKey key, String jku, JWTClaimsSet claims) {
        try {
            JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.ES384).type(JOSEObjectType.JWT).keyID(key.getKeyID());
            if (jku != null) {
                header.jwkURL(URI.create(jku));
            }
            SignedJWT jwt = new SignedJWT(header.build(), claims);
            jwt.sign(new ECDSASigner(key));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** GET when there is no body, else POST. */
    private HttpResponse<String> post(String path, String bearer, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + bearer).timeout(Duration.ofSeconds(10));
        if (body == null) {
            request.GET();
        } else {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        }
        try {
            return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JWKSet resourceJwks(String resource) {
        try (InputStream in = SandboxTokenTest.class.getResourceAsStream(resource)) {
            return JWKSet.load(in);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String resourcePath(String resource) {
        try {
            return Path.of(SandboxTokenTest.class.getResource(resource).toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ECKey generated(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_384).keyID(kid).generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
