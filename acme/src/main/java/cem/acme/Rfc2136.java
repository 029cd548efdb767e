package cem.acme;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

/**
 * Puts and removes the TXT records of DNS-01 challenges through RFC 2136 dynamic updates, signed
 * with a TSIG key (RFC 8945), on the zone's primary server.
 *
 * @param server host name or address of the primary server
 * @param port its port (53)
 * @param zone the zone to update, or null to find it from the server's SOA answers
 * @param keyName the TSIG key's name
 * @param algorithm hmac-sha256, hmac-sha384 or hmac-sha512
 * @param secret the TSIG key's secret, base64
 */
public record Rfc2136(String server, int port, String zone, String keyName, String algorithm, String secret) {

    private static final long TTL = 60;

    /** From {@code host} or {@code host:port}. */
    public static Rfc2136 of(String server, String zone, String keyName, String algorithm, String secret) {
        InetSocketAddress address = Dns01.address(server);
        return new Rfc2136(address.getHostString(), address.getPort(), zone, keyName, algorithm == null ? "hmac-sha256" : algorithm, secret);
    }

    /** {@code host:port}, as the diagnostics name it. */
    String where() {
        return server + ":" + port;
    }

    @Override
    public String toString() {
        return "Rfc2136[" + where() + ", zone " + zone + ", TSIG key " + keyName + "]"; // never the secret
    }

    void addTxt(String name, String value) throws IOException {
        Name owner = absolute(name);
        Name zoneName = zoneOf(owner);
        if (!owner.subdomain(zoneName)) {
            throw new IOException("the record " + owner + " is not in the zone " + zoneName + " that rfc2136.zone names (where a CNAME at"
                    + " _acme-challenge points into another zone, name that zone, or leave zone out to find each record's zone by its SOA)");
        }
        Update update = new Update(zoneName);
        update.add(new TXTRecord(owner, DClass.IN, TTL, value));
        send(update, "add the TXT record " + owner);
    }

    /** The server's answer for the TXT records at {@code owner}, asked with the TSIG key (a server with views answers from the view that took the update: certbot-dns-rfc2136's documentation describes BIND views). */
    Message queryTxt(Name owner) throws IOException {
        return resolver().send(Message.newQuery(Record.newRecord(owner, Type.TXT, DClass.IN)));
    }

    void removeTxt(String name, String value) throws IOException {
        Name owner = absolute(name);
        Update update = new Update(zoneOf(owner));
        update.delete(new TXTRecord(owner, DClass.IN, TTL, value));
        send(update, "remove the TXT record " + owner);
    }

    private Name zoneOf(Name owner) throws IOException {
        if (zone != null && !zone.isBlank()) {
            return absolute(zone);
        }
        Message answer = resolver().send(Message.newQuery(Record.newRecord(owner, Type.SOA, DClass.IN)));
        for (int section : new int[] {Section.ANSWER, Section.AUTHORITY}) {
            for (Record r : answer.getSection(section)) {
                if (r instanceof SOARecord && owner.subdomain(r.getName())) { // not the SOA of the zone a CNAME there leads to
                    return r.getName();
                }
            }
        }
        throw new IOException("the server " + server + " names no zone for " + owner + " (no SOA record in its answer)");
    }

    private void send(Update update, String what) throws IOException {
        Message response = resolver().send(update);
        if (response.getRcode() != Rcode.NOERROR) {
            throw new IOException("the server " + server + " refused to " + what + ": " + Rcode.string(response.getRcode())
                    + (response.getRcode() == Rcode.NOTAUTH || response.getRcode() == Rcode.REFUSED ? " (check the TSIG key and the zone's update-policy)" : ""));
        }
    }

    private SimpleResolver resolver() throws IOException {
        SimpleResolver resolver = new SimpleResolver(InetAddress.getByName(server));
        resolver.setPort(port);
        resolver.setTCP(true);
        resolver.setTimeout(Duration.ofSeconds(10));
        resolver.setTSIGKey(new TSIG(TSIG.algorithmToName(algorithm), keyName, secret));
        return resolver;
    }

    static Name absolute(String name) throws TextParseException {
        return Name.fromString(name.endsWith(".") ? name : name + ".");
    }
}
