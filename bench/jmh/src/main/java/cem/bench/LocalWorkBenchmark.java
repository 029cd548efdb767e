package cem.bench;

import cem.config.Configuration;
import cem.config.SecretResolver;
import cem.config.Validator;
import cem.diag.Result;
import cem.diag.Severity;
import cem.plan.Action;
import cem.plan.Plan;
import cem.plan.PlanJson;
import cem.plan.PlanMode;
import cem.plan.ResourceChange;
import cem.engine.Values;
import cem.spi.AttributeSchema;
import cem.spi.ResourceSchema;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What cem does locally for an estate of 500 sites: load, schema-check and rule-check the
 * configuration (6,000 resources, the example certificates read from disk), compare 6,000
 * resources attribute by attribute, and render a 6,000-change plan as JSON.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class LocalWorkBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private Path site;
    private Plan plan;
    private List<ObjectNode[]> pairs;
    private ResourceSchema schema;

    @Setup
    public void setUp() throws IOException {
        Path root = Files.createTempDirectory("cem-bench");
        Path certs = Files.createDirectories(root.resolve("certs"));
        Path examples = Path.of(System.getProperty("cem.examples", "examples")).resolve("certs");
        for (String f : new String[] {"ns.pfx", "gateway.pfx", "example.pass"}) {
            Files.copy(examples.resolve(f), certs.resolve(f));
        }
        site = Files.createDirectories(root.resolve("estate"));
        Files.writeString(site.resolve("estate.yaml"), cem.testkit.Estates.yaml(500, false));
        List<ResourceChange> changes = new ArrayList<>();
        pairs = new ArrayList<>();
        for (int i = 0; i < 6000; i++) {
            ObjectNode before = JSON.createObjectNode().put("direction", "inbound").put("action", "allow").put("protocol", "tcp")
                    .put("enabled", true);
            before.putArray("localPorts").add(4726).add(443);
            before.putArray("remoteAddresses").add("198.51.100." + (i % 250));
            ObjectNode after = before.deepCopy().put("enabled", i % 20 != 0);
            pairs.add(new ObjectNode[] {before, after});
            changes.add(new ResourceChange("windows_firewall_rule.r" + i, null, "windows_firewall_rule", "h" + (i / 4), "windows",
                    i % 20 == 0 ? Action.UPDATE : Action.NO_OP, before, after, Set.of(), Set.of(), Set.of(), null, "cem-r" + i, List.of()));
        }
        plan = new Plan(PlanMode.NORMAL, changes, List.of(), "lineage", 7, "sha256:x", site.toString(), List.of(),
                cem.diag.Diagnostics.builder().build());
        schema = ResourceSchema.of("windows_firewall_rule", false, Map.of(), List.of(
                AttributeSchema.of("direction", AttributeSchema.Kind.CASE_INSENSITIVE), AttributeSchema.of("action", AttributeSchema.Kind.CASE_INSENSITIVE),
                AttributeSchema.of("protocol", AttributeSchema.Kind.CASE_INSENSITIVE), AttributeSchema.of("enabled", AttributeSchema.Kind.BOOLEAN),
                AttributeSchema.of("localPorts", AttributeSchema.Kind.SET), AttributeSchema.of("remoteAddresses", AttributeSchema.Kind.SET)));
    }

    @Benchmark
    public Configuration loadAndCheck500Sites() {
        Result<Configuration> r = new Validator(site, new SecretResolver(Map.of()), Clock.systemUTC(), Severity.WARNING).validate(site);
        if (r.hasErrors()) {
            throw new IllegalStateException(r.diagnostics().list().get(0).summary());
        }
        return r.value();
    }

    @Benchmark
    public int diff6000Resources() {
        int changed = 0;
        for (ObjectNode[] p : pairs) {
            for (var it = p[1].fieldNames(); it.hasNext(); ) {
                String attr = it.next();
                if (!Values.equal(schema, attr, p[0].get(attr), p[1].get(attr))) {
                    changed++;
                }
            }
        }
        return changed;
    }

    @Benchmark
    public String renderJsonPlan6000() {
        return PlanJson.write(plan, "bench", false).toString();
    }
}
