package cem.acme;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.security.KeyPair;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Problem;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Dns01Challenge;
import org.shredzone.acme4j.connector.HttpConnector;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.exception.AcmeRateLimitedException;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.shredzone.acme4j.provider.GenericAcmeProvider;
import org.shredzone.acme4j.util.KeyPairUtils;

/**
 * Obtains a certificate from an ACME CA with acme4j: logs in (or registers) the account, bound to
 * an external account where the CA requires it, orders the names, answers each DNS-01 challenge
 * with a TXT record put through RFC 2136 (where a CNAME at the challenge name points, if one does;
 * removed afterwards), waits until the nameservers answer the records, asks the CA to check them,
 * finalizes with a fresh RSA key and downloads the chain. Nothing touches the disk.
 */
public final class AcmeIssuer {

    private static final Duration WAIT = Duration.ofSeconds(90);

    /**
     * What to ask for.
     *
     * @param directory the CA's directory URL
     * @param accountKeyPem the account's key pair, PEM
     * @param contact contact URLs ({@code mailto:})
     * @param trust the TLS trust for the directory, or null for the JVM's trust store
     * @param keySize RSA bits of the certificate's key
     * @param names the names to request
     * @param dns where the TXT records go and who must answer them before the CA checks
     * @param binding the External Account Binding the CA requires, or null
     */
    public record Request(URI directory, String accountKeyPem, List<String> contact, SSLContext trust, int keySize, List<String> names,
            Dns01 dns, ExternalAccount binding) {

        public Request {
            contact = List.copyOf(contact);
            names = List.copyOf(names);
        }

        /** Without the account key. */
        @Override
        public String toString() {
            return "Request[directory=" + directory + ", names=" + names + ", keySize=" + keySize + "]";
        }
    }

    /**
     * External Account Binding (RFC 8555 §7.3.4): the key identifier and MAC key a CA hands out
     * to bind a new ACME account to an account with it.
     *
     * @param keyId the key identifier
     * @param hmacKey the MAC key, base64url (base64 is accepted too)
     */
    public record ExternalAccount(String keyId, String hmacKey) {

        @Override
        public String toString() {
            return "ExternalAccount[" + keyId + "]"; // never the key
        }
    }

    private final Clock clock;

    public AcmeIssuer(Clock clock) {
        this.clock = clock;
    }

    public Issued issue(Request r) throws AcmeFailure {
        List<String[]> records = new ArrayList<>();
        try {
            Session session = new Session(r.directory(), new TrustingProvider(r.trust()));
            AccountBuilder builder = new AccountBuilder().agreeToTermsOfService().useKeyPair(accountKey(r.accountKeyPem()));
            r.contact().forEach(builder::addContact);
            if (r.binding() != null) {
                builder.withKeyIdentifier(r.binding().keyId(), macKey(r.binding().hmacKey()));
            }
            Account account = builder.create(session);
            Order order = account.newOrder().domains(r.names()).create();
            List<Authorization> pending = new ArrayList<>();
            List<Dns01Challenge> challenges = new ArrayList<>();
            for (Authorization auth : order.getAuthorizations()) {
                if (auth.getStatus() == Status.VALID) {
                    continue; // an authorization the CA still remembers
                }
                Dns01Challenge challenge = auth.findChallenge(Dns01Challenge.class).orElseThrow(() -> new AcmeFailure(
                        "the CA offers no DNS-01 challenge for " + auth.getIdentifier().getDomain(), null, null));
                String name = r.dns().target(Dns01Challenge.toRRName(auth.getIdentifier()));
                r.dns().updates().addTxt(name, challenge.getDigest());
                records.add(new String[] {name, challenge.getDigest()});
                challenges.add(challenge);
                pending.add(auth);
            }
            r.dns().awaitPropagation(records);
            for (Dns01Challenge challenge : challenges) {
                challenge.trigger();
            }
            for (Authorization auth : pending) {
                if (auth.waitForCompletion(WAIT) != Status.VALID) {
                    throw refusal("the CA did not validate " + auth.getIdentifier().getDomain(),
                            auth.getChallenges().stream().map(c -> c.getError().orElse(null)).filter(p -> p != null).findFirst().orElse(null));
                }
            }
            KeyPair key = KeyPairUtils.createKeyPair(r.keySize());
            order.waitUntilReady(WAIT);
            order.execute(key);
            if (order.waitForCompletion(WAIT) != Status.VALID) {
                throw refusal("the CA did not issue the certificate", order.getError().orElse(null));
            }
            List<X509Certificate> chain = order.getCertificate().getCertificateChain();
            return new Issued(pem(key, chain), r.names(), chain.get(0).getNotAfter().toInstant(), clock.instant(), r.directory().toString(),
                    account.getLocation().toString());
        } catch (AcmeServerException e) {
            throw refusal(e);
        } catch (AcmeException | IOException | CertificateEncodingException e) {
            throw new AcmeFailure(e.getMessage(), null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AcmeFailure("interrupted while waiting for the CA", null, e);
        } finally {
            for (String[] txt : records) {
                try {
                    r.dns().updates().removeTxt(txt[0], txt[1]);
                } catch (IOException e) {
                    // a left-over challenge record is harmless; the next issuance adds its own
                }
            }
        }
    }

    /** The MAC key as acme4j reads it: base64url without padding (some CAs hand out plain base64 [?]: a third-party report, no CA's page). */
    private static String macKey(String key) throws AcmeFailure {
        String url = key.strip().replace('+', '-').replace('/', '_').replaceAll("=+$", "");
        try {
            Base64.getUrlDecoder().decode(url);
            return url;
        } catch (IllegalArgumentException e) {
            throw new AcmeFailure("the external account's HMAC key is not base64url (as the CA hands it out)", null, null);
        }
    }

    /** The CA's answer to a request it refused; a rate limit says when to try again and which documents explain it. */
    static AcmeFailure refusal(AcmeServerException e) {
        AcmeFailure refusal = refusal("the CA refused the request", e.getProblem());
        if (!(e instanceof AcmeRateLimitedException limited)) {
            return refusal;
        }
        String when = limited.getRetryAfter().map(t -> "; retry after " + t).orElse("");
        String documents = limited.getDocuments().isEmpty() ? ""
                : "; see " + String.join(", ", limited.getDocuments().stream().map(Object::toString).toList());
        return new AcmeFailure(refusal.getMessage() + when + documents, refusal.problemType(), e);
    }

    private static AcmeFailure refusal(String what, Problem problem) {
        if (problem == null) {
            return new AcmeFailure(what, null, null);
        }
        String detail = problem.getDetail().orElse(problem.getTitle().orElse(""));
        List<String> sub = new ArrayList<>();
        problem.getSubProblems().forEach(p -> sub.add(p.getDetail().orElse(p.getType().toString())));
        return new AcmeFailure(what + ": " + problem.getType() + (detail.isEmpty() ? "" : " — " + detail)
                + (sub.isEmpty() ? "" : " (" + String.join("; ", sub) + ")")
                + problem.getInstance().map(i -> " (problem document " + i + ")").orElse(""), problem.getType().toString(), null);
    }

    /** The account's key pair from PEM: a traditional key pair ({@code openssl genrsa} of old) or PKCS#8 RSA (OpenSSL 3). */
    static KeyPair accountKey(String pem) throws IOException {
        try (org.bouncycastle.openssl.PEMParser parser = new org.bouncycastle.openssl.PEMParser(new StringReader(pem))) {
            var converter = new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter();
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof org.bouncycastle.openssl.PEMKeyPair pair) {
                    return converter.getKeyPair(pair);
                }
                if (o instanceof org.bouncycastle.asn1.pkcs.PrivateKeyInfo info
                        && converter.getPrivateKey(info) instanceof java.security.interfaces.RSAPrivateCrtKey rsa) {
                    return new KeyPair(java.security.KeyFactory.getInstance("RSA").generatePublic(
                            new java.security.spec.RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent())), rsa);
                }
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("the account key cannot be read: " + e.getMessage(), e);
        }
        throw new IOException("the account key holds no RSA or EC key pair in PEM");
    }

    static String pem(KeyPair key, List<X509Certificate> chain) throws CertificateEncodingException {
        StringBuilder out = new StringBuilder();
        for (X509Certificate c : chain) {
            out.append(block("CERTIFICATE", c.getEncoded()));
        }
        return out.append(block("PRIVATE KEY", key.getPrivate().getEncoded())).toString();
    }

    private static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** acme4j's generic provider, trusting the given TLS context for this session only (never the whole JVM). */
    private static final class TrustingProvider extends GenericAcmeProvider {
        private final SSLContext trust;

        TrustingProvider(SSLContext trust) {
            this.trust = trust;
        }

        @Override
        protected HttpConnector createHttpConnector(NetworkSettings settings) {
            return new HttpConnector(settings) {
                @Override
                public java.net.http.HttpClient.Builder createClientBuilder() {
                    java.net.http.HttpClient.Builder b = super.createClientBuilder();
                    return trust == null ? b : b.sslContext(trust);
                }
            };
        }
    }
}
