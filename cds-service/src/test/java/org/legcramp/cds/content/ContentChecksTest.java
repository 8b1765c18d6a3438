package org.legcramp.cds.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.legcramp.cds.CdsApplication;
import org.legcramp.cds.rules.RuleCatalog;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.util.FileSystemUtils;

/**
 * Broken content stops the service from starting, with a message naming the file and the
 * problem. Each test copies the shipped content and breaks one thing.
 */
class ContentChecksTest {

    private static final Path REPO = Path.of("..");
    private static final FhirContext FHIR = FhirContext.forR4Cached();

    private static final String QUININE_ORDER_SIGN =
            "fhir-resources/knowledge/plandefinitions/PlanDefinition-quinine-for-cramps-order-sign.json";

    @TempDir
    Path content;

    private void copyShippedContent() throws IOException {
        FileSystemUtils.copyRecursively(REPO.resolve("cql"), content.resolve("cql"));
        FileSystemUtils.copyRecursively(REPO.resolve("fhir-resources/knowledge"), content.resolve("fhir-resources/knowledge"));
    }

    private void edit(String file, UnaryOperator<String> change) throws IOException {
        Path path = content.resolve(file);
        Files.writeString(path, change.apply(Files.readString(path)));
    }

    private RuleCatalog load() {
        KnowledgeArtifacts artifacts = new ContentLoader(FHIR).load(content.toUri().toString());
        return new RuleCatalog(artifacts, RuleCatalog.compile(artifacts));
    }

    @Test
    void shippedContentPassesEveryCheck() throws IOException {
        copyShippedContent();
        assertThat(load().services()).isNotEmpty();
    }

    @Test
    void cqlThatDoesNotTranslateNamesFileLineAndColumnInOneLine() throws IOException {
        copyShippedContent();
        edit("cql/QuinineForCramps.cql", cql -> cql.replace("exists \"Quinine Orders For Cramps\"", "exists \"Quinine Orders For Crampz\""));
        assertThatThrownBy(this::load).isInstanceOf(ContentException.class)
                .hasMessageStartingWith("cql/QuinineForCramps.cql:44:10: ").hasMessageContaining("Quinine Orders For Crampz")
                .hasMessageNotContaining("\n");
    }

    @Test
    void planDefinitionNamingAMissingDefineNamesTheFile() throws IOException {
        copyShippedContent();
        edit("fhir-resources/knowledge/plandefinitions/PlanDefinition-quinine-for-cramps-order-sign.json",
                json -> json.replace("\"Quinine Ordered For Cramps\"", "\"No Such Define\""));
        assertThatThrownBy(this::load).isInstanceOf(ContentException.class)
                .hasMessageContaining("PlanDefinition-quinine-for-cramps-order-sign.json")
                .hasMessageContaining("No Such Define");
    }

    @Test
    void conditionNamingAListDefineIsRefusedNamingFileActionAndDefine() throws IOException {
        copyShippedContent();
        edit(QUININE_ORDER_SIGN, json -> json.replaceFirst("\"expression\": \"Quinine Ordered For Cramps\"",
                "\"expression\": \"Quinine Draft Orders\""));
        assertThatThrownBy(this::load).isInstanceOf(ContentException.class)
                .hasMessageContaining("PlanDefinition-quinine-for-cramps-order-sign.json")
                .hasMessageContaining("condition").hasMessageContaining("\"Quinine Draft Orders\"")
                .hasMessageContaining("List<FHIR.MedicationRequest>").hasMessageContaining("must be a Boolean")
                .hasMessageContaining("action 'Cancel quinine");
    }

    @Test
    void detailNamingABooleanDefineIsRefused() throws IOException {
        copyShippedContent();
        edit(QUININE_ORDER_SIGN, json -> json.replaceFirst("\"expression\": \"Card Detail\"", "\"expression\": \"Malaria On Record\""));
        assertThatThrownBy(this::load).isInstanceOf(ContentException.class)
                .hasMessageContaining("PlanDefinition-quinine-for-cramps-order-sign.json")
                .hasMessageContaining("detail").hasMessageContaining("\"Malaria On Record\"")
                .hasMessageContaining("is a Boolean").hasMessageContaining("must be a String");
    }

    @Test
    void removeTargetThatIsNotReferencesIsRefused() throws IOException {
        copyShippedContent();
        edit(QUININE_ORDER_SIGN, json -> json.replaceFirst("\"expression\": \"Quinine Order References For Cramps\"",
                "\"expression\": \"Detail\""));
        assertThatThrownBy(this::load).isInstanceOf(ContentException.class)
                .hasMessageContaining("PlanDefinition-quinine-for-cramps-order-sign.json")
                .hasMessageContaining("remove suggestion").hasMessageContaining("\"Detail\"")
                .hasMessageContaining("is a String").hasMessageContaining("list of FHIR References");
    }

    @Test
    void aParameterTwoLibrariesDeclareMustAgree() throws IOException {
        copyShippedContent();
        edit("cql/PrescribingCascade.cql", cql -> cql.replace("parameter \"Diuretic Start Lookback\" System.Quantity default 1 year",
                "parameter \"Diuretic Start Lookback\" System.Quantity default 6 months"));
        assertThatThrownBy(this::load).isInstanceOf(ContentException.class)
                .hasMessageContaining("\"Diuretic Start Lookback\"").hasMessageContaining("6 months")
                .hasMessageContaining("1 year").hasMessageContaining("cql/PrescribingCascade.cql")
                .hasMessageContaining("cql/CrampsAfterNewDiuretic.cql");
    }

    @Test
    void planDefinitionNamingAMissingLibraryNamesTheFile() throws IOException {
        copyShippedContent();
        edit("fhir-resources/knowledge/plandefinitions/PlanDefinition-new-diuretic-order-sign.json",
                json -> json.replace("Library/NewDiuretic", "Library/Missing"));
        assertThatThrownBy(this::load).isInstanceOf(ContentException.class)
                .hasMessageContaining("PlanDefinition-new-diuretic-order-sign.json")
                .hasMessageContaining("Library/Missing");
    }

    @Test
    void valueSetThatDoesNotResolveNamesTheLibrary() throws IOException {
        copyShippedContent();
        Files.delete(content.resolve("fhir-resources/knowledge/valuesets/ValueSet-estimated-gfr.json"));
        assertThatThrownBy(this::load).isInstanceOf(ContentException.class)
                .hasMessageContaining("cql/LiverDiseaseCrampsBaclofen.cql")
                .hasMessageContaining("ValueSet/estimated-gfr");
    }

    @Test
    void valueSetIncludingOneThatIsNotShippedNamesBoth() throws IOException {
        copyShippedContent();
        Files.delete(content.resolve("fhir-resources/knowledge/valuesets/ValueSet-baclofen.json"));
        assertThatThrownBy(this::load).isInstanceOf(ContentException.class)
                .hasMessageContaining("ValueSet-cramp-treatments.json")
                .hasMessageContaining("ValueSet/baclofen");
    }

    @Test
    void summaryOf140CharactersOrMoreIsRefused() throws IOException {
        copyShippedContent();
        edit("fhir-resources/knowledge/plandefinitions/PlanDefinition-liver-disease-cramps-baclofen-patient-view.json",
                json -> json.replace("\"Consider baclofen for muscle cramps in liver disease\"", "\"" + "x".repeat(140) + "\""));
        assertThatThrownBy(this::load).hasMessageContaining("PlanDefinition-liver-disease-cramps-baclofen-patient-view.json")
                .hasMessageContaining("140");
    }

    @Test
    void cardWithoutCitationIsRefused() throws IOException {
        copyShippedContent();
        edit("fhir-resources/knowledge/plandefinitions/PlanDefinition-liver-disease-cramps-baclofen-patient-view.json",
                json -> json.replace("\"documentation\"", "\"_documentation_removed\""));
        assertThatThrownBy(this::load).hasMessageContaining("PlanDefinition-liver-disease-cramps-baclofen-patient-view.json");
    }

    @Test
    void createSuggestionNamingAMissingActivityDefinitionIsRefused() throws IOException {
        copyShippedContent();
        Files.delete(content.resolve("fhir-resources/knowledge/activitydefinitions/ActivityDefinition-order-basic-metabolic-panel.json"));
        assertThatThrownBy(this::load).hasMessageContaining("plandefinitions/PlanDefinition-")
                .hasMessageContaining("ActivityDefinition/order-basic-metabolic-panel");
    }

    @Test
    void invalidFhirJsonNamesTheFile() throws IOException {
        copyShippedContent();
        edit("fhir-resources/knowledge/valuesets/ValueSet-quinine.json", json -> json.replace("\"status\": \"active\"", "\"status\": \"live\""));
        assertThatThrownBy(this::load).hasMessageContaining("ValueSet-quinine.json").hasMessageContaining("not valid FHIR");
    }

    /** The refusal is the expected outcome here: Spring Boot's report of it is not for the build's output. */
    private static final String[] QUIET_REFUSAL = {
            "--logging.level.org.springframework.boot.SpringApplication=off",
            "--logging.level.org.springframework.boot.diagnostics.LoggingFailureAnalysisReporter=off"};

    private Throwable startUpFailure() {
        List<String> arguments = new ArrayList<>(List.of("--legcramp.content-location=" + content.toUri(), "--server.port=0"));
        arguments.addAll(List.of(QUIET_REFUSAL));
        return catchThrowable(() -> new SpringApplicationBuilder(CdsApplication.class).run(arguments.toArray(String[]::new)).close());
    }

    @Test
    void serviceRefusesToStartOnBrokenContent() throws IOException {
        copyShippedContent();
        edit("cql/NewDiuretic.cql", cql -> cql.replace("exists \"Loop Diuretic Draft Orders\"", "exists \"Loop Diuretic Draft Order\""));
        assertThat(startUpFailure()).rootCause().hasMessageContaining("cql/NewDiuretic.cql");
    }

    @Test
    void startUpWithABrokenLibraryIsReportedInOneLineNamingFileLineAndColumn() throws IOException {
        copyShippedContent();
        edit("cql/QuinineForCramps.cql", cql -> cql.replace("R in \"Malaria\" )", "R in \"Malaria\""));

        FailureAnalysis analysis = new ContentFailureAnalyzer().analyze(startUpFailure());

        assertThat(analysis).as("Spring Boot reports the content problem instead of a stack trace").isNotNull();
        assertThat(analysis.getDescription()).isEqualTo(
                "cql/QuinineForCramps.cql:40:22: '(' is not closed (the translator noticed at 43:1: Syntax error at define)");
        @SuppressWarnings("deprecation") // the names alone: instantiating every analyzer needs a running context
        List<String> analyzers = SpringFactoriesLoader.loadFactoryNames(FailureAnalyzer.class, getClass().getClassLoader());
        assertThat(analyzers).as("registered in META-INF/spring.factories").contains(ContentFailureAnalyzer.class.getName());
    }
}
