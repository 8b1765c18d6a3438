package org.legcramp.cds.prefetch;

import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.client.exceptions.FhirClientConnectionException;
import ca.uhn.fhir.rest.client.exceptions.NonFhirResponseException;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import org.legcramp.cds.prefetch.RequiredDataUnavailableException.Cause;

/**
 * What went wrong with one fetch, in the words the 412 gives the EHR: unreachable, timed out, an
 * HTTP status, a body that is not JSON, JSON that is not FHIR. HAPI's client wraps these
 * differently (a parse failure can come inside a connection exception), so the whole cause chain
 * is read. Never quotes the body or the server's message: either could carry patient data.
 */
final class FetchFailures {

    private FetchFailures() {}

    static RequiredDataUnavailableException describe(String key, Throwable failure) {
        if (failure instanceof RequiredDataUnavailableException unavailable) {
            return unavailable;
        }
        String what = "Could not fetch '" + key + "' from the FHIR server: ";
        if (failure instanceof NonFhirResponseException nonFhir) {
            return new RequiredDataUnavailableException(Cause.INVALID_FHIR, what + "it answered HTTP " + nonFhir.getStatusCode()
                    + " with a body that is not FHIR (content type " + contentType(nonFhir) + ")");
        }
        if (inChain(failure, JsonProcessingException.class)) {
            return new RequiredDataUnavailableException(Cause.UNPARSEABLE_BODY, what + "its answer is not parseable JSON");
        }
        if (inChain(failure, DataFormatException.class) || inChain(failure, ClassCastException.class)) {
            return new RequiredDataUnavailableException(Cause.INVALID_FHIR,
                    what + "its answer is JSON but not valid FHIR (not the resource or Bundle asked for)");
        }
        if (inChain(failure, InterruptedIOException.class)) {
            // SocketTimeoutException and HttpClient's connect timeout are both InterruptedIOExceptions.
            return new RequiredDataUnavailableException(Cause.TIMED_OUT, what + "it did not answer within the fetch timeout");
        }
        // HAPI's connection exception is a BaseServerResponseException too (status 0): tested first.
        if (inChain(failure, ConnectException.class) || inChain(failure, UnknownHostException.class)
                || inChain(failure, NoRouteToHostException.class) || failure instanceof FhirClientConnectionException) {
            return new RequiredDataUnavailableException(Cause.UNREACHABLE, what + "the server could not be reached ("
                    + rootCause(failure).getClass().getSimpleName() + ")");
        }
        if (failure instanceof BaseServerResponseException response) {
            return new RequiredDataUnavailableException(Cause.HTTP_STATUS, what + "it answered HTTP " + response.getStatusCode()
                    + (response.getStatusCode() == 404 ? " (not found)"
                    : response.getStatusCode() == 401 || response.getStatusCode() == 403 ? " (the access token was refused)" : ""));
        }
        return new RequiredDataUnavailableException(Cause.UNREACHABLE, what + failure.getClass().getSimpleName());
    }

    private static boolean inChain(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static String contentType(NonFhirResponseException nonFhir) {
        var headers = nonFhir.getResponseHeaders();
        if (headers != null) {
            for (var header : headers.entrySet()) {
                if ("content-type".equalsIgnoreCase(header.getKey()) && !header.getValue().isEmpty()) {
                    return header.getValue().get(0);
                }
            }
        }
        return "unknown";
    }
}
