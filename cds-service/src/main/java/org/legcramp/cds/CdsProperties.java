package org.legcramp.cds;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Site settings ({@code legcramp.*} in application.yml).
 *
 * @param contentLocation where the cql/ and fhir-resources/ folders are read from
 * @param requestDeadline time budget of one whole hook call: FHIR fetches that do not finish in it get a 412,
 *     an evaluation that does not a 503 (and is stopped)
 * @param maxRequestSize a larger request body is refused with 413
 * @param maxJsonDepth deeper JSON nesting is refused with 400
 * @param maxFetchedResources a FHIR search returning more is refused with 412 rather than evaluated partially
 * @param maxPrefetchResources more resources than this in prefetch and draft orders together is refused with 413
 * @param fhirFetchTimeout connect and read timeout of one FHIR fetch (never beyond the request deadline)
 * @param publicBaseUrl the URL EHRs reach this service at, when a proxy hides it; empty means "as requested"
 */
@ConfigurationProperties("legcramp")
public record CdsProperties(
        @DefaultValue("classpath:content/") String contentLocation,
        @DefaultValue("2s") Duration requestDeadline,
        @DefaultValue("32MB") DataSize maxRequestSize,
        @DefaultValue("64") int maxJsonDepth,
        @DefaultValue("25000") int maxFetchedResources,
        @DefaultValue("25000") int maxPrefetchResources,
        @DefaultValue("2s") Duration fhirFetchTimeout,
        @DefaultValue("") String publicBaseUrl) {

    /** The public base URL without a trailing slash, or null when the service should use the request's own URL. */
    public String publicBase() {
        if (publicBaseUrl == null || publicBaseUrl.isBlank()) {
            return null;
        }
        return publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1) : publicBaseUrl;
    }
}
