package org.legcramp.cds.support;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.rest.annotation.IncludeParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.RequiredParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.provider.HashMapResourceProvider;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.startup.Tomcat;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.MedicationStatement;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * A real FHIR server for tests: HAPI's RestfulServer on an embedded Tomcat on loopback, serving
 * the resources it is given (read, search by patient, {@code _include} of medications) and
 * refusing any call without the expected bearer token; beside it, under {@link #faultyBaseUrl},
 * the ways a broken FHIR server answers (malformed JSON, JSON that is not FHIR, a 500).
 */
public final class InProcessFhirServer implements AutoCloseable {

    private final Tomcat tomcat = new Tomcat();
    private final HashMapResourceProvider<Patient> patients;
    private final PatientScoped<Condition> conditions;
    private final MedicationRequests medicationRequests;
    private final PatientScoped<MedicationStatement> medicationStatements;
    private final HashMapResourceProvider<Medication> medications;
    private final PatientScoped<Observation> observations;
    private final PatientScoped<Procedure> procedures;

    public InProcessFhirServer(String requiredBearerToken) {
        FhirContext fhir = FhirContext.forR4Cached();
        patients = new HashMapResourceProvider<>(fhir, Patient.class);
        conditions = new PatientScoped<>(fhir, Condition.class, Condition::getSubject);
        medicationStatements = new PatientScoped<>(fhir, MedicationStatement.class, MedicationStatement::getSubject);
        medications = new HashMapResourceProvider<>(fhir, Medication.class);
        medicationRequests = new MedicationRequests(fhir, medications);
        observations = new PatientScoped<>(fhir, Observation.class, Observation::getSubject);
        procedures = new PatientScoped<>(fhir, Procedure.class, Procedure::getSubject);
        RestfulServer server = new RestfulServer(fhir);
        server.registerProviders(patients, conditions, medicationRequests, medicationStatements, medications,
                observations, procedures);
        server.registerInterceptor(new RequireBearerToken(requiredBearerToken));
        try {
            tomcat.setPort(0);
            tomcat.setBaseDir(Files.createTempDirectory("fhir-server").toString());
            Context context = tomcat.addContext("", null);
            Tomcat.addServlet(context, "fhir", server);
            context.addServletMappingDecoded("/fhir/*", "fhir");
            Tomcat.addServlet(context, "faulty", new FaultyFhirServer());
            context.addServletMappingDecoded("/faulty/*", "faulty");
            tomcat.getConnector();
            tomcat.start();
        } catch (Exception e) {
            throw new IllegalStateException("FHIR test server did not start", e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + tomcat.getConnector().getLocalPort() + "/fhir";
    }

    /** The base URL of a FHIR server that answers every request with this fault. */
    public String faultyBaseUrl(Fault fault) {
        return "http://127.0.0.1:" + tomcat.getConnector().getLocalPort() + "/faulty/" + fault.name();
    }

    /** What a broken FHIR server does to every request. */
    public enum Fault {
        /** 200, a FHIR content type, and JSON cut off in the middle. */
        MALFORMED_JSON(200, "application/fhir+json", "{\"resourceType\": \"Bundle\", \"type\": \"searchset\", \"entry\": [{\"res"),
        /** 200, well-formed JSON that is not a FHIR resource (no resourceType). */
        NOT_FHIR(200, "application/fhir+json", "{\"status\": \"ok\", \"results\": []}"),
        /** 500 with an OperationOutcome, as a server in trouble answers. */
        SERVER_ERROR(500, "application/fhir+json", "{\"resourceType\": \"OperationOutcome\", \"issue\": [{\"severity\": \"error\", "
                + "\"code\": \"exception\", \"diagnostics\": \"database down\"}]}");

        final int status;
        final String contentType;
        final String body;

        Fault(int status, String contentType, String body) {
            this.status = status;
            this.contentType = contentType;
            this.body = body;
        }
    }

    /** Answers /faulty/{fault}/... with that fault, whatever was asked. */
    static final class FaultyFhirServer extends jakarta.servlet.http.HttpServlet {
        @Override
        protected void service(HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response)
                throws java.io.IOException {
            String path = request.getPathInfo() == null ? "" : request.getPathInfo().substring(1);
            Fault fault = Fault.valueOf(path.contains("/") ? path.substring(0, path.indexOf('/')) : path);
            response.setStatus(fault.status);
            response.setContentType(fault.contentType);
            response.getWriter().write(fault.body);
        }
    }

    /** Serves what a hook request carries in its prefetch (a Bundle's entries, or the resource itself). */
    public void storePrefetchOf(JsonNode request) {
        var parser = FhirContext.forR4Cached().newJsonParser();
        List<Resource> resources = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : request.get("prefetch").properties()) {
            if (entry.getValue().isNull()) {
                continue;
            }
            Resource resource = (Resource) parser.parseResource(entry.getValue().toString());
            if (resource instanceof Bundle bundle) {
                bundle.getEntry().forEach(e -> resources.add(e.getResource()));
            } else {
                resources.add(resource);
            }
        }
        store(resources);
    }

    public void store(List<Resource> resources) {
        for (Resource resource : resources) {
            switch (resource.fhirType()) {
                case "Patient" -> patients.store((Patient) resource);
                case "Condition" -> conditions.store((Condition) resource);
                case "MedicationRequest" -> medicationRequests.store((MedicationRequest) resource);
                case "MedicationStatement" -> medicationStatements.store((MedicationStatement) resource);
                case "Medication" -> medications.store((Medication) resource);
                case "Observation" -> observations.store((Observation) resource);
                case "Procedure" -> procedures.store((Procedure) resource);
                default -> throw new IllegalArgumentException("Test server does not serve " + resource.fhirType());
            }
        }
    }

    public void clear() {
        patients.clear();
        conditions.clear();
        medicationRequests.clear();
        medicationStatements.clear();
        medications.clear();
        observations.clear();
        procedures.clear();
    }

    @Override
    public void close() throws LifecycleException {
        tomcat.stop();
        tomcat.destroy();
    }

    /** Resources searchable by {@code patient}, as a FHIR server indexes them. */
    public static class PatientScoped<T extends DomainResource> extends HashMapResourceProvider<T> {
        private final Function<T, Reference> subject;

        PatientScoped(FhirContext fhir, Class<T> type, Function<T, Reference> subject) {
            super(fhir, type);
            this.subject = subject;
        }

        @Search
        public List<T> searchByPatient(@RequiredParam(name = "patient") ReferenceParam patient,
                @OptionalParam(name = "code") TokenOrListParam codes,
                @IncludeParam(allow = {"MedicationRequest:medication"}) Set<Include> includes) {
            List<T> matches = new ArrayList<>();
            for (T resource : getStoredResources()) {
                if (patient.getIdPart().equals(subject.apply(resource).getReferenceElement().getIdPart())
                        && (codes == null || hasCode(resource, codes))) {
                    matches.add(resolveIncludes(resource, includes));
                }
            }
            return matches;
        }

        /** code=system|code,... as a FHIR server reads it: any of the tokens on the resource's code. */
        private static boolean hasCode(DomainResource resource, TokenOrListParam codes) {
            org.hl7.fhir.r4.model.Property property = resource.getNamedProperty("code");
            if (property == null || property.getValues().isEmpty() || !(property.getValues().get(0) instanceof CodeableConcept concept)) {
                return false;
            }
            return codes.getValuesAsQueryTokens().stream().anyMatch(token -> concept.getCoding().stream()
                    .anyMatch(coding -> token.getValue().equals(coding.getCode())
                            && (token.getSystem() == null || token.getSystem().equals(coding.getSystem()))));
        }

        protected T resolveIncludes(T resource, Set<Include> includes) {
            return resource;
        }
    }

    /** MedicationRequests, with {@code _include=MedicationRequest:medication} resolved. */
    static final class MedicationRequests extends PatientScoped<MedicationRequest> {
        private final HashMapResourceProvider<Medication> medications;

        MedicationRequests(FhirContext fhir, HashMapResourceProvider<Medication> medications) {
            super(fhir, MedicationRequest.class, MedicationRequest::getSubject);
            this.medications = medications;
        }

        @Override
        protected MedicationRequest resolveIncludes(MedicationRequest order, Set<Include> includes) {
            if (includes == null || includes.isEmpty() || !order.hasMedicationReference()
                    || order.getMedicationReference().getReference().startsWith("#")) {
                return order;
            }
            MedicationRequest copy = order.copy();
            String id = copy.getMedicationReference().getReferenceElement().getIdPart();
            medications.getStoredResources().stream()
                    .filter(m -> m.getIdElement().getIdPart().equals(id))
                    .findFirst()
                    .ifPresent(m -> copy.getMedicationReference().setResource(m));
            return copy;
        }
    }

    /** Refuses any request whose Authorization is not the expected bearer token, with 401. */
    public static final class RequireBearerToken {
        private final String token;

        RequireBearerToken(String token) {
            this.token = token;
        }

        @Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
        public boolean check(HttpServletRequest request) {
            if (!("Bearer " + token).equals(request.getHeader("Authorization"))) {
                throw new AuthenticationException("Missing or wrong bearer token");
            }
            return true;
        }
    }
}
