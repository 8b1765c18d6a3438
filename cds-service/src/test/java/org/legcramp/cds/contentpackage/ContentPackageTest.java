package org.legcramp.cds.contentpackage;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.ActivityDefinition;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.Library;
import org.hl7.fhir.r4.model.MetadataResource;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.PlanDefinition.PlanDefinitionActionComponent;
import org.hl7.fhir.r4.model.RelatedArtifact;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ValueSet;
import org.hl7.elm.r1.IncludeDef;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.legcramp.cds.content.ContentLoader;
import org.legcramp.cds.content.KnowledgeArtifacts;
import org.legcramp.cds.cql.CqlLibraries;
import org.legcramp.cds.cql.ValueSetCodes;
import org.legcramp.cds.rules.RuleCatalog;

/**
 * The FHIR package the build writes (fhir-resources/target/*.tgz, {@link ContentPackageBuilder}) is
 * the content, whole and consistent: its manifest names canonical, version and FHIR 4.0.1; it holds
 * every Library, PlanDefinition, ActivityDefinition, ValueSet and CodeSystem of
 * fhir-resources/knowledge; Libraries carry exactly the CQL of cql/ (the one source) and its ELM;
 * ValueSets carry their expansion; every canonical is under the one base and of the package version,
 * and every reference between artifacts (library, definitionCanonical, depends-on, compose.include.valueSet,
 * the CQL's include and valueset declarations) resolves to an artifact of the package of that version.
 */
class ContentPackageTest {

    private static final Path ROOT = Path.of("..");
    private static final FhirContext FHIR = FhirContext.forR4Cached();

    private static ContentPackage pack;
    private static KnowledgeArtifacts source;
    private static CqlLibraries cql;
    private static String version;
    private static Map<String, MetadataResource> byUrl;

    @BeforeAll
    static void read() {
        pack = ContentPackage.read(ContentPackage.of(ROOT), FHIR);
        source = new ContentLoader(FHIR).load(ROOT.toAbsolutePath().normalize().toUri().toString());
        cql = RuleCatalog.compile(source);
        version = pack.manifest().path("version").asText();
        byUrl = pack.resources().stream().map(MetadataResource.class::cast)
                .collect(Collectors.toMap(MetadataResource::getUrl, Function.identity()));
    }

    @Test
    void theManifestNamesCanonicalVersionAndFhirR4() {
        assertThat(pack.manifest().path("name").asText()).isNotBlank();
        assertThat(pack.manifest().path("canonical").asText()).isEqualTo(ContentPackageBuilder.CANONICAL);
        assertThat(version).matches("\\d+\\.\\d+\\.\\d+");
        assertThat(pack.manifest().path("fhirVersions").get(0).asText()).isEqualTo("4.0.1");
        assertThat(pack.manifest().path("dependencies").path("hl7.fhir.r4.core").asText()).isEqualTo("4.0.1");
        assertThat(pack.file().getFileName().toString())
                .isEqualTo(pack.manifest().path("name").asText() + "-" + version + ".tgz");
    }

    @Test
    void thePackageHoldsEveryKnowledgeArtifactAndNothingElse() {
        List<MetadataResource> artifacts = new ArrayList<>();
        artifacts.addAll(source.libraries());
        artifacts.addAll(source.planDefinitions());
        artifacts.addAll(source.activityDefinitions());
        artifacts.addAll(source.valueSets());
        artifacts.addAll(source.codeSystems());
        assertThat(byUrl.keySet()).containsExactlyInAnyOrderElementsOf(artifacts.stream().map(MetadataResource::getUrl).toList());
        for (MetadataResource artifact : artifacts) {
            assertThat(byUrl.get(artifact.getUrl()).fhirType()).isEqualTo(artifact.fhirType());
        }
    }

    @Test
    void everyCanonicalIsUnderTheOneBaseAndOfThePackageVersion() {
        for (MetadataResource artifact : byUrl.values()) {
            assertThat(artifact.getUrl()).as(artifact.getId())
                    .isEqualTo(ContentPackageBuilder.CANONICAL + "/" + artifact.fhirType() + "/" + artifact.getIdPart());
            assertThat(artifact.getVersion()).as(artifact.getUrl() + " version").isEqualTo(version);
        }
        for (String library : cql.names()) {
            assertThat(cql.identifier(library).getVersion()).as("CQL library " + library + " version").isEqualTo(version);
        }
    }

    @Test
    void librariesCarryTheirCqlAsInCqlFolderAndItsElm() {
        for (Library library : resources(Library.class)) {
            Map<String, Attachment> content = library.getContent().stream()
                    .collect(Collectors.toMap(Attachment::getContentType, Function.identity()));
            assertThat(content.keySet()).as(library.getName()).containsExactlyInAnyOrder("text/cql", "application/elm+json");
            assertThat(new String(content.get("text/cql").getData(), StandardCharsets.UTF_8)).as(library.getName())
                    .isEqualTo(source.cqlSourceByLibraryName().get(library.getName()));
            JsonNode elm = readJson(content.get("application/elm+json").getData());
            assertThat(elm.at("/library/identifier/id").asText()).as(library.getName()).isEqualTo(library.getName());
            assertThat(elm.at("/library/identifier/version").asText()).as(library.getName()).isEqualTo(version);
            assertThat(content.values()).allSatisfy(a -> assertThat(a.hasUrl()).as("no pointer to a file").isFalse());
        }
    }

    @Test
    void valueSetsCarryTheirExpansionWithTheDate() {
        ValueSetCodes codes = new ValueSetCodes(source.valueSets());
        for (ValueSet composed : source.valueSets()) {
            ValueSet packaged = (ValueSet) byUrl.get(composed.getUrl());
            assertThat(packaged.getExpansion().hasTimestamp()).as(composed.getUrl()).isTrue();
            Set<String> expected = codes.of(composed).stream().map(c -> c.getSystem() + "|" + c.getCode()).collect(Collectors.toSet());
            Set<String> expanded = packaged.getExpansion().getContains().stream().map(c -> c.getSystem() + "|" + c.getCode())
                    .collect(Collectors.toSet());
            assertThat(expanded).as(composed.getUrl()).isNotEmpty().isEqualTo(expected);
            assertThat(packaged.getExpansion().getTotal()).isEqualTo(packaged.getExpansion().getContains().size());
        }
    }

    @Test
    void everyReferenceResolvesToAnArtifactOfThePackageVersion() {
        List<String> unresolved = new ArrayList<>();
        for (PlanDefinition plan : resources(PlanDefinition.class)) {
            plan.getLibrary().forEach(library -> resolve(library.getValue(), Library.class, plan, unresolved));
            for (PlanDefinitionActionComponent action : plan.getAction()) {
                for (PlanDefinitionActionComponent sub : action.getAction()) {
                    if (sub.hasDefinitionCanonicalType()) {
                        resolve(sub.getDefinitionCanonicalType().getValue(), ActivityDefinition.class, plan, unresolved);
                    }
                }
            }
        }
        for (Library library : resources(Library.class)) {
            for (RelatedArtifact dependency : library.getRelatedArtifact()) {
                if (dependency.getType() == RelatedArtifact.RelatedArtifactType.DEPENDSON) {
                    resolve(dependency.getResource(), Library.class, library, unresolved);
                }
            }
            for (IncludeDef include : cql.elm(library.getName()).getIncludes().getDef()) {
                if (!"FHIRHelpers".equals(include.getPath())) {
                    resolve(ContentPackageBuilder.CANONICAL + "/Library/" + include.getPath() + "|" + include.getVersion(),
                            Library.class, library, unresolved);
                }
            }
            cql.valueSetUrls(library.getName()).forEach(url -> resolve(url, ValueSet.class, library, unresolved));
        }
        for (ValueSet valueSet : resources(ValueSet.class)) {
            valueSet.getCompose().getInclude().forEach(include -> {
                include.getValueSet().forEach(included -> resolve(included.getValue(), ValueSet.class, valueSet, unresolved));
                if (include.hasSystem() && include.getSystem().startsWith(ContentPackageBuilder.CANONICAL)) {
                    resolve(include.getSystem(), CodeSystem.class, valueSet, unresolved);
                }
            });
        }
        assertThat(unresolved).isEmpty();
    }

    @Test
    void theServiceStillReadsTheSourceFilesNotThePackage() {
        assertThat(source.libraries()).allSatisfy(library ->
                assertThat(library.getContentFirstRep().getUrl()).isEqualTo("cql/" + library.getName() + ".cql"));
        assertThat(source.valueSets()).allSatisfy(valueSet -> assertThat(valueSet.hasExpansion()).isFalse());
    }

    /** A canonical, with or without {@code |version}, names an artifact of the package of that type and the package version. */
    private static void resolve(String canonical, Class<? extends MetadataResource> type, MetadataResource from, List<String> unresolved) {
        String url = canonical.contains("|") ? canonical.substring(0, canonical.indexOf('|')) : canonical;
        String wanted = canonical.contains("|") ? canonical.substring(canonical.indexOf('|') + 1) : null;
        MetadataResource target = byUrl.get(url);
        String who = from.fhirType() + "/" + from.getIdPart() + " → " + canonical;
        if (target == null || !type.isInstance(target)) {
            unresolved.add(who + ": no " + type.getSimpleName() + " with that url in the package");
        } else if (wanted != null && !wanted.equals(target.getVersion())) {
            unresolved.add(who + ": the package has version " + target.getVersion());
        } else if (!version.equals(target.getVersion())) {
            unresolved.add(who + ": version " + target.getVersion() + " is not the package version " + version);
        }
    }

    private static JsonNode readJson(byte[] data) {
        try {
            return new ObjectMapper().readTree(data);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T extends Resource> List<T> resources(Class<T> type) {
        return pack.resources().stream().filter(type::isInstance).map(type::cast).toList();
    }
}
