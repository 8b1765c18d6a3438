package org.legcramp.cds.prefetch;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

/**
 * Fetches one prefetch query from the EHR's FHIR server with HAPI's client, following search
 * pages. Socket and connect timeouts are the request deadline, so no thread waits past it.
 */
public final class FhirFetcher {

    private final FhirContext fhirContext;
    private final int maxResources;

    public FhirFetcher(FhirContext fhirContext, java.time.Duration timeout, int maxResources) {
        this.fhirContext = fhirContext;
        this.maxResources = maxResources;
        var factory = fhirContext.getRestfulClientFactory();
        factory.setServerValidationMode(ServerValidationModeEnum.NEVER);
        factory.setConnectTimeout((int) timeout.toMillis());
        factory.setSocketTimeout((int) timeout.toMillis());
        factory.setConnectionRequestTimeout((int) timeout.toMillis());
    }

    /**
     * @param query a relative FHIR URL, tokens already filled in: {@code Patient/123} or {@code Condition?patient=123}
     */
    public List<Resource> fetch(URI fhirServer, String accessToken, String query) {
        IGenericClient client = fhirContext.newRestfulGenericClient(stripTrailingSlash(fhirServer.toString()));
        if (accessToken != null) {
            client.registerInterceptor(new BearerTokenAuthInterceptor(accessToken));
        }
        // Token searches (code=system|code) carry '|', which a URL must percent-encode.
        String url = stripTrailingSlash(fhirServer.toString()) + "/" + query.replace("|", "%7C");
        IBaseResource result = client.fetchResourceFromUrl(expectedType(query), url);
        List<Resource> resources = new ArrayList<>();
        if (!(result instanceof Bundle bundle)) {
            resources.add((Resource) result);
            return resources;
        }
        while (true) {
            for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
                if (entry.hasResource()) {
                    resources.add(entry.getResource());
                }
            }
            if (resources.size() > maxResources) {
                throw new RequiredDataUnavailableException(RequiredDataUnavailableException.Cause.TOO_MANY_RESOURCES,
                        "The FHIR server returned more than " + maxResources
                        + " resources for " + query.replaceAll("\\?.*", "") + "; refusing to evaluate on partial data");
            }
            if (bundle.getLink(Bundle.LINK_NEXT) == null) {
                return resources;
            }
            bundle = client.loadPage().next(bundle).execute();
        }
    }

    /** A search answers with a Bundle; a read with the resource type the query starts with. */
    private Class<? extends IBaseResource> expectedType(String query) {
        if (query.contains("?")) {
            return Bundle.class;
        }
        return fhirContext.getResourceDefinition(query.substring(0, query.indexOf('/'))).getImplementingClass();
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
