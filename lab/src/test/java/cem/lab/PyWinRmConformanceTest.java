package cem.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** pywinrm (Debian's python3-winrm), a WinRM client we did not write, against the lab's WinRM endpoint. */
class PyWinRmConformanceTest {

    private static final String PASSWORD = "lab-Secret-42";

    @TempDir
    Path tmp;

    private String pywinrm(String url, String caFile, String password, String... commands) throws Exception {
        Path script = tmp.resolve("client.py");
        Files.writeString(script, String.join("\n",
                "import os, sys, winrm",
                "kw = {'server_cert_validation': 'validate', 'ca_trust_path': os.environ['CA']} if os.environ.get('CA') else {}",
                "s = winrm.Session(sys.argv[1], auth=('cem', os.environ['PW']), transport='basic', **kw)",
                "for c in sys.argv[2:]:",
                "    r = s.run_cmd(c)",
                "    sys.stdout.write('%d|%s|%s\\n' % (r.status_code, r.std_out.decode().strip(), r.std_err.decode().strip()))",
                ""));
        String[] args = new String[commands.length + 3];
        args[0] = "/usr/bin/python3";
        args[1] = script.toString();
        args[2] = url;
        System.arraycopy(commands, 0, args, 3, commands.length);
        assertTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "Debian's python3 is missing");
        ProcessBuilder pb = new ProcessBuilder(args).redirectErrorStream(true);
        pb.environment().put("PW", password);
        if (caFile != null) {
            pb.environment().put("CA", caFile);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return p.exitValue() + "\n" + out;
    }

    @Test
    @Timeout(120)
    void pywinrmRunsCommandsOverHttpAndVerifiedHttps() throws Exception {
        WindowsHost host = new WindowsHost("ig1");
        try (LabWinRmServer http = new LabWinRmServer(CommandShell.on(host), new Faults(), "cem", PASSWORD, null, 30).start()) {
            String out = pywinrm(http.url(), null, PASSWORD, "hostname", "echo hello", "ipconfig");
            assertTrue(out.startsWith("0\n"), out);
            assertTrue(out.contains("0|IG1|"), out);
            assertTrue(out.contains("0|hello|"), out);
            assertTrue(out.contains("1||'ipconfig' is not recognized as an internal or external command"), out);
            assertEquals(0, http.openShells(), "pywinrm closed its shell");
        }
        Certificates.Issued ca = Certificates.rootCa("CN=cem lab CA");
        Certificates.Issued server = ca.issue("CN=127.0.0.1").ip("127.0.0.1").dns("localhost").build();
        Files.writeString(tmp.resolve("lab-ca.pem"), ca.certificatePem());
        try (LabWinRmServer https = new LabWinRmServer(CommandShell.on(host), new Faults(), "cem", PASSWORD, server.serverContext(), 30)
                .start()) {
            String out = pywinrm(https.url(), tmp.resolve("lab-ca.pem").toString(), PASSWORD, "whoami");
            assertTrue(out.contains("0|ig1\\cem|"), out);
            String wrong = pywinrm(https.url(), tmp.resolve("lab-ca.pem").toString(), "not-it", "whoami");
            assertTrue(wrong.contains("InvalidCredentialsError") || wrong.contains("401"), wrong);
        }
    }
}
