package org.legcramp.cds.hooks;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.legcramp.cds.CdsProperties;
import org.legcramp.cds.support.HookCase;
import org.springframework.util.unit.DataSize;

/** Site limits give clear errors: too many FHIR resources in one request is a 413 that says how many. */
class RequestLimitsTest {

    @Test
    void requestWithMoreResourcesThanTheLimitIsRefused() {
        CdsProperties threeResourcesAtMost = new CdsProperties("", Duration.ofSeconds(2), DataSize.ofMegabytes(5), 64,
                5000, 3, Duration.ofSeconds(2), "");
        HookRequestParser parser = new HookRequestParser(FhirContext.forR4Cached(), threeResourcesAtMost);
        var request = HookCase.named("quinine-for-cramps", "fires-quinine-in-referenced-medication").request();

        assertThatThrownBy(() -> parser.parse(request, Hook.ORDER_SIGN))
                .isInstanceOf(PayloadTooLargeException.class)
                .hasMessage("The request carries 4 FHIR resources; the limit is 3");
    }
}
