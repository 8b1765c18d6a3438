package org.legcramp.cds.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.legcramp.cds.support.HookCase;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The EHR's JWT, verified for real: keys generated and tokens signed here, the issuer's JWKS
 * served by a real HTTP server on loopback. Every kind of bad token is refused with 401 and a
 * reason; a good one passes.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class CdsClientAuthenticationTest {

    private static final String ISSUER = "https://ehr.example.org";
    /** An EHR whose keys are not pinned: they come from the jku its tokens name, when allow-listed. */
    private static final String JKU_ISSUER = "https://jku-ehr.example.org";
    private static final ECKey EHR_KEY = ecKey("ehr-key-1");
    private static final RSAKey EHR_RSA_KEY = rsaKey("ehr-rsa-1");
    private static final ECKey JKU_KEY = ecKey("ehr-jku-1");
    private static final ECKey ROTATED_KEY = ecKey("ehr-key-2");
    private static final ECKey ATTACKER_KEY = ecKey("ehr-key-1");
    private static final List<JWK> published = new CopyOnWriteArrayList<>(List.of(EHR_KEY.toPublicJWK(), EHR_RSA_KEY.toPublicJWK()));
    private static final HttpServer jwksServer = startJwksServer();

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    @DynamicPropertySource
    static void security(DynamicPropertyRegistry registry) {
        registry.add("legcramp.security.require-client-authentication", () -> "true");
        registry.add("legcramp.security.trusted-issuers[0].issuer", () -> ISSUER);
        registry.add("legcramp.security.trusted-issuers[0].jwks-url", () -> jwksUrl("/jwks.json"));
        registry.add("legcramp.security.trusted-issuers[1].issuer", () -> JKU_ISSUER);
        registry.add("legcramp.security.trusted-issuers[1].allowed-jku[0]", () -> jwksUrl("/jku.json"));
        registry.add("legcramp.security.jwks-refresh-min-interval", () -> "1ms");
        registry.add("legcramp.security.informaticists.username", () -> "informaticist");
        registry.add("legcramp.security.informaticists.password", () -> "{noop}cramp-analytics");
        registry.add("legcramp.security.allowed-origins[0]", () -> "https://sandbox.cds-hooks.org");
    }

    @AfterAll
    static void stopJwksServer() {
        jwksServer.stop(0);
    }

    // ---- good tokens

    @Test
    void goodEs384TokenIsAccepted() {
        var reply = get("/cds-services", token(EHR_KEY, JWSAlgorithm.ES384, claims("/cds-services"), null));
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        assertThat(reply.body()).contains("quinine-for-cramps-order-sign");
    }

    @Test
    void goodRs256TokenCallsAServiceAndGetsCards() {
        String path = "/cds-services/quinine-for-cramps-order-sign";
        var reply = post(path, token(EHR_RSA_KEY, JWSAlgorithm.RS256, claims(path), null),
                HookCase.named("quinine-for-cramps", "fires-quinine-ingredient-for-sleep-cramps").request().toString());
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        assertThat(reply.body()).contains("\"indicator\":\"critical\"");
    }

    @Test
    void keyFromAnAllowedJkuIsAccepted() {
        var reply = get("/cds-services", token(JKU_KEY, JWSAlgorithm.ES384, claims("/cds-services", c -> c.issuer(JKU_ISSUER)),
                jwksUrl("/jku.json")));
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
    }

    @Test
    void rotatedKeyWithUnknownKidIsFetchedAndAccepted() {
        published.add(ROTATED_KEY.toPublicJWK());
        var reply = get("/cds-services", token(ROTATED_KEY, JWSAlgorithm.ES384, claims("/cds-services"), null));
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
    }

    // ---- refused tokens

    @Test
    void noTokenIsRefused() {
        assertRefused(get("/cds-services", null), "needs credentials");
    }

    @Test
    void forgedSignatureIsRefused() {
        // the attacker's key claims the EHR's kid
        assertRefused(get("/cds-services", token(ATTACKER_KEY, JWSAlgorithm.ES384, claims("/cds-services"), null)), "signature");
    }

    @Test
    void expiredTokenIsRefused() {
        assertRefused(get("/cds-services", token(EHR_KEY, JWSAlgorithm.ES384, claims("/cds-services", c -> c
                .issueTime(Date.from(Instant.now().minusSeconds(900)))
                .expirationTime(Date.from(Instant.now().minusSeconds(600)))), null)), "expired");
    }

    @Test
    void tokenNotYetValidIsRefused() {
        assertRefused(get("/cds-services", token(EHR_KEY, JWSAlgorithm.ES384, claims("/cds-services", c -> c
                .notBeforeTime(Date.from(Instant.now().plusSeconds(600)))), null)), "not valid yet");
    }

    @Test
    void tokenIssuedInTheFutureIsRefused() {
        assertRefused(get("/cds-services", token(EHR_KEY, JWSAlgorithm.ES384, claims("/cds-services", c -> c
                .issueTime(Date.from(Instant.now().plusSeconds(600)))
                .expirationTime(Date.from(Instant.now().plusSeconds(900)))), null)), "future");
    }

    @Test
    void wrongAudienceIsRefused() {
        assertRefused(get("/cds-services", token(EHR_KEY, JWSAlgorithm.ES384,
                claims("/cds-services/quinine-for-cramps-order-sign"), null)), "aud must be exactly");
    }

    @Test
    void unknownIssuerIsRefused() {
        assertRefused(get("/cds-services", token(EHR_KEY, JWSAlgorithm.ES384, claims("/cds-services", c -> c
                .issuer("https://other-ehr.example.org")), null)), "not trusted");
    }

    @Test
    void unsignedTokenIsRefused() {
        String none = new PlainJWT(claims("/cds-services").build()).serialize();
        assertRefused(get("/cds-services", none), "alg none");
    }

    @Test
    void hmacTokenIsRefused() throws Exception {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("ehr-key-1").build(),
                claims("/cds-services").build());
        hmac.sign(new MACSigner(secret));
        assertRefused(get("/cds-services", hmac.serialize()), "HS256");
    }

    @Test
    void unknownKidIsRefused() {
        assertRefused(get("/cds-services", token(ecKey("never-published"), JWSAlgorithm.ES384, claims("/cds-services"), null)),
                "no key");
    }

    @Test
    void jkuNotOnTheAllowListIsRefused() {
        assertRefused(get("/cds-services", token(JKU_KEY, JWSAlgorithm.ES384, claims("/cds-services", c -> c.issuer(JKU_ISSUER)),
                "https://attacker.example.org/jwks.json")), "allow-list");
    }

    @Test
    void pinnedKeysOverrideTheTokensJkuAndThePinnedUrlIsAccepted() {
        var reply = get("/cds-services", token(EHR_KEY, JWSAlgorithm.ES384, claims("/cds-services"), jwksUrl("/jwks.json")));
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
    }

    @Test
    void jkuOtherThanThePinnedUrlIsRefusedNamingThePin() {
        // a key published only at another URL, named by the token: never fetched for an issuer with pinned keys
        assertRefused(get("/cds-services", token(JKU_KEY, JWSAlgorithm.ES384, claims("/cds-services"), jwksUrl("/jku.json"))),
                "jku " + jwksUrl("/jku.json") + " is not allowed for issuer " + ISSUER + " (keys pinned)");
    }

    // ---- RFC 6750 challenges and the log

    @Test
    void noTokenGetsABareBearerChallengeWithoutAnErrorCode() {
        var reply = get("/cds-services", null);
        assertThat(reply.statusCode()).isEqualTo(401);
        assertThat(reply.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"leg-cramp-cds\"");
    }

    @Test
    void refusedTokenGetsInvalidTokenWithItsReason() {
        var reply = get("/cds-services", token(EHR_KEY, JWSAlgorithm.ES384, claims("/cds-services/nope"), null));
        assertThat(reply.statusCode()).isEqualTo(401);
        assertThat(reply.headers().firstValue("WWW-Authenticate").orElseThrow())
                .startsWith("Bearer realm=\"leg-cramp-cds\"")
                .contains("error=\"invalid_token\"")
                .contains("error_description=\"aud must be exactly http://127.0.0.1:" + port + "/cds-services\"");
    }

    @Test
    void everyRefusalIsLoggedAtInfoWithIssuerKidAndReasonButNotTheToken(CapturedOutput log) {
        String expired = token(EHR_KEY, JWSAlgorithm.ES384, claims("/cds-services", c -> c
                .issueTime(Date.from(Instant.now().minusSeconds(900)))
                .expirationTime(Date.from(Instant.now().minusSeconds(600)))), null);
        assertThat(get("/cds-services", expired).statusCode()).isEqualTo(401);
        assertThat(get("/cds-services", null).statusCode()).isEqualTo(401);

        assertThat(log.getOut())
                .contains("INFO", "CDS client token refused: issuer=" + ISSUER + " kid=ehr-key-1 reason=the token has expired (exp)")
                .contains("needs credentials")
                .doesNotContain(expired)
                .doesNotContain(expired.substring(expired.lastIndexOf('.') + 1));
    }

    @Test
    void replayedTokenIsRefused() {
        String token = token(EHR_KEY, JWSAlgorithm.ES384, claims("/cds-services"), null);
        assertThat(get("/cds-services", token).statusCode()).isEqualTo(200);
        assertRefused(get("/cds-services", token), "already used");
    }

    @Test
    void feedbackNeedsTheTokenToo() {
        String path = "/cds-services/quinine-for-cramps-order-sign/feedback";
        String feedback = "{\"feedback\": [{\"card\": \"" + UUID.randomUUID()
                + "\", \"outcome\": \"accepted\", \"outcomeTimestamp\": \"2026-11-22T10:15:00Z\"}]}";
        assertRefused(post(path, null, feedback), "needs credentials");
        assertThat(post(path, token(EHR_KEY, JWSAlgorithm.ES384, claims(path), null), feedback).statusCode()).isEqualTo(200);
    }

    // ---- other endpoints

    @Test
    void healthAndPatientEducationAreOpen() {
        assertThat(get("/actuator/health/readiness", null).statusCode()).isEqualTo(200);
        assertThat(get("/education/leg-cramps.html", null).statusCode()).isEqualTo(200);
    }

    @Test
    void analyticsNeedAnInformaticistsLogin() {
        assertThat(get("/analytics/cards", null).statusCode()).isEqualTo(401);
        assertThat(send(HttpRequest.newBuilder(url("/analytics/cards")).header("Authorization", basic("informaticist", "wrong")).GET())
                .statusCode()).isEqualTo(401);
        assertThat(send(HttpRequest.newBuilder(url("/analytics/cards")).header("Authorization", basic("informaticist", "cramp-analytics")).GET())
                .statusCode()).isEqualTo(200);
        assertThat(get("/analytics/cards", token(EHR_KEY, JWSAlgorithm.ES384, claims("/analytics/cards"), null)).statusCode())
                .as("an EHR token is no informaticist login").isIn(401, 403);
    }

    @Test
    void corsPreflightFromTheSandboxIsAnswered() {
        var reply = send(HttpRequest.newBuilder(url("/cds-services"))
                .header("Origin", "https://sandbox.cds-hooks.org")
                .header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "authorization")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.headers().firstValue("Access-Control-Allow-Origin")).contains("https://sandbox.cds-hooks.org");
    }

    // ---- helpers

    private void assertRefused(HttpResponse<String> reply, String reason) {
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(401);
        assertThat(reply.body()).contains(reason);
        assertThat(reply.headers().firstValue("WWW-Authenticate")).isPresent();
    }

    private JWTClaimsSet.Builder claims(String path) {
        return claims(path, c -> { });
    }

    private JWTClaimsSet.Builder claims(String path, Consumer<JWTClaimsSet.Builder> change) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject("ehr-client")
                .audience("http://127.0.0.1:" + port + path)
                .issueTime(new Date())
                .expirationTime(Date.from(Instant.now().plusSeconds(300)))
                .jwtID(UUID.randomUUID().toString())
                .claim("tenant", "unknown claims are ignored");
        change.accept(claims);
        return claims;
    }

    private static String token(JWK key, JWSAlgorithm algorithm, JWTClaimsSet.Builder claims, String jku) {
        try {
            JWSHeader.Builder header = new JWSHeader.Builder(algorithm).keyID(key.getKeyID()).type(JOSEObjectType.JWT);
            if (jku != null) {
                header.jwkURL(URI.create(jku));
            }
            SignedJWT jwt = new SignedJWT(header.build(), claims.build());
            JWSSigner signer = key instanceof ECKey ec ? new ECDSASigner(ec) : new RSASSASigner((RSAKey) key);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> get(String path, String bearer) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url(path)).GET();
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return send(request);
    }

    private HttpResponse<String> post(String path, String bearer, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return send(request);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static ECKey ecKey(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_384).keyID(kid).generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static RSAKey rsaKey(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String jwksUrl(String path) {
        return "http://127.0.0.1:" + jwksServer.getAddress().getPort() + path;
    }

    private static HttpServer startJwksServer() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/jwks.json", exchange -> respond(exchange, new JWKSet(new ArrayList<>(published))));
            server.createContext("/jku.json", exchange -> respond(exchange, new JWKSet(JKU_KEY.toPublicJWK())));
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void respond(com.sun.net.httpserver.HttpExchange exchange, JWKSet keys) throws IOException {
        byte[] body = keys.toString(true).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }
}
