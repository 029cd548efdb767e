package cem.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.testkit.hostile.HostileAnswers;
import cem.testkit.hostile.Mutation;
import com.jcraft.jsch.JSchException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The hostile-answer harness for what the transports themselves read (issue 24, item 13): the
 * CLIXML of PowerShell's error stream over WinRM ({@link Clixml}), and the host key blob an SSH
 * server presents (its type is guessed from it for known_hosts and `cem trust`). Mutated, they end
 * in text or in a JSchException that the connection turns into a diagnostic naming the host, never
 * in another exception or a hang.
 */
class HostileAnswersTest extends cem.testkit.hostile.HostileHarness {

    /** What Windows PowerShell 5.1 writes to stderr over WinRM: a progress record, then two error lines. */
    static final String CLIXML = "#< CLIXML\r\n<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">"
            + "<Obj S=\"progress\" RefId=\"0\"><TN RefId=\"0\"><T>System.Management.Automation.PSCustomObject</T><T>System.Object</T></TN>"
            + "<MS><I64 N=\"SourceId\">1</I64><PR N=\"Record\"><AV>Preparing modules for first use.</AV><AI>0</AI><Nil /><PI>-1</PI>"
            + "<PC>-1</PC><T>Completed</T><SR>-1</SR><SD> </SD></PR></MS></Obj><S S=\"Error\">Write-Error : boom &amp; &lt;more&gt;_x000D__x000A_</S>"
            + "<S S=\"Error\">    + CategoryInfo          : NotSpecified: (:) [Write-Error], WriteErrorException_x000D__x000A_</S></Objs>";

    /** An ed25519 host key blob (the type name, then 32 bytes of key). */
    static final byte[] KEY = Base64.getDecoder().decode("AAAAC3NzaC1lZDI1NTE5AAAAIHNXvqFbn6xdJ7l0K6QbdSdcX7Jk0Ur3ofp1JEoc7W7v");

    @Example
    void theErrorTextIsKeptAndTheRestLeftOut() {
        assertEquals("Write-Error : boom & <more>\r\n    + CategoryInfo          : NotSpecified: (:) [Write-Error], WriteErrorException\r\n",
                Clixml.clean(CLIXML));
    }

    @Property
    void hostileClixmlEndsInText(@ForAll("mutations") List<Mutation> mutations) {
        String stderr = CLIXML;
        for (Mutation m : mutations) {
            stderr = m.apply(stderr);
        }
        String hostile = stderr;
        String clean = assertTimeoutPreemptively(HostileAnswers.LIMIT, () -> Clixml.clean(hostile));
        assertTrue(clean.length() <= hostile.length(), "the error text is never longer than what the host sent");
    }

    @Example
    void errorRecordsThatNeverCloseTakeLinearTime() {
        // each unclosed record made the lazy regex scan to the end again: quadratic, minutes for a megabyte
        String hostile = "#< CLIXML\r\n" + "<S S=\"Error\">x".repeat(200_000);
        assertEquals("", assertTimeoutPreemptively(java.time.Duration.ofSeconds(2), () -> Clixml.clean(hostile)));
    }

    @Provide
    Arbitrary<byte[]> keys() {
        Arbitrary<byte[]> cut = Arbitraries.integers().between(0, KEY.length).map(n -> java.util.Arrays.copyOf(KEY, n));
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        Arbitrary<byte[]> named = Arbitraries.of("ssh-ed25519", "ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp256", "", "x").flatMap(type ->
                Arbitraries.bytes().array(byte[].class).ofMaxSize(16).map(rest -> {
                    byte[] name = type.getBytes(StandardCharsets.US_ASCII);
                    byte[] blob = new byte[4 + name.length + rest.length];
                    blob[3] = (byte) name.length;
                    System.arraycopy(name, 0, blob, 4, name.length);
                    System.arraycopy(rest, 0, blob, 4 + name.length, rest.length);
                    return blob;
                }));
        return Arbitraries.oneOf(cut, random, named);
    }

    @Property
    void aHostileHostKeyIsReadOrRefusedWithAJSchException(@ForAll("keys") byte[] key) {
        try {
            assertTrue(SshTransport.hostKey("[127.0.0.1]:22", key).getType().length() > 0);
        } catch (JSchException e) {
            assertTrue(e.getMessage().length() > 0);
        }
    }

    @Example
    void aHostKeyShorterThanItsTypeIsAJSchException() {
        // JSch's guess read byte 8 of the blob unchecked: an ArrayIndexOutOfBoundsException escaped
        assertThrows(JSchException.class, () -> SshTransport.hostKey("h", new byte[3]));
        assertEquals("ssh-ed25519", assertDoesNotThrowKey());
    }

    private static String assertDoesNotThrowKey() {
        try {
            return SshTransport.hostKey("h", KEY).getType();
        } catch (JSchException e) {
            throw new AssertionError(e);
        }
    }
}
