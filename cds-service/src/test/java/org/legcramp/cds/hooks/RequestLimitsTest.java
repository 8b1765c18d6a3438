package org.legcramp.cds.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.legcramp.cds.CdsProperties;
import org.legcramp.cds.rules.DataNeeds;
import org.legcramp.cds.support.HookCase;
import org.springframework.util.unit.DataSize;

/**
 * Site limits give clear errors: too many FHIR resources in one request is a 413 that says how many,
 * found before any resource is parsed; what is parsed keeps its values as sent.
 */
class RequestLimitsTest {

    @Test
    void requestWithMoreResourcesThanTheLimitIsRefused() {
        CdsProperties threeResourcesAtMost = new CdsProperties("", Duration.ofSeconds(2), DataSize.ofMegabytes(5), 64,
                5000, 3, Duration.ofSeconds(2), "");
        HookRequestParser parser = new HookRequestParser(FhirContext.forR4Cached(), threeResourcesAtMost);
        var request = HookCase.named("quinine-for-cramps", "fires-quinine-in-referenced-medication").request();

        assertThatThrownBy(() -> parser.parse(request, Hook.ORDER_SIGN, DataNeeds.EVERYTHING))
                .isInstanceOf(PayloadTooLargeException.class)
                .hasMessage("The request carries 4 FHIR resources; the limit is 3");
    }

    @Test
    void resourcesAreCountedBeforeAnyIsParsed() {
        CdsProperties threeResourcesAtMost = new CdsProperties("", Duration.ofSeconds(2), DataSize.ofMegabytes(5), 64,
                5000, 3, Duration.ofSeconds(2), "");
        HookRequestParser parser = new HookRequestParser(FhirContext.forR4Cached(), threeResourcesAtMost);
        var request = HookCase.named("quinine-for-cramps", "fires-quinine-in-referenced-medication").request();
        // Invalid FHIR that parsing would refuse with a 400: the count comes first, so it is never parsed.
        ((ObjectNode) request.at("/prefetch/patient")).put("birthDate", "the fourteenth of March");

        assertThatThrownBy(() -> parser.parse(request, Hook.ORDER_SIGN, DataNeeds.EVERYTHING))
                .isInstanceOf(PayloadTooLargeException.class)
                .hasMessage("The request carries 4 FHIR resources; the limit is 3");
    }

    @Test
    void decimalsKeepThePrecisionTheyWereSentWith() {
        HookRequestParser parser = new HookRequestParser(FhirContext.forR4Cached(), new CdsProperties("", Duration.ofSeconds(2),
                DataSize.ofMegabytes(5), 64, 5000, 5000, Duration.ofSeconds(2), ""));
        var request = HookCase.named("quinine-for-cramps", "fires-quinine-in-referenced-medication").request();
        ObjectNode observation = ((ObjectNode) request.get("prefetch")).putObject("observation");
        observation.put("resourceType", "Observation").put("id", "obs-1").put("status", "final");
        observation.putObject("code").put("text", "magnesium");
        observation.putObject("valueQuantity").put("value", new java.math.BigDecimal("0.70")).put("unit", "mmol/L");

        var parsed = parser.parse(parser.readJson(new org.springframework.mock.web.MockHttpServletRequest() {
            {
                setContent(request.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }), Hook.ORDER_SIGN, DataNeeds.EVERYTHING);
        var present = (org.legcramp.cds.prefetch.PrefetchValue.Present) parsed.prefetch().get("observation");
        var value = ((org.hl7.fhir.r4.model.Observation) present.resources().get(0)).getValueQuantity().getValueElement();
        assertThat(value.getValueAsString()).isEqualTo("0.70");
    }
}
