package org.legcramp.cds.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.legcramp.cds.casetest.CaseDates;
import org.legcramp.cds.support.CdsClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Ad hoc evaluation: a library, a patient bundle, optional parameters; every define's value back. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AdHocEvaluationTest {

    private static final Path DVT_CASE = Path.of("../cql/tests/CrampsWithDvtSigns/fires-recent-cramp-with-leg-swelling-on-examination");

    @LocalServerPort
    int port;

    private static ObjectNode request() throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode request = json.createObjectNode().put("library", "CrampsWithDvtSigns");
        request.set("patient", CaseDates.roll(json.readTree(DVT_CASE.resolve("bundle.json").toFile()),
                CaseDates.daysSince(LocalDate.parse("2026-11-20"))));
        return request;
    }

    @Test
    void everyDefineComesBackWithItsValue() throws IOException {
        var reply = new CdsClient(port).post("/cql/evaluate", request());

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().at("/defines/Cramps With Signs Of DVT").asBoolean()).isTrue();
        assertThat(reply.json().at("/defines/Recent DVT Sign Observations").toString()).contains("Observation/obs-swelling");
        assertThat(reply.json().at("/patientId").asText()).isEqualTo("pat-dvt");
    }

    @Test
    void parameterChangesTheAnswer() throws IOException {
        ObjectNode request = request();
        request.putObject("parameters").putObject("Recent Window").put("value", 0).put("unit", "day");

        var reply = new CdsClient(port).post("/cql/evaluate", request);

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().at("/defines/Cramps With Signs Of DVT").asBoolean()).isFalse();
    }

    @Test
    void unknownParameterIs400() throws IOException {
        ObjectNode request = request();
        request.putObject("parameters").put("Lookback Of Doom", 3);

        var reply = new CdsClient(port).post("/cql/evaluate", request);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("detail").asText()).contains("Recent Window");
    }

    @Test
    void parameterOfTheWrongTypeIs400NamingTheParameterAndItsType() throws IOException {
        ObjectNode request = request();
        request.putObject("parameters").put("Recent Window", 7);

        var reply = new CdsClient(port).post("/cql/evaluate", request);

        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.json().get("detail").asText()).contains("\"Recent Window\"").contains("Quantity")
                .contains("\"unit\"");
    }

    @Test
    void quantityWithoutAUnitIs400() throws IOException {
        ObjectNode request = request();
        request.putObject("parameters").putObject("Recent Window").put("value", 7);

        var reply = new CdsClient(port).post("/cql/evaluate", request);

        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.json().get("detail").asText()).contains("Recent Window").contains("Quantity");
    }

    @Test
    void unknownLibraryIs400() throws IOException {
        var reply = new CdsClient(port).post("/cql/evaluate", request().put("library", "FHIRHelpers"));

        assertThat(reply.status()).isEqualTo(400);
    }
}
