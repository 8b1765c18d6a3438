package org.legcramp.cds.rules;

import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.hl7.fhir.r4.model.ActivityDefinition;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Enumerations.FHIRAllTypes;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Library;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.PlanDefinition.PlanDefinitionActionComponent;
import org.hl7.fhir.r4.model.RelatedArtifact;
import org.hl7.fhir.r4.model.TriggerDefinition;
import org.hl7.fhir.r4.model.ValueSet;
import org.legcramp.cds.cards.CardBuilder;
import org.legcramp.cds.cards.Explanations;
import org.legcramp.cds.content.ContentException;
import org.legcramp.cds.content.KnowledgeArtifacts;
import org.legcramp.cds.cql.CqlLibraries;
import org.legcramp.cds.cql.CqlTranslationException;
import org.legcramp.cds.cql.TranslationError;
import org.legcramp.cds.cql.ValueSetCodes;
import org.legcramp.cds.hooks.Hook;

/**
 * The services, built from the content and checked against it: every PlanDefinition names a
 * library that translates, defines that exist, ActivityDefinitions and value sets that resolve,
 * citations and a summary short enough for a card. A problem refuses start-up, naming the file.
 */
public final class RuleCatalog {

    public static final String CANONICAL_BASE = "http://legcrampcds.org/fhir";
    public static final String OVERRIDE_REASON_EXTENSION = CANONICAL_BASE + "/StructureDefinition/override-reason";
    public static final String EVIDENCE_GRADE_EXTENSION = CANONICAL_BASE + "/StructureDefinition/evidence-grade";
    public static final int MAX_SUMMARY_LENGTH = 140;
    static final String ACTION_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/action-type";

    /** The per-hook services are {@code leg-cramps-<hook>}. */
    public static final String SERVICE_GROUP_PREFIX = "leg-cramps-";

    private final Map<String, CdsService> servicesById = new LinkedHashMap<>();
    private final Map<String, ServiceGroup> groupsById = new LinkedHashMap<>();
    private final Map<String, ActivityDefinition> activityDefinitionsByUrl = new HashMap<>();
    private final Map<String, CqlTranslationException> untranslatedServices = new LinkedHashMap<>();
    private final CqlLibraries cql;
    private final KnowledgeArtifacts content;
    private final ValueSetCodes valueSetCodes;

    /** The service's catalogue: every library must translate. */
    public RuleCatalog(KnowledgeArtifacts content, CqlLibraries cql) {
        this(content, refusingUntranslated(cql), false);
    }

    /**
     * The case runner's catalogue: the rules whose library does not translate are left out (their
     * cases fail with the translation error, {@link #untranslatedServices()}), the others are built
     * and checked as the service would.
     */
    public static RuleCatalog ofTranslatedRules(KnowledgeArtifacts content, CqlLibraries cql) {
        return new RuleCatalog(content, cql, true);
    }

    private RuleCatalog(KnowledgeArtifacts content, CqlLibraries cql, boolean leaveOutUntranslatedRules) {
        this.cql = cql;
        this.content = content;
        content.activityDefinitions().forEach(a -> activityDefinitionsByUrl.put(a.getUrl(), a));
        this.valueSetCodes = new ValueSetCodes(content.valueSets());
        checkValueSets(content, valueSetCodes);
        Map<String, Library> librariesByUrl = new HashMap<>();
        for (Library library : content.libraries()) {
            String file = content.fileOf(library.getUrl());
            if (!content.cqlSourceByLibraryName().containsKey(library.getName())) {
                throw new ContentException(file, "Library " + library.getName() + " has no cql/" + library.getName() + ".cql");
            }
            librariesByUrl.put(library.getUrl(), library);
        }
        Set<String> valueSetUrls = new HashSet<>();
        content.valueSets().forEach(v -> valueSetUrls.add(v.getUrl()));
        for (String libraryName : cql.names()) {
            for (String url : cql.valueSetUrls(libraryName)) {
                if (!valueSetUrls.contains(url)) {
                    throw new ContentException(content.fileOf(libraryName), "value set " + url
                            + " does not resolve to a ValueSet in fhir-resources/knowledge");
                }
            }
        }
        checkSharedParameters(content, cql);
        Set<String> overrideReasonCodes = codesOf(content.codeSystems());
        for (PlanDefinition planDefinition : content.planDefinitions()) {
            String file = content.fileOf(planDefinition.getUrl());
            CqlTranslationException untranslated = untranslatedLibraryOf(planDefinition, librariesByUrl);
            if (leaveOutUntranslatedRules && untranslated != null) {
                untranslatedServices.put(planDefinition.getIdElement().getIdPart(), untranslated);
                continue;
            }
            CdsService service = toService(planDefinition, file, librariesByUrl, overrideReasonCodes);
            if (servicesById.putIfAbsent(service.id(), service) != null) {
                throw new ContentException(file, "repeats the service id " + service.id());
            }
        }
        for (Hook hook : Hook.values()) {
            List<CdsService> members = servicesById.values().stream().filter(s -> s.hook() == hook).toList();
            if (!members.isEmpty()) {
                ServiceGroup group = group(hook, members);
                if (servicesById.containsKey(group.id())) {
                    throw new ContentException(content.fileOf(group.id()), "uses the id of the per-hook service " + group.id());
                }
                groupsById.put(group.id(), group);
            }
        }
    }

    private static ServiceGroup group(Hook hook, List<CdsService> members) {
        DataNeeds needs = DataNeeds.union(members.stream().map(CdsService::dataNeeds).toList());
        return new ServiceGroup(SERVICE_GROUP_PREFIX + hook.id(), hook, "Leg cramp rules on " + hook.id(),
                "Every leg-cramp rule of the " + hook.id() + " hook in one call: "
                        + String.join(", ", members.stream().map(CdsService::ruleId).distinct().toList()) + ".",
                members, PrefetchTemplates.forNeeds(needs), needs);
    }

    /** Compiles the content's CQL; a library that does not translate refuses start-up. */
    public static CqlLibraries compile(KnowledgeArtifacts content) {
        return refusingUntranslated(new CqlLibraries(content.cqlSourceByLibraryName()));
    }

    /**
     * One line, the first error of a library that does not translate, at its file, line and column;
     * a library broken itself is named before the libraries that include it.
     */
    private static CqlLibraries refusingUntranslated(CqlLibraries cql) {
        cql.untranslated().entrySet().stream()
                .min(Comparator.comparing(e -> !e.getValue().firstError().file().equals(TranslationError.fileOf(e.getKey()))))
                .map(Map.Entry::getValue)
                .ifPresent(e -> {
                    throw new ContentException(e.firstError().location(), e.problem(), e);
                });
        return cql;
    }

    /** The services left out because their library (or one it includes) does not translate, by service id. */
    public Map<String, CqlTranslationException> untranslatedServices() {
        return Collections.unmodifiableMap(untranslatedServices);
    }

    /** The ids of the rules of the content, those left out for a library that does not translate included. */
    public Set<String> ruleIds() {
        Set<String> ids = new TreeSet<>();
        servicesById.values().forEach(service -> ids.add(service.ruleId()));
        untranslatedServices.keySet().forEach(id -> ids.add(CdsService.ruleIdOf(id)));
        return ids;
    }

    private CqlTranslationException untranslatedLibraryOf(PlanDefinition planDefinition, Map<String, Library> librariesByUrl) {
        return planDefinition.getLibrary().stream()
                .map(url -> librariesByUrl.get(url.getValue()))
                .filter(Objects::nonNull)
                .map(library -> cql.untranslated().get(library.getName()))
                .filter(Objects::nonNull)
                .findFirst().orElse(null);
    }

    public Collection<CdsService> services() {
        return servicesById.values();
    }

    public Optional<CdsService> service(String id) {
        return Optional.ofNullable(servicesById.get(id));
    }

    /** The per-hook services ({@link ServiceGroup}). */
    public Collection<ServiceGroup> groups() {
        return groupsById.values();
    }

    public Optional<ServiceGroup> group(String id) {
        return Optional.ofNullable(groupsById.get(id));
    }

    public ActivityDefinition activityDefinition(String canonical) {
        return activityDefinitionsByUrl.get(canonical);
    }

    private CdsService toService(PlanDefinition planDefinition, String file, Map<String, Library> librariesByUrl,
            Set<String> overrideReasonCodes) {
        boolean ecaRule = planDefinition.getType().getCoding().stream().anyMatch(c -> "eca-rule".equals(c.getCode()));
        if (!ecaRule) {
            throw new ContentException(file, "PlanDefinition.type must be eca-rule");
        }
        if (planDefinition.getAction().isEmpty()) {
            throw new ContentException(file, "has no action (an action is a card)");
        }
        Hook hook = null;
        for (PlanDefinitionActionComponent action : planDefinition.getAction()) {
            TriggerDefinition trigger = action.getTrigger().stream()
                    .filter(t -> t.getType() == TriggerDefinition.TriggerType.NAMEDEVENT)
                    .findFirst()
                    .orElseThrow(() -> new ContentException(file, "action '" + action.getTitle() + "' has no named-event trigger (the hook)"));
            Hook actionHook = Hook.byId(trigger.getName())
                    .orElseThrow(() -> new ContentException(file, "trigger names unsupported hook " + trigger.getName()));
            if (hook != null && hook != actionHook) {
                throw new ContentException(file, "actions are triggered by different hooks; one PlanDefinition is one service on one hook");
            }
            hook = actionHook;
        }
        if (planDefinition.getLibrary().size() != 1) {
            throw new ContentException(file, "must name exactly one CQL Library");
        }
        String libraryUrl = planDefinition.getLibrary().get(0).getValue();
        Library library = librariesByUrl.get(libraryUrl);
        if (library == null) {
            throw new ContentException(file, "names library " + libraryUrl + ", which is not in fhir-resources/knowledge");
        }
        String libraryName = library.getName();
        Set<String> defines = new HashSet<>(cql.defineNames(libraryName));
        for (PlanDefinitionActionComponent action : planDefinition.getAction()) {
            checkAction(action, file, libraryName, defines, overrideReasonCodes);
        }

        DataNeeds needs = dataNeeds(libraryName);
        Map<String, String> prefetch;
        try {
            prefetch = PrefetchTemplates.forNeeds(needs);
        } catch (IllegalArgumentException e) {
            throw new ContentException("cql/" + libraryName + ".cql", e.getMessage());
        }
        return new CdsService(planDefinition.getIdElement().getIdPart(), hook, planDefinition.getTitle(),
                planDefinition.getDescription(), libraryName, prefetch, needs, planDefinition);
    }

    /**
     * The service as it is with another library set (the workbench's edited CQL): the defines its
     * PlanDefinition reads must still be there (a condition still a Boolean), and what it may read
     * of a request's data is what the edited library retrieves. Its prefetch keys stay those of
     * the saved library, since a request carries those.
     *
     * @throws ContentException naming the define the edit lost or retyped
     */
    public CdsService withLibraries(CdsService service, CqlLibraries libraries) {
        String file = "cql/" + service.libraryName() + ".cql";
        Set<String> defines = new HashSet<>(libraries.defineNames(service.libraryName()));
        for (String define : service.definesUsed()) {
            if (!defines.contains(define)) {
                throw new ContentException(file, "the PlanDefinition " + service.id() + " reads define \"" + define
                        + "\", which the edited library no longer has");
            }
        }
        for (String condition : service.conditionDefines()) {
            String type = libraries.resultType(service.libraryName(), condition);
            if (!"Boolean".equals(type)) {
                throw new ContentException(file, "define \"" + condition + "\" decides a card of " + service.id()
                        + " and must be a Boolean, but the edited library makes it a " + type);
            }
        }
        return new CdsService(service.id(), service.hook(), service.title(), service.description(), service.libraryName(),
                service.prefetch(), dataNeeds(libraries, service.libraryName()), service.planDefinition());
    }

    private DataNeeds dataNeeds(String libraryName) {
        return dataNeeds(cql, libraryName);
    }

    private DataNeeds dataNeeds(CqlLibraries cql, String libraryName) {
        CqlLibraries.Reachable reachable = cql.reachableFrom(libraryName);
        Map<String, Set<String>> codes = new HashMap<>();
        reachable.valueSetsByFilteredType().forEach((type, urls) -> {
            Set<String> allowed = new HashSet<>();
            for (ValueSet valueSet : content.valueSets()) {
                if (urls.contains(valueSet.getUrl())) {
                    valueSetCodes.of(valueSet).forEach(code -> allowed.add(code.getSystem() + "|" + code.getCode()));
                }
            }
            codes.put(type, Set.copyOf(allowed));
        });
        return new DataNeeds(Set.copyOf(reachable.retrievedTypes()), Map.copyOf(codes), Set.copyOf(reachable.typesReadById()),
                elementsReadWithExplanations(reachable.elementsRead()));
    }

    /** The elements the library reads and those a card's explanation dates its cited resources by; null for all. */
    private static Set<String> elementsReadWithExplanations(Set<String> elementsRead) {
        if (elementsRead == null) {
            return null;
        }
        Set<String> elements = new HashSet<>(elementsRead);
        elements.addAll(Explanations.DATING_ELEMENTS);
        return Set.copyOf(elements);
    }

    private void checkAction(PlanDefinitionActionComponent action, String file, String libraryName,
            Set<String> defines, Set<String> overrideReasonCodes) {
        if (!action.hasTitle() || action.getTitle().length() >= MAX_SUMMARY_LENGTH) {
            throw new ContentException(file, "action.title (the card summary) must be present and under "
                    + MAX_SUMMARY_LENGTH + " characters");
        }
        boolean dynamicDetail = action.getDynamicValue().stream().anyMatch(d -> CardBuilder.DETAIL_PATH.equals(d.getPath()));
        if (!action.hasDescription() && !dynamicDetail) {
            throw new ContentException(file, "the card detail is missing: give action.description or a dynamicValue with path "
                    + CardBuilder.DETAIL_PATH);
        }
        for (var value : action.getDynamicValue()) {
            if (!CardBuilder.DETAIL_PATH.equals(value.getPath())) {
                throw new ContentException(file, "dynamicValue path '" + value.getPath() + "' is not one the cards read (only "
                        + CardBuilder.DETAIL_PATH + ", the path PlanDefinition/$apply sets on RequestGroup.action)");
            }
        }
        if (!action.hasPriority()) {
            throw new ContentException(file, "action.priority (the card indicator) is missing");
        }
        if (action.getDocumentation().isEmpty()
                || action.getDocumentationFirstRep().getType() != RelatedArtifact.RelatedArtifactType.CITATION) {
            throw new ContentException(file, "action.documentation must start with a citation (the card's source)");
        }
        for (RelatedArtifact citation : action.getDocumentation()) {
            if (!citation.hasUrl() || !citation.hasDisplay()) {
                throw new ContentException(file, "documentation " + citation.getLabel() + " needs a display and a url");
            }
            boolean absolute = citation.getUrl().startsWith("https://") || citation.getUrl().startsWith("http://");
            if (citation.getType() == RelatedArtifact.RelatedArtifactType.CITATION && !absolute) {
                throw new ContentException(file, "citation " + citation.getLabel() + " needs an absolute url");
            }
        }
        if (action.getCondition().size() != 1) {
            throw new ContentException(file, "action needs exactly one applicability condition");
        }
        String condition = action.getConditionFirstRep().getExpression().getExpression();
        requireDefine(condition, file, libraryName, defines);
        requireType(condition, "Boolean", "condition", action, file, libraryName);
        for (var dynamicValue : action.getDynamicValue()) {
            requireDefine(dynamicValue.getExpression().getExpression(), file, libraryName, defines);
            if (CardBuilder.DETAIL_PATH.equals(dynamicValue.getPath())) {
                requireType(dynamicValue.getExpression().getExpression(), "String", "detail", action, file, libraryName);
            }
        }
        for (Extension reason : action.getExtensionsByUrl(OVERRIDE_REASON_EXTENSION)) {
            Coding coding = (Coding) reason.getValue();
            if (!overrideReasonCodes.contains(coding.getSystem() + "|" + coding.getCode())) {
                throw new ContentException(file, "override reason " + coding.getCode() + " is not in a CodeSystem of the content");
            }
        }
        for (PlanDefinitionActionComponent suggestion : action.getAction()) {
            String type = suggestion.getType().getCoding().stream()
                    .filter(c -> ACTION_TYPE_SYSTEM.equals(c.getSystem())).map(Coding::getCode).findFirst().orElse("");
            if (!suggestion.hasTitle()) {
                throw new ContentException(file, "every suggestion (sub-action) needs a title, its label");
            }
            switch (type) {
                case "remove" -> {
                    var resource = suggestion.getDynamicValue().stream()
                            .filter(d -> CardBuilder.DELETE_TARGET_PATH.equals(d.getPath())).findFirst()
                            .orElseThrow(() -> new ContentException(file, "a remove suggestion needs a dynamicValue with path '"
                                    + CardBuilder.DELETE_TARGET_PATH + "' giving references to the orders to delete"));
                    requireDefine(resource.getExpression().getExpression(), file, libraryName, defines);
                    String target = resource.getExpression().getExpression();
                    String targetType = cql.resultType(libraryName, target);
                    if (!isReferences(targetType)) {
                        throw new ContentException(file, "action '" + action.getTitle() + "': remove suggestion '"
                                + suggestion.getTitle() + "' names define \"" + target + "\" of " + libraryName
                                + ", which is a " + targetType + "; a remove target must be a list of FHIR References (the orders to delete)");
                    }
                }
                case "create" -> {
                    ActivityDefinition definition = activityDefinitionsByUrl.get(suggestion.getDefinitionCanonicalType().getValue());
                    if (definition == null) {
                        throw new ContentException(file, "create suggestion names ActivityDefinition "
                                + suggestion.getDefinitionCanonicalType().getValue() + ", which is not in fhir-resources/knowledge");
                    }
                    for (var value : suggestion.getDynamicValue()) {
                        if (value.getPath() == null || !value.getPath().matches("[a-z][A-Za-z]*")) {
                            throw new ContentException(file, "a create suggestion's dynamicValue path must name an element of the"
                                    + " proposed resource (such as status), not '" + value.getPath() + "'");
                        }
                        requireDefine(value.getExpression().getExpression(), file, libraryName, defines);
                    }
                    String kind = definition.getKind() == null ? "" : definition.getKind().toCode();
                    if (!kind.equals(FHIRAllTypes.MEDICATIONREQUEST.toCode()) && !kind.equals(FHIRAllTypes.SERVICEREQUEST.toCode())) {
                        throw new ContentException(file, "ActivityDefinition " + definition.getUrl()
                                + " must be of kind MedicationRequest or ServiceRequest");
                    }
                }
                default -> throw new ContentException(file, "suggestion type must be create or remove, not '" + type + "'");
            }
        }
    }

    /** The translator's result type of a define must be what the card reads it as. */
    private void requireType(String define, String type, String role, PlanDefinitionActionComponent action, String file,
            String libraryName) {
        String actual = cql.resultType(libraryName, define);
        if (!type.equals(actual)) {
            throw new ContentException(file, "action '" + action.getTitle() + "': " + role + " names define \"" + define
                    + "\" of " + libraryName + ", which is a " + actual + "; a " + role + " must be a " + type);
        }
    }

    /** {@code List<FHIR.Reference>} or {@code FHIR.Reference}: what {@code action.resource} takes (the orders to delete). */
    private static boolean isReferences(String type) {
        return "List<FHIR.Reference>".equals(type) || "FHIR.Reference".equals(type);
    }

    private static void requireDefine(String define, String file, String libraryName, Set<String> defines) {
        if (!defines.contains(define)) {
            throw new ContentException(file, "names define \"" + define + "\", which library " + libraryName + " does not have");
        }
    }

    /**
     * A parameter declared by several libraries (a window two rules share) is one setting: its
     * type and default must agree, or a site that tunes one would silently keep the other.
     */
    private static void checkSharedParameters(KnowledgeArtifacts content, CqlLibraries cql) {
        Map<String, String> firstDeclaredIn = new HashMap<>();
        Map<String, String> declarations = new HashMap<>();
        for (String library : cql.names()) {
            Map<String, String> defaults = cql.parameterDefaults(library);
            cql.parameterTypes(library).forEach((name, type) -> {
                String declaration = type + " default " + defaults.getOrDefault(name, "(none)").replaceAll("\\s+", " ");
                String earlier = declarations.putIfAbsent(name, declaration);
                firstDeclaredIn.putIfAbsent(name, library);
                if (earlier != null && !earlier.equals(declaration)) {
                    throw new ContentException(content.fileOf(library), "parameter \"" + name + "\" is " + declaration
                            + " here but " + earlier + " in " + content.fileOf(firstDeclaredIn.get(name))
                            + "; a parameter that several libraries declare is one setting and must agree");
                }
            });
        }
    }

    private static void checkValueSets(KnowledgeArtifacts content, ValueSetCodes valueSetCodes) {
        for (ValueSet valueSet : content.valueSets()) {
            String file = content.fileOf(valueSet.getUrl());
            if (valueSet.getCompose().getInclude().stream().anyMatch(ValueSet.ConceptSetComponent::hasFilter)) {
                throw new ContentException(file, "uses filters; list the codes so the service works offline");
            }
            try {
                if (valueSetCodes.of(valueSet).isEmpty()) {
                    throw new ContentException(file, "lists no codes");
                }
            } catch (IllegalArgumentException e) {
                throw new ContentException(file, e.getMessage());
            }
        }
    }

    private static Set<String> codesOf(List<CodeSystem> codeSystems) {
        Set<String> codes = new HashSet<>();
        for (CodeSystem codeSystem : codeSystems) {
            codeSystem.getConcept().forEach(c -> codes.add(codeSystem.getUrl() + "|" + c.getCode()));
        }
        return codes;
    }
}
