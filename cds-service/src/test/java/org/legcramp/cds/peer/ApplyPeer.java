package org.legcramp.cds.peer;

import ca.uhn.fhir.context.FhirContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.elm.r1.VersionedIdentifier;
import org.hl7.fhir.instance.model.api.IBaseBundle;
import org.hl7.fhir.instance.model.api.IBaseParameters;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Library;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RequestGroup;
import org.hl7.fhir.r4.model.RequestGroup.RequestGroupActionComponent;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ValueSet;
import org.legcramp.cds.content.ContentLoader;
import org.legcramp.cds.content.KnowledgeArtifacts;
import org.legcramp.cds.cql.ValueSetCodes;
import org.opencds.cqf.cql.engine.execution.CqlEngine;
import org.opencds.cqf.cql.engine.execution.EvaluationResults;
import org.opencds.cqf.cql.engine.runtime.Code;
import org.opencds.cqf.fhir.cql.EvaluationSettings;
import org.opencds.cqf.fhir.cql.LibraryEngine;
import org.opencds.cqf.fhir.cql.engine.parameters.CqlFhirParametersConverter;
import org.opencds.cqf.fhir.cql.engine.retrieve.RetrieveSettings.SEARCH_FILTER_MODE;
import org.opencds.cqf.fhir.cql.engine.retrieve.RetrieveSettings.TERMINOLOGY_FILTER_MODE;
import org.opencds.cqf.fhir.cql.engine.terminology.TerminologySettings.CODE_LOOKUP_MODE;
import org.opencds.cqf.fhir.cql.engine.terminology.TerminologySettings.VALUESET_EXPANSION_MODE;
import org.opencds.cqf.fhir.cql.engine.terminology.TerminologySettings.VALUESET_MEMBERSHIP_MODE;
import org.opencds.cqf.fhir.cql.engine.terminology.TerminologySettings.VALUESET_PRE_EXPANSION_MODE;
import org.opencds.cqf.fhir.cr.CrSettings;
import org.opencds.cqf.fhir.cr.plandefinition.PlanDefinitionProcessor;
import org.opencds.cqf.fhir.utility.monad.Eithers;
import org.opencds.cqf.fhir.utility.repository.InMemoryFhirRepository;
import org.slf4j.LoggerFactory;

/**
 * The reference engine as a peer of ours: cqf-fhir-cr 4.4.0 {@code PlanDefinition/$apply}, in
 * process, over our own content, so that a differential test can compare its cards with ours and a
 * benchmark can time both. Test scope only: it never ships in the service jar.
 *
 * <p>Built once from a checkout ({@link #fromCheckout(Path)}: the folder holding {@code cql/} and
 * {@code fhir-resources/}), it holds an in-memory repository with every PlanDefinition,
 * ActivityDefinition, CodeSystem, ValueSet and Library of the content:
 * <ul>
 *   <li>each ValueSet gets an {@code expansion} computed from its compose by our
 *       {@link ValueSetCodes} (which also resolves {@code compose.include.valueSet} among the
 *       shipped value sets), because the reference engine cannot expand a composed value set
 *       without a terminology server; the engine is told to use the pre-expansion;</li>
 *   <li>each Library gets its CQL inlined as {@code content} (text/cql, base64 data) in place of
 *       our {@code url: cql/X.cql} attachment. <b>This is a workaround</b> until the build
 *       generates such Libraries itself: the reference engine only reads inline content.
 *       FHIRHelpers comes from the engine's embedded libraries, so no Library is made for it.</li>
 * </ul>
 *
 * <p>{@link #apply} runs {@code $apply} for one PlanDefinition and one patient on the given
 * resources (prefetch plus the draft orders in scope), passed as the operation's {@code data}
 * Bundle, and turns the resulting CarePlan / RequestGroup into {@link PeerCard}s the way a CDS
 * Hooks layer over {@code $apply} would: one card per top-level action, summary = title,
 * indicator from priority, detail = description, sub-actions = suggestions.
 *
 * <p>Evaluation time: 4.4.0 evaluates {@code text/cql-identifier} expressions with no evaluation
 * date/time (the system clock); this peer passes {@code now} by a {@link LibraryEngine} that
 * supplies it when the engine leaves it unset, so {@code Now()} is the request's time on both engines.
 *
 * <p>What {@code $apply} cannot express of our content (it reports each as an issue, see
 * {@link #lastIssues()}; {@link ApplyDifferentialTest} names them):
 * <ul>
 *   <li>"remove" sub-actions: their {@code dynamicValue} (path {@code resource}) returns the draft
 *       orders to delete, but {@code RequestGroup.action.resource} is a Reference and the engine
 *       cannot set resources into it, so the peer's suggestion has no delete action;</li>
 *   <li>the {@code detail} dynamic value: {@code RequestGroup.action} has no such element, so the
 *       peer's detail is the action's description alone, without our per-patient sentence.</li>
 * </ul>
 *
 * <p>Warm instances are meant to be reused across calls (compiled libraries and value set
 * expansions are cached in its settings). Not thread-safe.
 */
public final class ApplyPeer {

    /** A card as $apply expresses it. */
    public record PeerCard(String summary, String indicator, String detail, List<PeerSuggestion> suggestions) {}

    /** A suggestion: its label and its actions. */
    public record PeerSuggestion(String label, List<PeerAction> actions) {}

    /**
     * One action of a suggestion: {@code type} is the CDS Hooks action type (create, delete,
     * update); {@code resourceId} names the resource to delete ("MedicationRequest/x"), {@code resource}
     * is the resource proposed for creation.
     */
    public record PeerAction(String type, String resourceId, Resource resource) {}

    private static final String ENGINE_LOGS = "org.opencds.cqf.fhir";

    private final FhirContext fhir;
    private final InMemoryFhirRepository repository;
    private final EvaluationSettings settings;
    private final PlanDefinitionProcessor processor;
    private List<String> lastIssues = List.of();

    private ApplyPeer(FhirContext fhir, KnowledgeArtifacts content) {
        this.fhir = fhir;
        Bundle knowledge = new Bundle().setType(Bundle.BundleType.COLLECTION);
        content.planDefinitions().forEach(p -> knowledge.addEntry().setResource(p.copy()));
        content.activityDefinitions().forEach(a -> knowledge.addEntry().setResource(a.copy()));
        content.codeSystems().forEach(c -> knowledge.addEntry().setResource(c.copy()));
        ValueSetCodes codes = new ValueSetCodes(content.valueSets());
        content.valueSets().forEach(v -> knowledge.addEntry().setResource(expanded(v, codes)));
        content.libraries().forEach(l -> knowledge.addEntry().setResource(withInlineCql(l, content)));
        this.repository = new InMemoryFhirRepository(fhir, knowledge);

        this.settings = EvaluationSettings.getDefault();
        settings.getRetrieveSettings()
                .setSearchParameterMode(SEARCH_FILTER_MODE.FILTER_IN_MEMORY)
                .setTerminologyParameterMode(TERMINOLOGY_FILTER_MODE.FILTER_IN_MEMORY);
        settings.getTerminologySettings()
                .setValuesetPreExpansionMode(VALUESET_PRE_EXPANSION_MODE.USE_IF_PRESENT)
                .setValuesetExpansionMode(VALUESET_EXPANSION_MODE.PERFORM_NAIVE_EXPANSION)
                .setValuesetMembershipMode(VALUESET_MEMBERSHIP_MODE.USE_EXPANSION)
                .setCodeLookupMode(CODE_LOOKUP_MODE.USE_CODESYSTEM_URL);
        this.processor = new PlanDefinitionProcessor(repository, CrSettings.getDefault().withEvaluationSettings(settings));
    }

    /** @param root a checkout: the folder holding {@code cql/} and {@code fhir-resources/} */
    public static ApplyPeer fromCheckout(Path root) {
        FhirContext fhir = FhirContext.forR4Cached();
        return new ApplyPeer(fhir, new ContentLoader(fhir).load(root.toAbsolutePath().normalize().toUri().toString()));
    }

    /**
     * Runs {@code PlanDefinition/$apply} and returns its cards (none when no action applies).
     *
     * @param patientData the patient's resources: prefetch and the draft orders in scope
     * @param now the evaluation time ({@code Now()} in CQL)
     */
    public List<PeerCard> apply(String planDefinitionId, String patientId, List<Resource> patientData, ZonedDateTime now) {
        return cards(applyRaw(planDefinitionId, patientId, patientData, now));
    }

    /** The CarePlan that {@code $apply} returns, for inspection. */
    public CarePlan applyRaw(String planDefinitionId, String patientId, List<Resource> patientData, ZonedDateTime now) {
        quietEngineLogs();
        Bundle data = new Bundle().setType(Bundle.BundleType.COLLECTION);
        for (Resource resource : patientData) {
            data.addEntry().setFullUrl(resource.fhirType() + "/" + resource.getIdElement().getIdPart()).setResource(resource);
        }
        CarePlan carePlan = (CarePlan) processor.apply(
                Eithers.<CanonicalType, IIdType, PlanDefinition>forMiddle3(
                        new IdType("PlanDefinition", planDefinitionId)),
                "Patient/" + patientId,
                null, null, null, null, null, null, null, null,
                (IBaseParameters) null, data, null, new LibraryEngineAt(repository, settings, now));
        lastIssues = issues(carePlan);
        return carePlan;
    }

    /**
     * The engine logs at ERROR every problem it also reports in the result's OperationOutcome
     * (see {@link #lastIssues()}), on every call; that would flood test output and skew timings.
     * Set on each call because a Spring test in the same JVM may have reset logging since.
     */
    private static void quietEngineLogs() {
        if (LoggerFactory.getLogger(ENGINE_LOGS) instanceof ch.qos.logback.classic.Logger logger
                && logger.getLevel() != ch.qos.logback.classic.Level.OFF) {
            logger.setLevel(ch.qos.logback.classic.Level.OFF);
        }
    }

    /** The error and warning messages the last {@code $apply} reported (its OperationOutcome). */
    public List<String> lastIssues() {
        return lastIssues;
    }

    public FhirContext fhirContext() {
        return fhir;
    }

    // ---- the result as cards

    static List<PeerCard> cards(CarePlan carePlan) {
        RequestGroup group = carePlan.getContained().stream().filter(RequestGroup.class::isInstance)
                .map(RequestGroup.class::cast).findFirst().orElse(null);
        if (group == null) {
            return List.of();
        }
        List<PeerCard> cards = new ArrayList<>();
        for (RequestGroupActionComponent action : group.getAction()) {
            if (action == null || action.isEmpty()) {
                continue;
            }
            List<PeerSuggestion> suggestions = new ArrayList<>();
            for (RequestGroupActionComponent sub : action.getAction()) {
                List<PeerAction> actions = suggestionActions(sub, group, carePlan);
                if (!actions.isEmpty()) {
                    suggestions.add(new PeerSuggestion(sub.getTitle(), actions));
                }
            }
            cards.add(new PeerCard(action.getTitle(), indicator(action), action.getDescription(), suggestions));
        }
        return cards;
    }

    private static String indicator(RequestGroupActionComponent action) {
        if (!action.hasPriority()) {
            return "info";
        }
        return switch (action.getPriority()) {
            case STAT -> "critical";
            case URGENT, ASAP -> "warning";
            default -> "info";
        };
    }

    private static List<PeerAction> suggestionActions(RequestGroupActionComponent sub, RequestGroup group, CarePlan carePlan) {
        String type = sub.getType().getCodingFirstRep().getCode();
        String cdsType = "remove".equals(type) ? "delete" : type;
        List<PeerAction> actions = new ArrayList<>();
        if (sub.hasResource()) {
            Reference reference = sub.getResource();
            Resource resource = reference.getResource() instanceof Resource r ? r : contained(reference, group, carePlan);
            String id = reference.hasReference() && !reference.getReference().startsWith("#") ? reference.getReference() : null;
            actions.add(new PeerAction(cdsType, id, "delete".equals(cdsType) ? null : resource));
        }
        return actions;
    }

    private static Resource contained(Reference reference, RequestGroup group, CarePlan carePlan) {
        if (!reference.hasReference() || !reference.getReference().startsWith("#")) {
            return null;
        }
        String id = reference.getReference().substring(1);
        for (List<Resource> contained : List.of(group.getContained(), carePlan.getContained())) {
            for (Resource resource : contained) {
                String own = resource.getIdElement().getIdPart();
                if (id.equals(own) || ("#" + id).equals(resource.getId())) {
                    return resource;
                }
            }
        }
        return null;
    }

    private static List<String> issues(CarePlan carePlan) {
        List<String> issues = new ArrayList<>();
        List<Resource> all = new ArrayList<>(carePlan.getContained());
        carePlan.getContained().stream().filter(RequestGroup.class::isInstance)
                .forEach(group -> all.addAll(((RequestGroup) group).getContained()));
        for (Resource resource : all) {
            if (resource instanceof OperationOutcome outcome) {
                outcome.getIssue().forEach(issue -> issues.add(issue.getDiagnostics()));
            }
        }
        return issues;
    }

    // ---- content as the reference engine reads it

    private static ValueSet expanded(ValueSet source, ValueSetCodes codes) {
        ValueSet valueSet = source.copy();
        ValueSet.ValueSetExpansionComponent expansion = new ValueSet.ValueSetExpansionComponent().setTimestamp(new Date());
        for (Code code : codes.of(source)) {
            expansion.addContains().setSystem(code.getSystem()).setCode(code.getCode()).setDisplay(code.getDisplay());
        }
        expansion.setTotal(expansion.getContains().size());
        valueSet.setExpansion(expansion);
        return valueSet;
    }

    private static Library withInlineCql(Library source, KnowledgeArtifacts content) {
        String cql = content.cqlSourceByLibraryName().get(source.getName());
        if (cql == null) {
            throw new IllegalArgumentException("Library " + source.getUrl() + " has no cql/" + source.getName() + ".cql");
        }
        Library library = source.copy();
        library.getContent().clear();
        library.addContent(new Attachment().setContentType("text/cql").setData(cql.getBytes(StandardCharsets.UTF_8)));
        return library;
    }

    /** The reference engine's library engine, evaluating at a given time when it names none. */
    private static final class LibraryEngineAt extends LibraryEngine {
        private final ZonedDateTime now;

        LibraryEngineAt(InMemoryFhirRepository repository, EvaluationSettings settings, ZonedDateTime now) {
            super(repository, settings);
            this.now = now;
        }

        @Override
        public EvaluationResults getEvaluationResult(List<VersionedIdentifier> ids, String patientId,
                IBaseParameters parameters, Map<String, Object> rawParameters, IBaseBundle additionalData,
                Set<String> expressions, CqlFhirParametersConverter converter, ZonedDateTime zonedDateTime,
                CqlEngine engine) {
            return super.getEvaluationResult(ids, patientId, parameters, rawParameters, additionalData, expressions,
                    converter, zonedDateTime == null ? now : zonedDateTime, engine);
        }
    }
}
