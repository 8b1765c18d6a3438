package org.legcramp.cds.contentpackage;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.utilities.npm.NpmPackage;

/**
 * A FHIR NPM package of the content as written by {@link ContentPackageBuilder}, read back with the
 * package reader of the FHIR core libraries (the one HAPI's package installer uses): its manifest
 * ({@code package/package.json}) and every resource of its {@code package/} folder, parsed.
 */
public record ContentPackage(Path file, JsonNode manifest, List<String> files, List<Resource> resources) {

    /** The package the build wrote for a checkout (fhir-resources/target/*.tgz). */
    public static Path of(Path root) {
        Path target = root.toAbsolutePath().normalize().resolve("fhir-resources/target");
        List<Path> packages;
        try (var files = Files.list(target)) {
            packages = files.filter(f -> f.getFileName().toString().endsWith(".tgz")).toList();
        } catch (IOException e) {
            packages = List.of();
        }
        if (packages.size() != 1) {
            throw new IllegalStateException("expected one FHIR package in " + target + ", found " + packages
                    + ": the build writes it (./mvnw -pl cds-service process-test-classes, or any ./mvnw test)");
        }
        return packages.get(0);
    }

    public static ContentPackage read(Path tgz, FhirContext fhir) {
        try (InputStream in = Files.newInputStream(tgz)) {
            NpmPackage npm = NpmPackage.fromPackage(in);
            List<String> files = new ArrayList<>(npm.list("package"));
            JsonNode manifest;
            try (InputStream json = npm.load("package", "package.json")) {
                manifest = new ObjectMapper().readTree(json);
            }
            List<Resource> resources = new ArrayList<>();
            var parser = fhir.newJsonParser();
            for (String file : files) {
                if (file.endsWith(".json") && !file.equals("package.json") && !file.startsWith(".")) {
                    try (InputStream json = npm.load("package", file)) {
                        resources.add((Resource) parser.parseResource(json));
                    }
                }
            }
            return new ContentPackage(tgz, manifest, List.copyOf(files), List.copyOf(resources));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the FHIR package " + tgz, e);
        }
    }
}
