package cem.transport;

import cem.spi.ConnectionSpec;
import cem.spi.FailureKind;
import cem.spi.TransportException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import javax.security.auth.kerberos.KerberosPrincipal;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;

/**
 * Kerberos for WinRM without a password in any file: the ticket of the logged-on user, as
 * {@code kinit} or a domain logon left it.
 *
 * <p>Java's Kerberos reads a ticket cache only of type FILE: ({@code KRB5CCNAME}, else
 * {@code /tmp/krb5cc_UID}); a KEYRING:, KCM: or DIR: cache is refused here with the command that
 * makes a FILE: one. {@code KRB5_CONFIG} is honoured as MIT's tools do (Java itself reads only
 * {@code java.security.krb5.conf} or {@code /etc/krb5.conf}). On Windows, with no
 * {@code KRB5CCNAME}, Java's native GSS bridge to SSPI is asked for the logon session's ticket
 * ({@code sun.security.jgss.native}), since the LSA does not hand its session key to Java's own
 * Kerberos by default.
 *
 * <p>The ticket is checked once, before any request: a missing or expired ticket is an
 * authentication failure that says to run kinit, not a WinRM error after a 401.
 */
final class KerberosLogin {

    /** The names under which Java's GSS-API looks for how to find an initiator's credentials. */
    private static final String[] INITIATE = {"com.sun.security.jgss.krb5.initiate", "com.sun.security.jgss.initiate"};

    private KerberosLogin() {}

    /** Readies GSS-API to use the user's ticket for {@code spec}'s host; fails when there is none. */
    static synchronized void useTicketOf(ConnectionSpec spec) throws TransportException {
        Map<String, String> env = spec.environment();
        String conf = env.get("KRB5_CONFIG");
        if (conf != null && !conf.isBlank() && System.getProperty("java.security.krb5.conf") == null) {
            String first = conf.split(java.io.File.pathSeparator)[0];
            if (Files.isRegularFile(Path.of(first))) {
                System.setProperty("java.security.krb5.conf", first);
            }
        }
        String cache = cache(spec, env.get("KRB5CCNAME"));
        if (cache == null && System.getProperty("os.name", "").startsWith("Windows")) {
            // The JDK's sspi_bridge: SSPI acquires the logon session's ticket itself (Java's Krb5LoginModule cannot read
            // the LSA's cache without the allowtgtsessionkey registry value), so there is nothing to check beforehand.
            System.setProperty("sun.security.jgss.native", "true");
            System.setProperty("javax.security.auth.useSubjectCredsOnly", "false");
            return;
        }
        Map<String, String> options = new HashMap<>();
        options.put("useTicketCache", "true");
        options.put("doNotPrompt", "true");
        options.put("refreshKrb5Config", "true");
        if (cache != null) {
            options.put("ticketCache", cache);
        }
        Configuration ours = initiator(options);
        String wanted = principal(spec.settings().path("auth").path("username").asText(""));
        LoginContext login;
        try {
            login = new LoginContext(INITIATE[0], null, null, ours);
            login.login();
        } catch (LoginException e) {
            // Java says "Unable to obtain password from user" when the cache has no usable ticket (it may not prompt).
            String why = cache != null && !Files.exists(Path.of(cache)) ? "there is no ticket cache at " + cache
                    : String.valueOf(e.getMessage()).contains("password") ? "the ticket cache holds no valid ticket (none, or expired)"
                    : String.valueOf(e.getMessage()).strip();
            throw new TransportException(FailureKind.AUTH, spec.host(), "No Kerberos ticket to authenticate to " + spec.host()
                    + (wanted.isEmpty() ? "" : " as " + wanted) + ": " + why + ".",
                    "Log on to the domain or run kinit" + (wanted.isEmpty() ? "" : " " + wanted) + " (a FILE: cache: KRB5CCNAME), "
                            + "or give auth.password.", e);
        }
        String holder = login.getSubject().getPrincipals(KerberosPrincipal.class).stream().map(KerberosPrincipal::getName)
                .findFirst().orElse("");
        if (!wanted.isEmpty() && !sameUser(wanted, holder)) {
            throw new TransportException(FailureKind.AUTH, spec.host(), "The Kerberos ticket cache holds the ticket of " + holder + ", not of "
                    + wanted + " (auth.username of host " + spec.host() + ").", "Run kinit " + wanted + ", or point KRB5CCNAME at that "
                    + "user's cache.", null);
        }
        Configuration.setConfiguration(ours);
        // GSS-API may then log in by itself (HTTP requests run on the client's own threads, outside any Subject).
        System.setProperty("javax.security.auth.useSubjectCredsOnly", "false");
    }

    /** The FILE: cache KRB5CCNAME names (null: Java's default); other cache types are refused. */
    static String cache(ConnectionSpec spec, String krb5ccname) throws TransportException {
        if (krb5ccname == null || krb5ccname.isBlank()) {
            return null;
        }
        int colon = krb5ccname.indexOf(':');
        // "C:\..." is a Windows path, not a cache type.
        if (colon < 0 || (colon == 1 && Character.isLetter(krb5ccname.charAt(0)))) {
            return krb5ccname;
        }
        String type = krb5ccname.substring(0, colon).toUpperCase(Locale.ROOT);
        if (type.equals("FILE")) {
            return krb5ccname.substring(colon + 1);
        }
        throw new TransportException(FailureKind.AUTH, spec.host(), "KRB5CCNAME names a " + type + ": ticket cache, which Java "
                + "cannot read; cem can use only a FILE: cache to authenticate to " + spec.host() + ".",
                "Get a ticket into a file: kinit -c FILE:/tmp/krb5cc_$(id -u) and export KRB5CCNAME=FILE:/tmp/krb5cc_$(id -u).", null);
    }

    /** The Kerberos name of a user name: user@REALM as written, the user of DOMAIN\\user (its realm is krb5.conf's default), or bare. */
    static String principal(String username) {
        int slash = username.indexOf('\\');
        return slash >= 0 && !username.contains("@") ? username.substring(slash + 1) : username;
    }

    /** A ticket's principal (user@REALM) is of the user named: the whole name when it has a realm, else the user part; case aside (AD). */
    static boolean sameUser(String wanted, String holder) {
        if (wanted.contains("@")) {
            return wanted.equalsIgnoreCase(holder);
        }
        int at = holder.indexOf('@');
        return wanted.equalsIgnoreCase(at < 0 ? holder : holder.substring(0, at));
    }

    /** The JAAS configuration in force before cem's (a user's own JAAS file stays in force for other names). */
    private static Configuration original;
    private static boolean captured;

    /** A configuration that answers the initiator's names with {@code options}, and any other name as before. */
    private static Configuration initiator(Map<String, String> options) {
        if (!captured) {
            captured = true;
            try {
                original = Configuration.getConfiguration();
            } catch (SecurityException e) {
                original = null; // no JAAS configuration file
            }
        }
        Configuration before = original;
        AppConfigurationEntry[] entry = {new AppConfigurationEntry("com.sun.security.auth.module.Krb5LoginModule",
                AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, Map.copyOf(options))};
        return new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                for (String n : INITIATE) {
                    if (n.equals(name)) {
                        return entry.clone();
                    }
                }
                return before == null ? null : before.getAppConfigurationEntry(name);
            }
        };
    }
}
