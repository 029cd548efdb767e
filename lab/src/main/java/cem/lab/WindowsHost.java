package cem.lab;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A simulated Windows host, as far as the transports need one: {@code hostname}, {@code whoami},
 * {@code echo}, and PowerShell scripts read from standard input. The lab never interprets
 * arbitrary PowerShell: it recognises cem's own scripts and answers anything else with
 * PowerShell's "is not recognized" error. Until the providers' agent lands, the one script it
 * knows is the transport self-test, whose first line is {@value #SELF_TEST}: it answers with the
 * SHA-256 of the script it received, so a round trip of any size can be checked end to end.
 *
 * <p>Of cem's agent it models what a host does with install.ps1, loader.ps1 and remove.ps1: the
 * install refuses a %ProgramData%\cem another account made ({@link #squatProgramData}, exit 4) and
 * makes the host's document-encryption certificate once ({@link AgentEncryption}, key kept beside the
 * host's state); the loader asks for an install (exit 3) while the module, the directory or the
 * certificate is not right; {@code agent.info} lists the certificate; an op whose arguments are
 * {@code sealed} + {@code recipient} reaches {@link WindowsState} with the members they carry,
 * opened with this host's key, and is refused with Windows' text when sealed to another certificate.
 * What it records of an op is what it received: the sealed form, never the opened secrets.
 */
public class WindowsHost implements HostExecutor {

    public static final String SELF_TEST = "# cem-lab: sha256";
    static final String POWERSHELL_STDIN = "powershell -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command -";

    public static final String AGENT = "# cem-agent v2";
    /** The loader: the module's file name, and that it loads the module from the bytes it read (never Import-Module of the file). */
    private static final java.util.regex.Pattern LOADER = java.util.regex.Pattern.compile(
            "\\$agent = Join-Path \\$dir 'agent-([0-9a-f]{64})\\.psm1'[\\s\\S]*\\$bytes = \\[System\\.IO\\.File\\]::ReadAllBytes\\(\\$agent\\)"
            + "[\\s\\S]*New-Module -Name cem-agent -ScriptBlock \\(\\[ScriptBlock\\]::Create\\(\\[System\\.Text\\.Encoding\\]::UTF8\\.GetString\\(\\$bytes\\)\\)\\)");
    private static final java.util.regex.Pattern INVOKE_LINE =
            java.util.regex.Pattern.compile("\nInvoke-CemBatch -Request '([A-Za-z0-9+/=]+)'");
    private static final java.util.regex.Pattern INSTALL = java.util.regex.Pattern.compile(
            "\\$agent = Join-Path \\$dir 'agent-([0-9a-f]{64})\\.psm1'[\\s\\S]*FromBase64String\\('([A-Za-z0-9+/=]+)'\\)");
    private static final java.util.regex.Pattern INVOKE =
            java.util.regex.Pattern.compile("\nInvoke-CemBatch -Request '([A-Za-z0-9+/=]+)'\r?\n");

    private final String name;
    private final WindowsState state;
    private Faults faults = new Faults();
    /** The owner of a %ProgramData%\\cem that someone else made before cem (null: none such). */
    private volatile String squatter;
    private AgentEncryption encryption;

    /** The faults this host injects (the lab's). */
    void faults(Faults faults) {
        this.faults = faults;
    }

    public WindowsHost(String name) {
        this(name, new WindowsState(null, java.util.List.of("Default Web Site"), java.util.Map.of("W3SVC", "running")));
    }

    public WindowsHost(String name, WindowsState state) {
        this.name = name;
        this.state = state;
    }

    public WindowsState state() {
        return state;
    }

    public String name() {
        return name;
    }

    /**
     * Makes %ProgramData%\\cem a directory another account created first (owner {@code ownerSid}), as any
     * user may under ProgramData [?]: install.ps1 then refuses it (exit 4) and the loader asks for an install.
     */
    public void squatProgramData(String ownerSid) {
        this.squatter = ownerSid;
    }

    /** This host's document-encryption certificate (LocalMachine\\My), or null before cem's install made one. */
    public synchronized java.security.cert.X509Certificate encryptionCertificate() {
        return encryption == null ? null : encryption.certificate();
    }

    private java.nio.file.Path encryptionKeyFile() {
        return state.file() == null || state.file().getParent() == null ? null
                : state.file().getParent().resolve(name + ".agent-encryption.pem");
    }

    private synchronized AgentEncryption encryption(boolean create) {
        if (encryption == null && (create || (encryptionKeyFile() != null && java.nio.file.Files.exists(encryptionKeyFile())))) {
            encryption = AgentEncryption.loadOrCreate(encryptionKeyFile());
        }
        return encryption;
    }

    @Override
    public Execution run(String user, String commandLine, byte[] stdin) {
        record("command", commandLine);
        String line = commandLine.trim();
        String lower = line.toLowerCase(Locale.ROOT);
        if (lower.equals("hostname")) {
            return Execution.ok(name.toUpperCase(Locale.ROOT) + "\r\n");
        }
        if (lower.equals("whoami")) {
            return Execution.ok(name.toLowerCase(Locale.ROOT) + "\\" + user + "\r\n");
        }
        if (lower.startsWith("echo ")) {
            return Execution.ok(line.substring(5) + "\r\n");
        }
        if (line.equals(POWERSHELL_STDIN)) {
            return powershell(new String(stdin, StandardCharsets.UTF_8));
        }
        String program = line.split("\\s+", 2)[0];
        return Execution.error(1, "'" + program + "' is not recognized as an internal or external command,\r\n"
                + "operable program or batch file.\r\n");
    }

    private static final java.util.regex.Pattern INVOKE_ANY = java.util.regex.Pattern.compile("Invoke-CemBatch -Request '[A-Za-z0-9+/=]*'");

    /** Whether the lab records what it receives (system property {@code cem.lab.record=true}; the injection tests set it). */
    static boolean recording() {
        return Boolean.getBoolean("cem.lab.record");
    }

    /**
     * Appends what this host received to {@code record/HOST.jsonl} beside its state: command lines,
     * scripts (their encoded request left out) and each op with its arguments (secrets masked).
     */
    void record(String kind, String value) {
        if (!recording() || state.file() == null || state.file().getParent() == null) {
            return;
        }
        var line = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("kind", kind).put("value", value);
        java.nio.file.Path file = state.file().getParent().resolve("record").resolve(name + ".jsonl");
        synchronized (WindowsHost.class) {
            try {
                java.nio.file.Files.createDirectories(file.getParent());
                java.nio.file.Files.writeString(file, line + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** Runs one of cem's scripts. */
    public Execution powershell(String script) {
        record("script", INVOKE_ANY.matcher(script).replaceAll("Invoke-CemBatch -Request '<request>'"));
        if (script.startsWith(SELF_TEST)) {
            return Execution.ok(sha256(script.getBytes(StandardCharsets.UTF_8)) + "\r\n");
        }
        if (script.contains("[System.IO.Directory]::Delete($dir, $true)") && script.contains("$store.Remove($c)")) {
            return remove();
        }
        java.util.regex.Matcher install = INSTALL.matcher(script);
        if (install.find()) {
            return install(install.group(1), java.util.Base64.getDecoder().decode(install.group(2)));
        }
        java.util.regex.Matcher loader = LOADER.matcher(script);
        if (loader.find()) {
            if (squatter != null || !state.agentInstalled(loader.group(1)) || encryption(false) == null) {
                return new Execution(3, "", "");
            }
            java.util.regex.Matcher m = INVOKE_LINE.matcher(script);
            if (m.find()) {
                return Execution.ok(answer(m.group(1)));
            }
        }
        if (script.startsWith(AGENT)) {
            java.util.regex.Matcher m = INVOKE.matcher(script);
            if (m.find()) {
                return Execution.ok(answer(m.group(1)));
            }
        }
        String first = script.strip().split("\\s+", 2)[0];
        return Execution.error(1, first + " : The term '" + first + "' is not recognized as the name of a cmdlet, function, "
                + "script file, or operable program. Check the spelling of the name, or if a path was included, verify that "
                + "the path is correct and try again.\r\n");
    }

    /** What install.ps1 does: refuses a directory someone else made, checks the module in memory, writes it, makes the certificate once. */
    private Execution install(String sha, byte[] module) {
        if (squatter != null) {
            return Execution.error(4, "cem: C:\\ProgramData\\cem belongs to " + squatter
                    + ", not to Administrators or SYSTEM; another account made it, so cem does not use it\r\n");
        }
        if (!sha256(module).equals(sha) || !new String(module, StandardCharsets.UTF_8).startsWith(AGENT)) {
            return Execution.error(1, "cem: the agent module was corrupted on its way\r\n");
        }
        state.installAgent(sha);
        encryption(true);
        return Execution.ok("");
    }

    /** What remove.ps1 does: deletes %ProgramData%\\cem (a squatter's too) and cem's encryption certificates. */
    private synchronized Execution remove() {
        boolean had = state.removeAgent() | squatter != null | encryption(false) != null;
        squatter = null;
        encryption = null;
        AgentEncryption.delete(encryptionKeyFile());
        return Execution.ok(had ? "removed" : "absent");
    }

    /** agent.info: every certificate of LocalMachine\\My whose subject is cem's. */
    private com.fasterxml.jackson.databind.JsonNode agentInfo(com.fasterxml.jackson.databind.ObjectMapper json) {
        var out = json.createObjectNode();
        var list = out.putArray("encryptionCertificates");
        AgentEncryption mine = encryption(false);
        if (mine != null) {
            list.add(mine.info(json));
        }
        return out;
    }

    /** An op's arguments as WindowsState gets them: a sealed op's secrets opened with this host's key. */
    private com.fasterxml.jackson.databind.JsonNode opened(com.fasterxml.jackson.databind.ObjectMapper json,
            com.fasterxml.jackson.databind.JsonNode args) {
        if (!args.has("sealed")) {
            return args;
        }
        AgentEncryption mine = encryption(false);
        if (mine == null) {
            throw new IllegalStateException(AgentEncryption.NOT_RECIPIENT);
        }
        return mine.unseal(json, args);
    }

    /** The agent's answer to a base64 request: its batch's results, or the text of an injected {@link WindowsState#GARBLED_ANSWER} fault. */
    private String answer(String base64) {
        String garbled = state.garbledAnswer();
        return garbled != null ? garbled : agent(request(base64));
    }

    /** Answers an agent batch the way agent.psm1 does: one result per op, Windows' message on failure. */
    private String agent(String requestJson) {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var out = json.createObjectNode();
        out.put("v", 1);
        var results = out.putArray("results");
        try {
            for (var op : json.readTree(requestJson).path("ops")) {
                if (recording()) {
                    var copy = op.deepCopy();
                    if (copy.path("args") instanceof com.fasterxml.jackson.databind.node.ObjectNode a) {
                        for (String secret : new String[] {"password", "pfx"}) {
                            if (a.has(secret)) {
                                a.put(secret, "<masked>"); // the record is scanned for secrets like everything else
                            }
                        }
                    }
                    record("op", copy.toString());
                }
                var r = results.addObject();
                if (faults.failThisOp()) {
                    r.put("ok", false).putObject("error").put("message", "The RPC server is unavailable. (Exception from HRESULT: 0x800706BA)")
                            .put("category", "ResourceUnavailable");
                    continue;
                }
                try {
                    String name = op.path("op").asText();
                    r.put("ok", true).set("data", name.equals("agent.info") ? agentInfo(json) : state.run(name, opened(json, op.path("args"))));
                } catch (RuntimeException e) {
                    r.remove("data");
                    r.put("ok", false).putObject("error").put("message", e.getMessage()).put("category", "InvalidOperation");
                }
            }
        } catch (java.io.IOException e) {
            return "{\"v\":1,\"error\":\"the request is not JSON\"}";
        }
        return out.toString();
    }

    /** A request as Invoke-CemBatch reads it: base64, of gzip (RFC 1952's magic bytes 1f 8b) or of plain UTF-8 JSON. */
    public static String request(String base64) {
        byte[] bytes = java.util.Base64.getDecoder().decode(base64);
        if (bytes.length > 1 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
            try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
                bytes = in.readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
