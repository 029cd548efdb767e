package cem.lab;

import java.nio.file.Path;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import javax.security.auth.Subject;
import javax.security.auth.kerberos.KerberosPrincipal;
import javax.security.auth.kerberos.KeyTab;
import org.ietf.jgss.GSSContext;
import org.ietf.jgss.GSSCredential;
import org.ietf.jgss.GSSException;
import org.ietf.jgss.GSSManager;
import org.ietf.jgss.Oid;

/**
 * A WinRM listener's side of Kerberos, as IIS and WinRM do it on Windows: the service principal's
 * key from a keytab (a KDC's {@code ktadd}), and each request's token (HTTP {@code Kerberos} or
 * SPNEGO {@code Negotiate}) accepted with Java's GSS-API. A token the KDC did not issue for this
 * principal, or one replayed, is refused.
 */
public final class KerberosAcceptor {

    private static final Oid KRB5 = oid("1.2.840.113554.1.2.2");
    private static final Oid SPNEGO = oid("1.3.6.1.5.5.2");

    private final Subject service = new Subject();
    private final GSSManager manager = GSSManager.getInstance();

    /** @param principal the service principal, e.g. {@code HTTP/localhost@LAB.CEM} */
    public KerberosAcceptor(Path keytab, String principal) {
        KerberosPrincipal p = new KerberosPrincipal(principal);
        service.getPrincipals().add(p);
        service.getPrivateCredentials().add(KeyTab.getInstance(p, keytab.toFile()));
    }

    /** The accepted client's principal ({@code user@REALM}) and the token to send back, or null when refused. */
    public Accepted accept(byte[] token) {
        try {
            return Subject.doAs(service, (PrivilegedExceptionAction<Accepted>) () -> {
                GSSCredential credential = manager.createCredential(null, GSSCredential.INDEFINITE_LIFETIME, new Oid[] {KRB5, SPNEGO},
                        GSSCredential.ACCEPT_ONLY);
                GSSContext context = manager.createContext(credential);
                try {
                    byte[] reply = context.acceptSecContext(token, 0, token.length);
                    return context.isEstablished() ? new Accepted(context.getSrcName().toString(), reply) : null;
                } finally {
                    context.dispose();
                }
            });
        } catch (PrivilegedActionException e) {
            if (e.getException() instanceof GSSException) {
                return null;
            }
            throw new IllegalStateException(e.getException());
        }
    }

    /** An accepted token: who, and the mutual-authentication token (may be null). */
    public record Accepted(String principal, byte[] reply) {

        /** The principal's user name, without the realm. */
        public String user() {
            int at = principal.indexOf('@');
            return at < 0 ? principal : principal.substring(0, at);
        }
    }

    private static Oid oid(String dotted) {
        try {
            return new Oid(dotted);
        } catch (GSSException e) {
            throw new IllegalStateException(e);
        }
    }
}
