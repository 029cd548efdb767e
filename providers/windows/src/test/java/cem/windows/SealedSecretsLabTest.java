package cem.windows;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.lab.CommandShell;
import cem.lab.Faults;
import cem.lab.LabWinRmServer;
import cem.lab.WindowsHost;
import cem.lab.WindowsState;
import cem.spi.ConnectionSpec;
import cem.spi.Transport;
import cem.spi.TransportFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A certificate import over WinRM, the way process-creation auditing (event 4688) and script block
 * logging (event 4104) would see it: every command line the lab host receives (upload chunks
 * included), every script they make up once decoded and gunzipped, and every request inside them,
 * decoded. Sealed, neither the PFX (base64) nor its password is in any of them; unsealed (the
 * control), both are — so the search itself is shown to work.
 */
class SealedSecretsLabTest {

    private static final String PASSWORD = "lab-winrm-" + java.util.UUID.randomUUID();
    private static final Duration TIMEOUT = Duration.ofMinutes(1);
    private static final Pattern CHUNK = Pattern.compile("^>>%TEMP%\\\\cem-([0-9a-f]{32})\\.b64 echo ([A-Za-z0-9+/=]+)$");
    private static final Pattern ENCODED = Pattern.compile("-EncodedCommand ([A-Za-z0-9+/=]+)$");
    private static final Pattern REQUEST = Pattern.compile("-Request '([A-Za-z0-9+/=]+)'");

    @TempDir
    Path tmp;

    @BeforeEach
    void record() {
        System.setProperty("cem.lab.record", "true");
    }

    @AfterEach
    void stopRecording() {
        System.clearProperty("cem.lab.record");
    }

    private Transport open(int port) throws Exception {
        ObjectNode settings = Agent.JSON.createObjectNode();
        settings.putObject("auth").put("scheme", "basic").put("username", "NS1\\cem");
        settings.put("insecureHttp", true);
        ConnectionSpec spec = new ConnectionSpec("ns1", "127.0.0.1", port, settings, Map.of("auth/password", PASSWORD), tmp, false,
                Duration.ofSeconds(10));
        for (TransportFactory f : ServiceLoader.load(TransportFactory.class)) {
            if (f.scheme().equals("winrm")) {
                return f.open(spec);
            }
        }
        throw new AssertionError("no winrm transport on the class path");
    }

    /** Imports the PFX through the agent over WinRM, sealed or not; returns everything the host received, decoded. */
    private List<String> importOverWinRm(String hostName, LabPfx pfx, boolean sealed) throws Exception {
        Path labDir = tmp.resolve(hostName);
        WindowsHost host = new WindowsHost(hostName, new WindowsState(labDir.resolve(hostName + ".json"), List.of("Default Web Site"), Map.of()));
        try (LabWinRmServer lab = new LabWinRmServer(CommandShell.on(host), new Faults(), "cem", PASSWORD, null, 30).start();
                Transport t = open(lab.port())) {
            ObjectNode secrets = Agent.JSON.createObjectNode().put("pfx", pfx.base64()).put("password", pfx.password());
            ObjectNode args = Agent.JSON.createObjectNode().put("friendlyName", "www");
            if (sealed) {
                Agent info = new Agent();
                info.add(Agent.INFO, Agent.JSON.createObjectNode());
                X509Certificate recipient = Agent.recipient(info.run(t, TIMEOUT).path(0).path("data")).orElseThrow();
                args.setAll(Agent.seal(secrets, recipient));
            } else {
                args.setAll(secrets);
            }
            Agent apply = new Agent();
            int imported = apply.add("certificate.import", args);
            int read = apply.add("certificate.read", Agent.JSON.createObjectNode());
            JsonNode results = apply.run(t, TIMEOUT);
            assertTrue(results.path(imported).path("ok").asBoolean(), results.toString());
            assertTrue(results.path(read).path("data").toString().contains(pfx.thumbprint()), "imported");
        }
        return received(labDir.resolve("record").resolve(hostName + ".jsonl"));
    }

    /** The record's lines, plus each script (direct or uploaded in chunks) and each request decoded. */
    private static List<String> received(Path record) throws Exception {
        List<String> texts = new ArrayList<>(Files.readAllLines(record));
        Map<String, StringBuilder> uploads = new LinkedHashMap<>();
        List<String> scripts = new ArrayList<>();
        for (String line : Files.readAllLines(record)) {
            JsonNode entry = Agent.JSON.readTree(line);
            String value = entry.path("value").asText();
            Matcher chunk = CHUNK.matcher(value);
            Matcher encoded = ENCODED.matcher(value);
            if (chunk.matches()) {
                uploads.computeIfAbsent(chunk.group(1), k -> new StringBuilder()).append(chunk.group(2));
            } else if (encoded.find()) {
                scripts.add(new String(Base64.getDecoder().decode(encoded.group(1)), StandardCharsets.UTF_16LE));
            } else {
                scripts.add(value);
            }
        }
        for (StringBuilder upload : uploads.values()) {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(upload.toString())))) {
                scripts.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        texts.addAll(scripts);
        for (String script : scripts) {
            Matcher m = REQUEST.matcher(script);
            while (m.find()) {
                texts.add(cem.lab.WindowsHost.request(m.group(1)));
            }
        }
        assertFalse(uploads.isEmpty(), "the install and the import went through uploads: chunks were checked too");
        return texts;
    }

    private static boolean leaks(List<String> texts, LabPfx pfx) {
        String pfx64 = pfx.base64();
        return texts.stream().anyMatch(t -> t.contains(pfx.password()) || t.contains(pfx64.substring(0, 64))
                || t.contains(pfx64.substring(pfx64.length() / 2, pfx64.length() / 2 + 64)));
    }

    @Test
    @Timeout(120)
    void aSealedImportShowsNeitherThePfxNorItsPasswordAndTheControlDoes() throws Exception {
        LabPfx pfx = LabPfx.make(tmp);
        List<String> sealed = importOverWinRm("ns1", pfx, true);
        assertFalse(leaks(sealed, pfx), "sealed: no PFX, no password in any command line, script or request");
        assertTrue(sealed.stream().anyMatch(t -> t.contains("\"sealed\"")), "the sealed request itself was seen and decoded");
        List<String> plain = importOverWinRm("ns2", pfx, false);
        assertTrue(leaks(plain, pfx), "control: an unsealed import is found by the same search");
    }
}
