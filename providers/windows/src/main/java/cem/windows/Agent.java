package cem.windows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The PowerShell agent ({@code agent.psm1}) and its batch protocol: a request of ops goes in
 * base64 (so no value is ever part of PowerShell source), one JSON document comes back.
 */
final class Agent {

    /** Reads the agent's answers with the caps of every host answer (depth, sizes: {@link cem.spi.HostJson}). */
    static final ObjectMapper JSON = cem.spi.HostJson.MAPPER;
    static final String MODULE = load("agent.psm1");
    static final String MODULE_SHA256 = sha256(MODULE.getBytes(StandardCharsets.UTF_8));
    private static final String LOADER = load("loader.ps1");
    private static final String INSTALL = load("install.ps1");

    /** The loader's exit code when the module is missing or not the expected one. */
    static final int NEEDS_INSTALL = 3;
    /** The install's exit code when %ProgramData%\\cem exists but is not cem's: another owner, or a link. */
    static final int FOREIGN_DIRECTORY = 4;
    /** The install's exit code when it cannot make the document-encryption certificate. */
    static final int NO_CERTIFICATE = 5;
    /** The op that lists the host's document-encryption certificates (see {@link #recipient}). */
    static final String INFO = "agent.info";

    private final ArrayNode ops = JSON.createArrayNode();

    /** Adds an op; returns its index in the answer. */
    int add(String op, JsonNode args) {
        ops.addObject().put("op", op).set("args", args);
        return ops.size() - 1;
    }

    boolean isEmpty() {
        return ops.isEmpty();
    }

    /** The number of ops in this batch. */
    int size() {
        return ops.size();
    }

    /** The name of the op at this index. */
    String opName(int index) {
        return ops.path(index).path("op").asText();
    }

    /** This batch's request (for the contract tests). */
    JsonNode request() {
        ObjectNode request = JSON.createObjectNode();
        request.put("v", 1);
        request.set("ops", ops.deepCopy());
        return request;
    }


    /** The script to run: the module, then one call with the encoded request (for hosts where nothing is installed). */
    String script() {
        return MODULE + "\nInvoke-CemBatch -Request '" + encodedRequest() + "'\nexit 0\n";
    }

    /**
     * The small script of a steady-state call: checks that the installed module is this one
     * (by SHA-256), imports it and runs the batch; exits {@value #NEEDS_INSTALL} when it must be
     * installed first. Only the hash and the base64 request are filled in: no user value.
     */
    String loaderScript() {
        return LOADER_SENT.replace("__SHA256__", MODULE_SHA256).replace("__REQUEST__", encodedRequest());
    }

    /**
     * The loader without its whole-line comments (which name the documentation of each call): every
     * steady-state call carries it, and over WinRM it must leave room for the request under cmd.exe's
     * 8,191 characters. The loader has no here-string, where a line could start with '#'.
     */
    private static final String LOADER_SENT = String.join("\n", LOADER.lines().filter(l -> !l.strip().startsWith("#")).toList()) + "\n";

    /**
     * The members of {@code secrets} sealed to a host's document-encryption certificate, as the
     * arguments {@code sealed} and {@code recipient} to merge into an op's (see {@link Sealing}).
     */
    static ObjectNode seal(ObjectNode secrets, java.security.cert.X509Certificate recipient) {
        return Sealing.seal(secrets, recipient);
    }

    /** The certificate to seal to, from the data of an {@value #INFO} op: the newest valid one fit for it, if any. */
    static java.util.Optional<java.security.cert.X509Certificate> recipient(JsonNode agentInfoData) {
        return Sealing.recipient(agentInfoData, java.time.Instant.now());
    }

    /** Installs the module under %ProgramData%\cem, content-addressed, writable only by Administrators and SYSTEM. */
    static String installScript() {
        return INSTALL.replace("__SHA256__", MODULE_SHA256)
                .replace("__MODULE__", Base64.getEncoder().encodeToString(MODULE.getBytes(StandardCharsets.UTF_8)));
    }

    private String encodedRequest() {
        ObjectNode request = JSON.createObjectNode();
        request.put("v", 1);
        request.set("ops", ops);
        // Gzip before base64: the request rides in the loader's command line (cmd.exe's 8,191 characters), and a
        // longer one costs upload round trips; JSON of many similar ops shrinks several times.
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
            gz.write(request.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The agent could not run a batch; the message says what, the hint what to do. */
    static final class AgentException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String detail;
        private final String hint;

        AgentException(String message, String detail, String hint) {
            super(message, null, false, false);
            this.detail = detail;
            this.hint = hint;
        }

        String detail() {
            return detail;
        }

        String hint() {
            return hint;
        }
    }

    /**
     * Runs this batch on a host: the small loader first; when it says the module is missing or
     * another version, installs it once and runs the loader again.
     */
    JsonNode run(cem.spi.Transport transport, java.time.Duration timeout) throws cem.spi.TransportException, AgentException {
        boolean readOnly = readOnly();
        cem.spi.CommandResult r = transport.powershell(loaderScript(), timeout, readOnly);
        if (r.exitCode() == NEEDS_INSTALL) {
            // Installing a content-addressed file twice is harmless: the install is idempotent.
            cem.spi.CommandResult install = transport.powershell(installScript(), timeout, true);
            if (install.exitCode() == FOREIGN_DIRECTORY) {
                throw new AgentException("%ProgramData%\\cem on the host is not cem's", install.stderr().trim()
                        + " - cem installs its agent only into a directory owned by Administrators or SYSTEM: one that another "
                        + "account created first, or a link, could let that account change the code cem runs as an administrator.",
                        "As an administrator on the host, find out who made C:\\ProgramData\\cem, then delete it "
                        + "(a link with rmdir, without /s); the next cem command installs the agent again.");
            }
            if (install.exitCode() == NO_CERTIFICATE) {
                throw new AgentException("Cannot create the agent's document-encryption certificate", install.stderr().trim(),
                        "cem needs Windows Server 2016 or later (New-SelfSignedCertificate -Type DocumentEncryptionCertLegacyCsp) "
                        + "and write access to Cert:\\LocalMachine\\My.");
            }
            if (install.exitCode() != 0) {
                throw new AgentException("Cannot install cem's agent", install.stderr(),
                        "The account needs to be an administrator; check %ProgramData%\\cem on the host.");
            }
            r = transport.powershell(loaderScript(), timeout, readOnly);
        }
        if (r.exitCode() != 0) {
            throw new AgentException("The agent failed (exit " + r.exitCode() + ")", r.stderr().isBlank() ? r.stdout() : r.stderr(),
                    "Run with --debug, and check Windows PowerShell 5.1 on the host.");
        }
        try {
            return results(r.stdout());
        } catch (IllegalStateException e) {
            throw new AgentException("The agent answered something else than a batch", e.getMessage(),
                    "This is a bug in the windows provider or the host; run with --debug.");
        }
    }

    /** Whether every op of this batch only reads (refresh, the doctor): such a batch may be sent again after a broken connection. */
    boolean readOnly() {
        for (JsonNode op : ops) {
            String name = op.path("op").asText();
            if (!name.endsWith(".read") && !READ_ONLY.contains(name)) {
                return false;
            }
        }
        return true;
    }

    private static final java.util.Set<String> READ_ONLY = java.util.Set.of("host.facts", "agent.status", INFO);

    /** The results of a batch, or an exception when the answer is not one. */
    static JsonNode results(String stdout) {
        try {
            JsonNode answer = JSON.readTree(stdout.trim());
            if (answer == null || !answer.path("results").isArray()) {
                throw new IllegalStateException("the agent answered without results: " + abbreviate(stdout));
            }
            return answer.get("results");
        } catch (IOException e) {
            throw new IllegalStateException("the agent's answer is not JSON: " + abbreviate(stdout));
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    private static String load(String name) {
        try (InputStream in = Agent.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
