package org.legcramp.cds.hooks;

/** No service has the id the EHR called; answered 404. */
public final class UnknownServiceException extends RuntimeException {

    public UnknownServiceException(String serviceId) {
        super("No CDS service with id '" + serviceId + "'; GET /cds-services lists them");
    }
}
