package org.legcramp.cds.contentpackage;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.cqframework.cql.elm.serializing.ElmJsonLibraryWriter;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.Library;
import org.hl7.fhir.r4.model.MetadataResource;
import org.hl7.fhir.r4.model.RelatedArtifact;
import org.hl7.fhir.r4.model.ValueSet;
import org.legcramp.cds.content.ContentException;
import org.legcramp.cds.content.ContentLoader;
import org.legcramp.cds.content.KnowledgeArtifacts;
import org.legcramp.cds.cql.CqlLibraries;
import org.legcramp.cds.cql.ValueSetCodes;
import org.legcramp.cds.rules.RuleCatalog;
import org.opencds.cqf.cql.engine.runtime.Code;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;

/**
 * Builds the content as a FHIR NPM package (FHIR package spec, https://hl7.org/fhir/packages.html):
 * every knowledge artifact of {@code fhir-resources/knowledge} made to stand alone, so that another
 * conformant engine (cqf-fhir-cr {@code PlanDefinition/$apply}, a HAPI FHIR JPA server with clinical
 * reasoning) runs it as it is:
 * <ul>
 *   <li>each Library carries its CQL ({@code text/cql}) and the ELM translated from it
 *       ({@code application/elm+json}), base64, in place of the pointer to {@code cql/X.cql}, plus a
 *       {@code depends-on} for each content library it includes;</li>
 *   <li>each ValueSet carries its {@code expansion} (timestamp = build time), computed from its compose
 *       with {@code compose.include.valueSet} resolved among the shipped value sets;</li>
 *   <li>PlanDefinitions, ActivityDefinitions and CodeSystems as they are.</li>
 * </ul>
 * The source stays the one home: {@code cql/*.cql} and {@code fhir-resources/knowledge}; the package
 * is build output. The content is first checked as the service checks it at start-up (translation,
 * defines, value sets), then every packaged resource is validated against FHIR R4 with HAPI's
 * {@link FhirInstanceValidator}; any error fails the build, naming the resource and the message.
 *
 * <p>Run by the build at {@code process-test-classes} (cds-service/pom.xml, exec-maven-plugin), so
 * that the differential test reads the package; writes {@code <out>/package/...} and
 * {@code <out>/<name>-<version>.tgz}. Arguments: {@code <checkout> <out> <package name> <version>}.
 * Test scope: the validator and the packager never ship in the service jar.
 */
public final class ContentPackageBuilder {

    public static final String CANONICAL = "http://legcrampcds.org/fhir";
    public static final String FHIR_VERSION = "4.0.1";

    /**
     * The one validator error accepted, and why: {@code text/cql-identifier} (an expression naming a
     * CQL define) is the language HL7 CPG and CDS Hooks content use on R4, and the language
     * {@code $apply} expects; R4's expression-language CodeSystem (4.0.1) predates it (R5 adds it),
     * and the binding of {@code Expression.language} is extensible, so the code is allowed, but
     * HAPI reports it as an unknown code of the core CodeSystem. Any other error fails the build.
     */
    static final String ACCEPTED_CQL_IDENTIFIER = "Unknown code 'http://hl7.org/fhir/expression-language#text/cql-identifier'";

    private final FhirContext fhir = FhirContext.forR4Cached();
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: ContentPackageBuilder <checkout> <out> <package name> <version>");
        }
        Path root = Path.of(args[0]).toAbsolutePath().normalize();
        Path tgz = Path.of(args[1]).toAbsolutePath().normalize().resolve(args[2] + "-" + args[3] + ".tgz");
        if (upToDate(root, tgz)) {
            System.out.println("FHIR package up to date (no content changed since it was built and validated): " + tgz);
            return;
        }
        try {
            new ContentPackageBuilder().build(root, tgz.getParent(), args[2], args[3]);
        } catch (ContentException e) {
            // Content the service refuses (a library that does not translate, ...): no package, and no
            // stale one, but the tests run and say case by case what it breaks (CqlCasesTest).
            Files.deleteIfExists(tgz);
            System.out.println("FHIR package not built: " + e.getMessage());
            return;
        }
        System.out.println("FHIR package written and validated: " + tgz);
    }

    /**
     * Validating takes most of a minute: skip it when no source of the package (the content, this
     * builder as compiled) is newer than the package.
     */
    private static boolean upToDate(Path root, Path tgz) throws IOException {
        if (!Files.exists(tgz)) {
            return false;
        }
        var built = Files.getLastModifiedTime(tgz);
        List<Path> sources = new ArrayList<>(List.of(root.resolve("cql"), root.resolve("fhir-resources/knowledge")));
        try {
            sources.add(Path.of(ContentPackageBuilder.class.getResource(ContentPackageBuilder.class.getSimpleName() + ".class").toURI()));
        } catch (java.net.URISyntaxException | java.nio.file.FileSystemNotFoundException e) {
            return false;
        }
        try (Stream<Path> cql = Files.list(root.resolve("cql"));
                Stream<Path> knowledge = Files.walk(root.resolve("fhir-resources/knowledge"))) {
            sources.addAll(cql.toList());
            sources.addAll(knowledge.toList());
        }
        for (Path source : sources) {
            if (Files.getLastModifiedTime(source).compareTo(built) > 0) {
                return false;
            }
        }
        return true;
    }

    /** @return the .tgz written */
    public Path build(Path root, Path out, String name, String version) throws IOException {
        KnowledgeArtifacts content = new ContentLoader(fhir).load(root.toAbsolutePath().normalize().toUri().toString());
        CqlLibraries cql = RuleCatalog.compile(content);
        new RuleCatalog(content, cql); // the checks the service makes at start-up: broken content is no package
        Instant built = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        List<MetadataResource> packaged = new ArrayList<>();
        content.libraries().forEach(library -> packaged.add(standalone(library, content, cql)));
        packaged.addAll(content.planDefinitions());
        packaged.addAll(content.activityDefinitions());
        ValueSetCodes codes = new ValueSetCodes(content.valueSets());
        content.valueSets().forEach(valueSet -> packaged.add(expanded(valueSet, codes, built)));
        packaged.addAll(content.codeSystems());
        for (MetadataResource resource : packaged) {
            if (!version.equals(resource.getVersion())) {
                throw new IllegalStateException(content.fileOf(resource.getUrl()) + ": version " + resource.getVersion()
                        + " is not the package version " + version);
            }
        }
        validate(packaged, content);
        return write(packaged, out, name, version, built);
    }

    // ---- artifacts that stand alone

    private Library standalone(Library source, KnowledgeArtifacts content, CqlLibraries cql) {
        String name = source.getName();
        String text = content.cqlSourceByLibraryName().get(name);
        if (text == null) {
            throw new IllegalStateException(content.fileOf(source.getUrl()) + ": no cql/" + name + ".cql");
        }
        Library library = source.copy();
        library.getContent().clear();
        library.addContent(new Attachment().setContentType("text/cql").setData(text.getBytes(StandardCharsets.UTF_8)));
        String elm = new ElmJsonLibraryWriter().writeAsString(cql.elm(name));
        library.addContent(new Attachment().setContentType("application/elm+json").setData(elm.getBytes(StandardCharsets.UTF_8)));
        for (var included : cql.contentIdentifiersUsedBy(name)) {
            if (included.getId().equals(name)) {
                continue;
            }
            library.addRelatedArtifact().setType(RelatedArtifact.RelatedArtifactType.DEPENDSON)
                    .setResource(CANONICAL + "/Library/" + included.getId() + "|" + included.getVersion());
        }
        return library;
    }

    private static ValueSet expanded(ValueSet source, ValueSetCodes codes, Instant built) {
        ValueSet valueSet = source.copy();
        ValueSet.ValueSetExpansionComponent expansion = new ValueSet.ValueSetExpansionComponent()
                .setIdentifier("urn:uuid:" + java.util.UUID.nameUUIDFromBytes((source.getUrl() + "|" + source.getVersion())
                        .getBytes(StandardCharsets.UTF_8)))
                .setTimestamp(Date.from(built));
        for (Code code : codes.of(source)) {
            var contains = expansion.addContains().setSystem(code.getSystem()).setCode(code.getCode());
            if (code.getDisplay() != null) {
                contains.setDisplay(code.getDisplay());
            }
        }
        expansion.setTotal(expansion.getContains().size());
        valueSet.setExpansion(expansion);
        return valueSet;
    }

    // ---- validation

    private void validate(List<MetadataResource> packaged, KnowledgeArtifacts content) {
        PrePopulatedValidationSupport own = new PrePopulatedValidationSupport(fhir);
        content.codeSystems().forEach(own::addCodeSystem);
        packaged.stream().filter(ValueSet.class::isInstance).forEach(own::addValueSet);
        ValidationSupportChain chain = new ValidationSupportChain(
                new DefaultProfileValidationSupport(fhir),
                own,
                new CommonCodeSystemsTerminologyService(fhir),
                new InMemoryTerminologyServerValidationSupport(fhir),
                new SnapshotGeneratingValidationSupport(fhir));
        FhirValidator validator = fhir.newValidator().registerValidatorModule(new FhirInstanceValidator(chain));
        List<String> errors = new ArrayList<>();
        for (MetadataResource resource : packaged) {
            ValidationResult result = validator.validateWithResult(resource);
            for (SingleValidationMessage message : result.getMessages()) {
                boolean error = message.getSeverity() == ResultSeverityEnum.ERROR || message.getSeverity() == ResultSeverityEnum.FATAL;
                boolean accepted = message.getLocationString().endsWith(".expression.language")
                        && message.getMessage().contains(ACCEPTED_CQL_IDENTIFIER);
                if (error && !accepted) {
                    errors.add(content.fileOf(resource.getUrl()) + " (" + resource.fhirType() + "/" + resource.getIdPart() + ") "
                            + message.getLocationString() + ": " + message.getMessage());
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException("the FHIR package does not validate against R4:\n  " + String.join("\n  ", errors));
        }
    }

    // ---- the package on disk

    private Path write(List<MetadataResource> packaged, Path out, String name, String version, Instant built) throws IOException {
        Path folder = out.resolve("package");
        if (Files.exists(folder)) {
            try (Stream<Path> old = Files.walk(folder)) {
                old.sorted(java.util.Comparator.reverseOrder()).forEach(ContentPackageBuilder::delete);
            }
        }
        Files.createDirectories(folder);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("package.json", json.writeValueAsBytes(manifest(name, version, built)));
        IParser parser = fhir.newJsonParser().setPrettyPrint(true);
        ObjectNode index = json.createObjectNode().put("index-version", 1);
        ArrayNode entries = index.putArray("files");
        for (MetadataResource resource : packaged) {
            String file = resource.fhirType() + "-" + resource.getIdPart() + ".json";
            files.put(file, parser.encodeResourceToString(resource).getBytes(StandardCharsets.UTF_8));
            entries.addObject().put("filename", file).put("resourceType", resource.fhirType()).put("id", resource.getIdPart())
                    .put("url", resource.getUrl()).put("version", resource.getVersion());
        }
        files.put(".index.json", json.writeValueAsBytes(index));
        for (var file : files.entrySet()) {
            Files.write(folder.resolve(file.getKey()), file.getValue());
        }
        Path tgz = out.resolve(name + "-" + version + ".tgz");
        try (OutputStream target = Files.newOutputStream(tgz);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(target))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (var file : files.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry("package/" + file.getKey());
                entry.setSize(file.getValue().length);
                entry.setModTime(Date.from(built));
                tar.putArchiveEntry(entry);
                tar.write(file.getValue());
                tar.closeArchiveEntry();
            }
        }
        return tgz;
    }

    private ObjectNode manifest(String name, String version, Instant built) {
        ObjectNode manifest = json.createObjectNode()
                .put("name", name)
                .put("version", version)
                .put("canonical", CANONICAL)
                .put("url", CANONICAL)
                .put("title", "Leg Cramp CDS content")
                .put("description", "CQL libraries (CQL and ELM), PlanDefinitions (eca-rule, one per rule and hook),"
                        + " ActivityDefinitions, expanded ValueSets and CodeSystems of Leg Cramp CDS: CDS Hooks services"
                        + " that run on any engine implementing PlanDefinition/$apply")
                .put("author", "Leg Cramp CDS")
                .put("type", "fhir.ig")
                .put("date", built.toString().replace("-", "").replace(":", "").replace("T", "").replace("Z", ""));
        manifest.putArray("fhirVersions").add(FHIR_VERSION);
        manifest.putObject("dependencies").put("hl7.fhir.r4.core", FHIR_VERSION);
        return manifest;
    }

    private static void delete(Path path) {
        try {
            Files.delete(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
