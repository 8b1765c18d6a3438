package org.legcramp.cds.content;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.StrictErrorHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.ActivityDefinition;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.Library;
import org.hl7.fhir.r4.model.MetadataResource;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ValueSet;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Reads the content folders: {@code cql/*.cql} and {@code fhir-resources/knowledge/**}{@code /*.json}
 * under one location (the packaged {@code classpath:content/} by default, or a folder on disk).
 * Parsing is strict: an artifact with an unknown element is an authoring mistake, not data to skip.
 */
public final class ContentLoader {

    private static final Pattern LIBRARY_HEADER = Pattern.compile("^\\s*library\\s+\"?([A-Za-z0-9_]+)\"?", Pattern.MULTILINE);

    private final FhirContext fhirContext;

    public ContentLoader(FhirContext fhirContext) {
        this.fhirContext = fhirContext;
    }

    public KnowledgeArtifacts load(String location) {
        String base = location.endsWith("/") ? location : location + "/";
        var resolver = new PathMatchingResourcePatternResolver();
        Map<String, String> sourceFileOf = new LinkedHashMap<>();
        Map<String, String> cqlByLibrary = new LinkedHashMap<>();
        for (var file : find(resolver, base + "cql/*.cql")) {
            String name = file.getFilename();
            String text = read(file);
            Matcher header = LIBRARY_HEADER.matcher(text);
            if (!header.find()) {
                throw new ContentException("cql/" + name, "no 'library' declaration");
            }
            String library = header.group(1);
            if (!name.equals(library + ".cql")) {
                throw new ContentException("cql/" + name, "declares library " + library
                        + "; the file must be named " + library + ".cql");
            }
            cqlByLibrary.put(library, text);
            sourceFileOf.put(library, "cql/" + name);
        }

        List<PlanDefinition> planDefinitions = new ArrayList<>();
        List<Library> libraries = new ArrayList<>();
        List<ActivityDefinition> activityDefinitions = new ArrayList<>();
        List<ValueSet> valueSets = new ArrayList<>();
        List<CodeSystem> codeSystems = new ArrayList<>();
        IParser parser = fhirContext.newJsonParser().setParserErrorHandler(new StrictErrorHandler());
        for (var file : find(resolver, base + "fhir-resources/knowledge/**/*.json")) {
            String path = relativePath(file);
            Resource resource;
            try {
                resource = (Resource) parser.parseResource(read(file));
            } catch (DataFormatException e) {
                throw new ContentException(path, "is not valid FHIR R4 JSON: " + e.getMessage(), e);
            }
            if (resource instanceof MetadataResource artifact) {
                if (!artifact.hasUrl()) {
                    throw new ContentException(path, "has no canonical url");
                }
                String previous = sourceFileOf.put(artifact.getUrl(), path);
                if (previous != null) {
                    throw new ContentException(path, "repeats the url " + artifact.getUrl() + " of " + previous);
                }
            }
            if (resource instanceof PlanDefinition p) {
                planDefinitions.add(p);
            } else if (resource instanceof Library l) {
                libraries.add(l);
            } else if (resource instanceof ActivityDefinition a) {
                activityDefinitions.add(a);
            } else if (resource instanceof ValueSet v) {
                valueSets.add(v);
            } else if (resource instanceof CodeSystem c) {
                codeSystems.add(c);
            } else {
                throw new ContentException(path, resource.fhirType()
                        + " is not a knowledge artifact (PlanDefinition, Library, ActivityDefinition, ValueSet, CodeSystem)");
            }
        }
        return new KnowledgeArtifacts(planDefinitions, libraries, activityDefinitions, valueSets, codeSystems,
                cqlByLibrary, sourceFileOf);
    }

    private static List<org.springframework.core.io.Resource> find(PathMatchingResourcePatternResolver resolver, String pattern) {
        try {
            var found = new ArrayList<>(Arrays.asList(resolver.getResources(pattern)));
            found.sort(Comparator.comparing(r -> String.valueOf(r.getFilename())));
            return found;
        } catch (IOException e) {
            return List.of(); // a location without that folder simply has no such content
        }
    }

    private static String relativePath(org.springframework.core.io.Resource file) {
        String description;
        try {
            description = file.getURL().toString();
        } catch (IOException e) {
            description = String.valueOf(file.getFilename());
        }
        int at = description.lastIndexOf("fhir-resources/");
        return at >= 0 ? description.substring(at) : description;
    }

    private static String read(org.springframework.core.io.Resource file) {
        try (InputStream in = file.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ContentException(String.valueOf(file.getFilename()), "cannot be read: " + e.getMessage(), e);
        }
    }
}
