package cem.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.lab.Execution;
import cem.lab.WindowsHost;
import cem.lab.WindowsState;
import cem.spi.CommandResult;
import cem.spi.RemoteCommand;
import cem.spi.Transport;
import cem.testkit.PowerShellSyntax;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's delivery resists a squatted %ProgramData%\cem and never opens the module twice, and
 * its encryption certificate is made by the install, listed by agent.info and used for sealed ops.
 */
class AgentSecurityTest {

    private static final Duration TIMEOUT = Duration.ofMinutes(1);
    private static final Path RESOURCES = Path.of("src/main/resources/cem/windows");

    @TempDir
    Path tmp;

    /** A host reached in-process, as the transports deliver a script to it. */
    record Direct(WindowsHost host) implements Transport {
        @Override
        public CommandResult exec(RemoteCommand c) {
            Execution e = host.run("cem", c.commandLine(), c.stdin());
            return new CommandResult(e.exitCode(), e.stdout(), e.stderr(), Duration.ZERO);
        }

        @Override
        public void close() {}
    }

    private WindowsHost host(String name) {
        return new WindowsHost(name, new WindowsState(tmp.resolve(name + ".json"), List.of("Default Web Site"), Map.of()));
    }

    static JsonNode batch(Transport t, String op, JsonNode args) throws Exception {
        Agent agent = new Agent();
        agent.add(op, args);
        return agent.run(t, TIMEOUT).get(0);
    }

    @Test
    void theScriptsParseAndAreAscii() throws Exception {
        for (String name : List.of("install.ps1", "loader.ps1", "remove.ps1")) {
            String text = Files.readString(RESOURCES.resolve(name));
            assertTrue(text.chars().allMatch(c -> c < 128), name + " is ASCII only");
            assertEquals(List.of(), PowerShellSyntax.problems(RESOURCES.resolve(name)), name);
        }
        Agent agent = new Agent();
        agent.add(Agent.INFO, Agent.JSON.createObjectNode());
        assertEquals(List.of(), PowerShellSyntax.problems(agent.loaderScript()));
        assertFalse(agent.loaderScript().lines().anyMatch(l -> l.strip().startsWith("#")), "comment lines are not sent");
        assertTrue(agent.loaderScript().length() < 1600, "the loader leaves room for a request: " + agent.loaderScript().length());
    }

    @Test
    void theLoaderOpensTheModuleOnceAndLoadsItFromMemory() throws Exception {
        String loader = new Agent().loaderScript();
        assertEquals(1, count(loader, "[System.IO.File]::ReadAllBytes($agent)"), "one read of the file");
        assertEquals(3, count(loader, "$agent"), "only Exists, GetAttributes and ReadAllBytes name the file besides its definition");
        assertTrue(loader.contains("ComputeHash($bytes)") && loader.contains("GetString($bytes)"), "the hash and the module come from the same bytes");
        assertTrue(loader.contains("New-Module -Name cem-agent -ScriptBlock ([ScriptBlock]::Create("), loader);
        assertFalse(loader.contains("Import-Module -Name") || loader.contains("Get-FileHash") || loader.contains("Get-Content"), loader);
        assertTrue(loader.contains("GetOwner([System.Security.Principal.SecurityIdentifier])") && loader.contains("ReparsePoint"));
        String install = Agent.installScript();
        assertTrue(install.contains("[System.IO.Directory]::CreateDirectory($dir, $owned)") && install.contains("$owned.SetOwner($admins)"),
                "created with its owner and DACL in one step");
        assertFalse(install.contains("New-Item") || install.contains("Set-Acl") || install.contains("Get-FileHash"), "no second step, no read-back");
        assertTrue(install.contains("[System.IO.File]::WriteAllBytes($agent, $bytes)") && install.contains("exit 4"));
        String remove = AgentFiles.script();
        assertTrue(remove.contains("[System.IO.Directory]::Delete($dir, $true)") && remove.contains("ReparsePoint"));
        assertFalse(remove.contains("-Recurse"), "never Remove-Item -Recurse, which is not documented to stop at links");
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return what.equals("$agent") ? n - 1 : n; // "$agent = Join-Path ..." defines it
    }

    @Test
    void aSquattedDirectoryIsRefusedWithWhatToDo() throws Exception {
        WindowsHost host = host("ig1");
        host.squatProgramData("S-1-5-21-1004336348-1177238915-682003330-1001");
        Agent.AgentException e = assertThrows(Agent.AgentException.class, () -> batch(new Direct(host), "host.facts", Agent.JSON.createObjectNode()));
        assertEquals("%ProgramData%\\cem on the host is not cem's", e.getMessage());
        assertTrue(e.detail().contains("belongs to S-1-5-21-1004336348-1177238915-682003330-1001"), e.detail());
        assertTrue(e.hint().contains("delete it") && e.hint().contains("C:\\ProgramData\\cem"), e.hint());
        assertNull(host.encryptionCertificate(), "nothing installed");
        AgentFiles.remove(new Direct(host)); // an administrator deletes it: cem agent remove
        assertTrue(batch(new Direct(host), "host.facts", Agent.JSON.createObjectNode()).path("ok").asBoolean());
    }

    @Test
    void theInstallMakesTheCertificateOnceAgentInfoListsItAndRemoveDeletesIt() throws Exception {
        WindowsHost host = host("ns1");
        Transport t = new Direct(host);
        JsonNode info = batch(t, Agent.INFO, Agent.JSON.createObjectNode());
        X509Certificate cert = Agent.recipient(info.path("data")).orElseThrow();
        assertEquals(cert, host.encryptionCertificate());
        assertTrue(info.at("/data/encryptionCertificates/0/notAfter").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{7}Z"));
        Path key = tmp.resolve("ns1.agent-encryption.pem");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)), "the private key is owner-only");
        WindowsHost again = host("ns1"); // the next run: same state directory, same key
        assertEquals(cert, Agent.recipient(batch(new Direct(again), Agent.INFO, Agent.JSON.createObjectNode()).path("data")).orElseThrow());
        assertTrue(AgentFiles.remove(new Direct(again)));
        assertFalse(Files.exists(key));
        assertFalse(AgentFiles.remove(new Direct(again)), "nothing left");
    }

    @Test
    void aSealedImportReachesTheHostAndOneSealedToAnotherHostIsRefused() throws Exception {
        WindowsHost ns1 = host("ns1");
        WindowsHost ig1 = host("ig1");
        X509Certificate toNs1 = Agent.recipient(batch(new Direct(ns1), Agent.INFO, Agent.JSON.createObjectNode()).path("data")).orElseThrow();
        Agent.recipient(batch(new Direct(ig1), Agent.INFO, Agent.JSON.createObjectNode()).path("data")).orElseThrow();
        LabPfx pfx = LabPfx.make(tmp);
        var args = Agent.JSON.createObjectNode().put("friendlyName", "www");
        args.setAll(Agent.seal(Agent.JSON.createObjectNode().put("pfx", pfx.base64()).put("password", pfx.password()), toNs1));
        JsonNode imported = batch(new Direct(ns1), "certificate.import", args);
        assertTrue(imported.path("ok").asBoolean(), imported.toString());
        assertEquals(pfx.thumbprint(), imported.at("/data/thumbprint").asText());
        JsonNode refused = batch(new Direct(ig1), "certificate.import", args);
        assertFalse(refused.path("ok").asBoolean());
        assertEquals("The enveloped-data message does not contain the specified recipient.", refused.at("/error/message").asText());
    }

    /** The base64 strings a script carries in single quotes (requests, modules), decoded when they are UTF-8 text. */
    static List<String> decodedRequests(String script) {
        List<String> out = new java.util.ArrayList<>();
        Matcher m = Pattern.compile("-Request '([A-Za-z0-9+/=]+)'").matcher(script);
        while (m.find()) {
            out.add(cem.lab.WindowsHost.request(m.group(1)));
        }
        return out;
    }

    @Test
    void theLoaderIsTheOneTheLabRecognises() {
        assertNotNull(Agent.installScript());
        assertTrue(new Agent().loaderScript().contains("$agent = Join-Path $dir 'agent-" + Agent.MODULE_SHA256 + ".psm1'"));
    }
}
