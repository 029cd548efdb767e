package cem.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.lab.Certificates;
import cem.lab.CommandShell;
import cem.lab.LabWinRmServer;
import cem.lab.WindowsHost;
import cem.spi.ConnectionSpec;
import cem.spi.FailureKind;
import cem.spi.RemoteCommand;
import cem.spi.TransportException;
import cem.testkit.Kdc;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * WinRM with Kerberos against a real MIT KDC: the lab's listener holds the key of its service
 * principal HTTP/localhost (exported with kadmin's ktadd) and accepts only tickets the KDC issued
 * for it. Without a password cem uses the ticket {@code kinit} left in a FILE: cache (the
 * logged-on user's, as on a domain-joined workstation); with one it gets a ticket of its own.
 */
class WinRmKerberosLabTest {

    private static final String REALM = "LAB.CEM";
    private static final String USER = "CEM"; // winrm4j upper-cases a password login's principal; AD does not care, MIT does
    private static final String PASSWORD = "krb-Pass-61";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Certificates.Issued CA = Certificates.rootCa("CN=cem lab CA");

    @TempDir
    static Path dir;

    static Kdc kdc;
    static LabWinRmServer lab;

    @BeforeAll
    static void start() throws Exception {
        kdc = Kdc.startOrSkip(dir.resolve("kdc"), REALM);
        kdc.addUser(USER, PASSWORD);
        kdc.addUser("intruder", "intruder-Pass-1");
        lab = kdc.winrmListener(CommandShell.on(new WindowsHost("ns1")), CA);
        Files.writeString(dir.resolve("lab-ca.pem"), CA.certificatePem());
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
        if (kdc != null) {
            kdc.close();
        }
    }

    private static ConnectionSpec spec(String username, String password, Map<String, String> env) {
        ObjectNode settings = new ObjectMapper().createObjectNode();
        ObjectNode auth = settings.putObject("auth").put("scheme", "kerberos");
        if (username != null) {
            auth.put("username", username);
        }
        settings.putObject("tls").put("caFile", "lab-ca.pem");
        Map<String, String> secrets = password == null ? Map.of() : Map.of("auth/password", password);
        return new ConnectionSpec("ns1", "localhost", lab.port(), settings, secrets, dir, false, Duration.ofSeconds(10), null, env);
    }

    private static Map<String, String> ticketOf(String user, String password, String cacheName) {
        Path cache = dir.resolve(cacheName);
        kdc.kinit(user, password, cache);
        Map<String, String> env = new HashMap<>();
        env.put("KRB5CCNAME", "FILE:" + cache);
        env.put("KRB5_CONFIG", kdc.krb5Conf().toString());
        return env;
    }

    @Test
    @Timeout(120)
    void theLoggedOnUsersTicketWithNoPasswordAnywhere() throws Exception {
        Map<String, String> env = ticketOf(USER, PASSWORD, "cc-user");
        int before = lab.kerberosLogins();
        try (WinRmTransport t = WinRmTransport.open(spec(null, null, env))) {
            assertEquals("NS1\r\n", t.exec(RemoteCommand.of("hostname", TIMEOUT)).stdout());
            assertEquals(0, t.powershell(WindowsHost.SELF_TEST + "\nexit 0\n", TIMEOUT).exitCode());
        }
        assertTrue(lab.kerberosLogins() > before, "the listener accepted a Kerberos ticket");
        // The cache may be named for the user that must hold it (user@REALM or DOMAIN\\user).
        try (WinRmTransport t = WinRmTransport.open(spec("LAB\\" + USER, null, env))) {
            assertEquals("NS1\r\n", t.exec(RemoteCommand.of("hostname", TIMEOUT)).stdout());
        }
    }

    @Test
    @Timeout(120)
    void aPasswordGetsATicketOfItsOwn() throws Exception {
        Map<String, String> noCache = Map.of("KRB5CCNAME", "FILE:" + dir.resolve("no-such-cache"));
        try (WinRmTransport t = WinRmTransport.open(spec(USER + "@" + REALM, PASSWORD, noCache))) {
            assertEquals("NS1\r\n", t.exec(RemoteCommand.of("hostname", TIMEOUT)).stdout());
        }
        TransportException e = assertThrows(TransportException.class,
                () -> WinRmTransport.open(spec(USER + "@" + REALM, "wrong-Krb-9", noCache)));
        assertEquals(FailureKind.AUTH, e.kind(), e.getMessage());
        assertFalse((e.getMessage() + e.hint()).contains("wrong-Krb-9"), e.getMessage());
    }

    @Test
    @Timeout(120)
    void noTicketIsAnAuthFailureThatSaysKinitBeforeAnyRequest() {
        int requests = lab.requests();
        Map<String, String> env = Map.of("KRB5CCNAME", "FILE:" + dir.resolve("empty-cache"), "KRB5_CONFIG", kdc.krb5Conf().toString());
        TransportException e = assertThrows(TransportException.class, () -> WinRmTransport.open(spec(null, null, env)));
        assertEquals(FailureKind.AUTH, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("No Kerberos ticket"), e.getMessage());
        assertTrue(e.hint().contains("kinit"), e.hint());
        assertEquals(requests, lab.requests(), "nothing was sent");
    }

    @Test
    @Timeout(120)
    void aTicketOfAnotherUserIsNotTakenForTheOneNamed() {
        Map<String, String> env = ticketOf("intruder", "intruder-Pass-1", "cc-intruder");
        TransportException e = assertThrows(TransportException.class, () -> WinRmTransport.open(spec(USER + "@" + REALM, null, env)));
        assertEquals(FailureKind.AUTH, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains(USER + "@" + REALM), e.getMessage());
    }

    @Test
    @Timeout(120)
    void aUserTheHostDoesNotKnowIsRefusedByTheListener() {
        Map<String, String> env = ticketOf("intruder", "intruder-Pass-1", "cc-intruder2");
        TransportException e = assertThrows(TransportException.class, () -> WinRmTransport.open(spec(null, null, env)));
        assertEquals(FailureKind.AUTH, e.kind(), e.getMessage());
    }

    @Test
    void aKeyringOrKcmCacheIsRefusedWithTheCommandThatMakesAFileOne() {
        TransportException e = assertThrows(TransportException.class,
                () -> WinRmTransport.open(spec(null, null, Map.of("KRB5CCNAME", "KEYRING:persistent:0"))));
        assertEquals(FailureKind.AUTH, e.kind());
        assertTrue(e.getMessage().contains("KEYRING"), e.getMessage());
        assertTrue(e.hint().contains("kinit -c FILE:"), e.hint());
    }
}
