package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cem plan --json} and saved plan files follow schemas/plan.schema.json, in every kind of plan. */
class PlanJsonSchemaTest {

    @TempDir
    Path tmp;

    private static List<?> violations(JsonNode plan) throws Exception {
        JsonNode schemaJson = new ObjectMapper().readTree(CliRun.REPO.resolve("schemas/plan.schema.json").toFile());
        Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schemaJson);
        return schema.validate(plan);
    }

    @Test
    void everyPlanKindConforms() throws Exception {
        Estate estate = new Estate(tmp);
        assertEquals(List.of(), violations(estate.cem("plan", "--json", "site").json()), "create");
        estate.cem("apply", "--auto-approve", "site");
        estate.edit("localPorts: [4726]", "localPorts: [4727]");
        estate.edit("pfx: ../certs/ns.pfx", "pfx: ../certs/san.pfx");
        estate.changeOutOfBand("ig1", "internet_gateway.ig1", "listenerPort", 444);
        assertEquals(List.of(), violations(estate.cem("plan", "--json", "site").json()), "update, replace, drift");
        assertEquals(List.of(), violations(estate.cem("plan", "--json", "--destroy", "site").json()), "destroy");
        estate.cem("plan", "-out", "p.json", "site");
        assertEquals(List.of(), violations(new ObjectMapper().readTree(Files.readString(tmp.resolve("p.json")))), "plan file");
    }
}
