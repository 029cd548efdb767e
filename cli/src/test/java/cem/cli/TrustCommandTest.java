package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.lab.Certificates;
import cem.lab.CommandShell;
import cem.lab.Faults;
import cem.lab.LabSshServer;
import cem.lab.LabWinRmServer;
import cem.lab.WindowsHost;
import cem.transport.HostIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cem trust HOST} against lab hosts: shows what they present, records an SSH key only when told to. */
class TrustCommandTest {

    @TempDir
    Path tmp;

    @Test
    void showsAndRecordsAnSshHostKeyAndShowsATlsFingerprint() throws Exception {
        Certificates.Issued ca = Certificates.rootCa("CN=cem lab CA");
        Certificates.Issued cert = ca.issue("CN=127.0.0.1").ip("127.0.0.1").build();
        try (LabSshServer ssh = new LabSshServer(tmp.resolve("lab"), new WindowsHost("fw1"), new Faults(), "cem", "x", null).start();
                LabWinRmServer winrm = new LabWinRmServer(CommandShell.on(new WindowsHost("ig1")), new Faults(), "cem", "x",
                        cert.serverContext(), 30).start()) {
            Path site = Files.createDirectories(tmp.resolve("site"));
            Files.writeString(site.resolve("hosts.yaml"), "version: 1\nhosts:\n"
                    + "  fw1: {address: 127.0.0.1, port: " + ssh.port() + ", os: linux, ssh: {knownHosts: known_hosts}}\n"
                    + "  ig1: {address: 127.0.0.1, port: " + winrm.port() + ", os: windows}\n");
            CliRun asked = CliRun.run(Map.of(), tmp, "trust", "fw1", "-d", "site");
            assertEquals(0, asked.exitCode(), asked.err());
            assertTrue(asked.out().contains("Not recorded."), asked.out());
            assertTrue(Files.notExists(site.resolve("known_hosts")));

            CliRun recorded = CliRun.run(Map.of(), tmp, "trust", "fw1", "-d", "site", "--yes");
            assertEquals(0, recorded.exitCode(), recorded.err());
            String line = Files.readString(site.resolve("known_hosts")).trim();
            assertEquals(ssh.knownHostsLine(), line);
            assertTrue(recorded.out().contains("  ecdsa-sha2-nistp256 SHA256:"), recorded.out());

            CliRun tls = CliRun.run(Map.of(), tmp, "trust", "ig1", "-d", "site");
            assertEquals(0, tls.exitCode(), tls.err());
            assertTrue(tls.out().contains("tls: {pinnedSha256: " + HostIdentity.sha256(cert.certificate()) + "}"), tls.out());
            assertEquals(0, winrm.commands(), "no command, no credential");
        }
    }

    @Test
    void aCertificatesNamesAreShownWithTheirEscapesNotObeyed() throws Exception {
        // A hostile host's certificate: its subject clears the screen and retitles the window (issue 24, item 11).
        Certificates.Issued ca = Certificates.rootCa("CN=cem lab CA\u001b[2J");
        Certificates.Issued cert = ca.issue("CN=127.0.0.1\u001b]0;pwned\u0007").ip("127.0.0.1").build();
        try (LabWinRmServer winrm = new LabWinRmServer(CommandShell.on(new WindowsHost("ig1")), new Faults(), "cem", "x",
                cert.serverContext(), 30).start()) {
            Path site = Files.createDirectories(tmp.resolve("site"));
            Files.writeString(site.resolve("hosts.yaml"), "version: 1\nhosts:\n  ig1: {address: 127.0.0.1, port: " + winrm.port() + ", os: windows}\n");
            CliRun shown = CliRun.run(Map.of(), tmp, "trust", "ig1", "-d", "site");
            assertEquals(0, shown.exitCode(), shown.err());
            assertTrue(shown.out().contains("subject  CN=127.0.0.1\\x1b]0") && shown.out().contains("issuer   CN=cem lab CA\\x1b[2J"), shown.out());
            assertTrue(shown.out().chars().noneMatch(c -> c < 0x20 && c != '\n'), shown.out());
        }
    }
}
