package cem.transport;

import cem.lab.Certificates;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A TLS server's keys that change after the first handshake: the first client sees {@code first}, every
 * later one {@code then} (a man in the middle that lets a pre-flight check through, then swaps certificates).
 */
final class SwitchingKeys extends X509ExtendedKeyManager {

    private final Certificates.Issued first;
    private final Certificates.Issued then;
    private final AtomicInteger handshakes = new AtomicInteger();

    private SwitchingKeys(Certificates.Issued first, Certificates.Issued then) {
        this.first = first;
        this.then = then;
    }

    static SSLContext context(Certificates.Issued first, Certificates.Issued then) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new javax.net.ssl.KeyManager[] {new SwitchingKeys(first, then)}, null, null);
        return context;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return chooseServerAlias(keyType, issuers, null);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        if (!keyType.equals(first.keys().getPrivate().getAlgorithm())) {
            return null;
        }
        return handshakes.getAndIncrement() == 0 ? "first" : "then";
    }

    private Certificates.Issued of(String alias) {
        return alias.equals("first") ? first : then;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Certificates.Issued issued = of(alias);
        java.util.List<X509Certificate> chain = new java.util.ArrayList<>();
        chain.add(issued.certificate());
        chain.addAll(issued.chain());
        return chain.toArray(new X509Certificate[0]);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return of(alias).keys().getPrivate();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return new String[] {"first", "then"};
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
