package org.legcramp.cds.peer;

import ca.uhn.fhir.context.FhirContext;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.elm.r1.VersionedIdentifier;
import org.hl7.fhir.instance.model.api.IBaseBundle;
import org.hl7.fhir.instance.model.api.IBaseParameters;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedArtifact;
import org.hl7.fhir.r4.model.RequestGroup;
import org.hl7.fhir.r4.model.RequestGroup.RequestGroupActionComponent;
import org.hl7.fhir.r4.model.Resource;
import org.legcramp.cds.contentpackage.ContentPackage;
import org.legcramp.cds.rules.RuleCatalog;
import org.opencds.cqf.cql.engine.execution.CqlEngine;
import org.opencds.cqf.cql.engine.execution.EvaluationResults;
import org.opencds.cqf.fhir.cql.EvaluationSettings;
import org.opencds.cqf.fhir.cql.LibraryEngine;
import org.opencds.cqf.fhir.cql.engine.parameters.CqlFhirParametersConverter;
import org.opencds.cqf.fhir.cql.engine.retrieve.RetrieveSettings.SEARCH_FILTER_MODE;
import org.opencds.cqf.fhir.cql.engine.retrieve.RetrieveSettings.TERMINOLOGY_FILTER_MODE;
import org.opencds.cqf.fhir.cr.CrSettings;
import org.opencds.cqf.fhir.cr.plandefinition.PlanDefinitionProcessor;
import org.opencds.cqf.fhir.utility.monad.Eithers;
import org.opencds.cqf.fhir.utility.repository.InMemoryFhirRepository;
import org.slf4j.LoggerFactory;

/**
 * The reference engine as a peer of ours: cqf-fhir-cr 4.4.0 {@code PlanDefinition/$apply}, in
 * process, over our content <b>as the build packages it</b>, so that a differential test can
 * compare its cards with ours and a benchmark can time both. Test scope only: it never ships in the
 * service jar.
 *
 * <p>Built once from the FHIR package ({@link #fromPackage(Path)}, or {@link #fromCheckout(Path)}:
 * the package under {@code fhir-resources/target/}, written by the build's
 * {@code ContentPackageBuilder}), it loads every resource of the package unchanged into an in-memory
 * repository, as a site adopting the package would: Libraries carry their CQL and ELM, ValueSets
 * their expansion. The engine runs with its default settings, apart from filtering retrieves in
 * memory (no FHIR server behind the repository).
 *
 * <p>{@link #apply} runs {@code $apply} for one PlanDefinition and one patient on the given
 * resources (prefetch plus the draft orders in scope), passed as the operation's {@code data}
 * Bundle, and maps the resulting CarePlan / RequestGroup to {@link PeerCard}s by the mapping our
 * CardBuilder applies to a PlanDefinition action, here read from the applied RequestGroup action:
 * one card per top-level action; title → summary, description → detail, priority → indicator,
 * the first documentation → source and the others → links (a citation's label with its
 * {@code evidence-grade} extension), selectionBehavior, and each sub-action → a suggestion of one
 * action of the sub-action's type, its resource the target (the order to delete, or the contained
 * resource proposed). HAPI's own CDS Hooks layer over {@code $apply} (CdsCrServiceR4) maps
 * differently (docs/ARCHITECTURE.md, "Portable content").
 *
 * <p>Evaluation time: 4.4.0 evaluates {@code text/cql-identifier} expressions with no evaluation
 * date/time (the system clock); this peer passes {@code now} by a {@link LibraryEngine} that
 * supplies it when the engine leaves it unset, so {@code Now()} is the request's time on both engines.
 *
 * <p>What {@code $apply} cannot express of our cards ({@link ApplyDifferentialTest} names both):
 * CDS Hooks {@code overrideReasons} (the engine copies our {@code override-reason} extensions onto
 * {@code RequestGroup.action}, but no CDS Hooks mapping of a RequestGroup reads them, so the peer's
 * cards have none); and more than one order to delete in one suggestion
 * ({@code RequestGroup.action.resource} is 0..1; the engine keeps the first reference).
 *
 * <p>Warm instances are meant to be reused across calls (compiled libraries and value set
 * expansions are cached in its settings). Not thread-safe.
 */
public final class ApplyPeer {

    /** A card as $apply expresses it. */
    public record PeerCard(String summary, String indicator, String detail, PeerLink source, List<PeerLink> links,
            String selectionBehavior, List<PeerSuggestion> suggestions) {}

    /** A source or link: label and url as the PlanDefinition's documentation gives them (a url may be relative). */
    public record PeerLink(String label, String url) {}

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

    private ApplyPeer(FhirContext fhir, Bundle knowledge) {
        this.fhir = fhir;
        this.repository = new InMemoryFhirRepository(fhir, knowledge);
        this.settings = EvaluationSettings.getDefault();
        settings.getRetrieveSettings()
                .setSearchParameterMode(SEARCH_FILTER_MODE.FILTER_IN_MEMORY)
                .setTerminologyParameterMode(TERMINOLOGY_FILTER_MODE.FILTER_IN_MEMORY);
        this.processor = new PlanDefinitionProcessor(repository, CrSettings.getDefault().withEvaluationSettings(settings));
    }

    /**
     * @param root a checkout: the folder holding {@code cql/} and {@code fhir-resources/}, whose
     *     package ({@code fhir-resources/target/*.tgz}) the build has written (any {@code ./mvnw test})
     */
    public static ApplyPeer fromCheckout(Path root) {
        return fromPackage(ContentPackage.of(root));
    }

    /** @param tgz a FHIR NPM package ({@code package/package.json} and the resources), loaded as it is */
    public static ApplyPeer fromPackage(Path tgz) {
        FhirContext fhir = FhirContext.forR4Cached();
        Bundle knowledge = new Bundle().setType(Bundle.BundleType.COLLECTION);
        ContentPackage.read(tgz, fhir).resources().forEach(resource -> knowledge.addEntry().setResource(resource));
        return new ApplyPeer(fhir, knowledge);
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
            List<PeerLink> links = action.getDocumentation().stream().skip(1)
                    .map(d -> new PeerLink(labelOf(d), d.getUrl())).toList();
            PeerLink source = action.hasDocumentation()
                    ? new PeerLink(labelOf(action.getDocumentationFirstRep()), action.getDocumentationFirstRep().getUrl()) : null;
            cards.add(new PeerCard(action.getTitle(), indicator(action), action.getDescription(), source, links,
                    action.hasSelectionBehavior() ? action.getSelectionBehavior().toCode() : null, suggestions));
        }
        return cards;
    }

    private static String labelOf(RelatedArtifact citation) {
        Extension grade = citation.getExtensionByUrl(RuleCatalog.EVIDENCE_GRADE_EXTENSION);
        return grade == null ? citation.getDisplay() : citation.getDisplay() + " (" + grade.getValue().primitiveValue() + ")";
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
            boolean delete = "delete".equals(cdsType);
            actions.add(new PeerAction(cdsType, delete ? id : null, delete ? null : resource));
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
