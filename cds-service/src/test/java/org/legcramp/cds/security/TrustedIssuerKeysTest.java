package org.legcramp.cds.security;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A trusted issuer whose keys are configured wrongly stops start-up with a message naming it. */
class TrustedIssuerKeysTest {

    private static final String ISSUER = "https://ehr.example.org";

    @Test
    void twoPinsForOneIssuerRefuseStartUp() {
        assertThatThrownBy(() -> verifier(new SecurityProperties.TrustedIssuer(ISSUER, "{\"keys\": []}", null,
                "https://ehr.example.org/jwks.json", List.of())))
                .hasMessageContaining(ISSUER).hasMessageContaining("one of jwks, jwks-file or jwks-url");
    }

    @Test
    void issuerWithoutAnyKeysRefusesStartUp() {
        assertThatThrownBy(() -> verifier(new SecurityProperties.TrustedIssuer(ISSUER, null, null, null, List.of())))
                .hasMessageContaining(ISSUER).hasMessageContaining("has no keys");
    }

    @Test
    void inlineJwksThatIsNotJsonRefusesStartUp() {
        assertThatThrownBy(() -> verifier(new SecurityProperties.TrustedIssuer(ISSUER, "not json", null, null, List.of())))
                .hasMessageContaining(ISSUER).hasMessageContaining("jwks is not a JWKS");
    }

    @Test
    void jwksFileThatCannotBeReadRefusesStartUp() {
        assertThatThrownBy(() -> verifier(new SecurityProperties.TrustedIssuer(ISSUER, null, "/nonexistent/jwks.json", null,
                List.of())))
                .hasMessageContaining(ISSUER).hasMessageContaining("cannot read jwks-file /nonexistent/jwks.json");
    }

    private static CdsClientTokenVerifier verifier(SecurityProperties.TrustedIssuer issuer) {
        return new CdsClientTokenVerifier(new SecurityProperties(true, List.of(issuer), Duration.ofSeconds(60),
                Duration.ofSeconds(10), new SecurityProperties.Informaticists(null, null), List.of()), null);
    }
}
