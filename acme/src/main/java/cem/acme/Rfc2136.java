package cem.acme;

import java.io.IOException;
import java.net.InetAddress;
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
        int colon = server.lastIndexOf(':');
        boolean hasPort = colon > 0 && server.indexOf(':') == colon;
        return new Rfc2136(hasPort ? server.substring(0, colon) : server, hasPort ? Integer.parseInt(server.substring(colon + 1)) : 53,
                zone, keyName, algorithm == null ? "hmac-sha256" : algorithm, secret);
    }

    void addTxt(String name, String value) throws IOException {
        Name owner = absolute(name);
        Update update = new Update(zoneOf(owner));
        update.add(new TXTRecord(owner, DClass.IN, TTL, value));
        send(update, "add the TXT record " + owner);
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
                if (r instanceof SOARecord) {
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

    private static Name absolute(String name) throws TextParseException {
        return Name.fromString(name.endsWith(".") ? name : name + ".");
    }
}
