package cem.acme;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * Where the TXT record of a DNS-01 challenge goes and when the CA may look for it. The record goes
 * where a CNAME at {@code _acme-challenge.NAME} points, if there is one: the CA follows it as any
 * DNS lookup does (RFC 8555 §8.4; Let's Encrypt, "Challenge Types"), so a zone that cannot take
 * TSIG-signed updates delegates the challenge to one that can — an Active Directory-integrated zone
 * set to secure only updates takes GSS-TSIG (Microsoft, "Allow Only Secure Dynamic Updates"; that it
 * refuses HMAC-TSIG is [?]). Before the CA is asked to check, the nameservers must answer every
 * record: a secondary that has not caught up with the primary would fail the CA's check, and failed
 * validations count against the CA's limits (Let's Encrypt, "Rate Limits": failed validations).
 *
 * @param updates the RFC 2136 server that takes the records
 * @param resolver {@code host[:port]} of the resolver asked for CNAMEs, or null for the system's
 * @param nameservers {@code host[:port]} of the servers that must answer each record; empty: the RFC 2136 server
 * @param timeout how long to wait for them
 * @param interval the pause between two rounds of queries
 */
public record Dns01(Rfc2136 updates, String resolver, List<String> nameservers, Duration timeout, Duration interval) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    private static final int MAX_CNAMES = 8;
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(5);

    public Dns01 {
        nameservers = List.copyOf(nameservers);
    }

    /** The RFC 2136 server alone, no CNAME resolver named, the default wait. */
    public static Dns01 of(Rfc2136 updates) {
        return new Dns01(updates, null, List.of(), DEFAULT_TIMEOUT, DEFAULT_INTERVAL);
    }

    /** {@code host}, {@code host:port} or {@code [v6-address]:port}; the port defaults to 53. Not resolved. */
    static InetSocketAddress address(String hostPort) {
        String host = hostPort;
        int port = 53;
        int colon = hostPort.lastIndexOf(':');
        if (hostPort.startsWith("[") && hostPort.contains("]")) {
            host = hostPort.substring(1, hostPort.indexOf(']'));
            port = colon > hostPort.indexOf(']') ? Integer.parseInt(hostPort.substring(colon + 1)) : 53;
        } else if (colon > 0 && hostPort.indexOf(':') == colon) {
            host = hostPort.substring(0, colon);
            port = Integer.parseInt(hostPort.substring(colon + 1));
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    /**
     * Where the TXT record for the challenge name goes: the name itself, or the end of the CNAME
     * chain that starts there (asked of the resolver, one link at a time).
     */
    String target(String challengeName) throws IOException {
        Resolver r = resolver == null ? new ExtendedResolver() : resolver(resolver);
        Name name = Rfc2136.absolute(challengeName);
        for (int link = 0; link < MAX_CNAMES; link++) {
            Message answer = r.send(Message.newQuery(Record.newRecord(name, Type.CNAME, DClass.IN)));
            Name at = name;
            CNAMERecord cname = (CNAMERecord) answer.getSection(Section.ANSWER).stream()
                    .filter(rr -> rr instanceof CNAMERecord && rr.getName().equals(at)).findFirst().orElse(null);
            if (cname != null) {
                name = cname.getTarget();
            } else if (answer.getRcode() == Rcode.NOERROR || answer.getRcode() == Rcode.NXDOMAIN) {
                return name.toString();
            } else {
                throw new IOException("the resolver " + (resolver == null ? "of this system" : resolver) + " answered "
                        + Rcode.string(answer.getRcode()) + " when asked for a CNAME at " + name
                        + " (name one that answers for the zone under dns01.resolver)");
            }
        }
        throw new IOException("the CNAME chain at " + challengeName + " is longer than " + MAX_CNAMES + " links");
    }

    /**
     * Waits until every nameserver answers every record ({@code [name, value]}), querying those
     * still missing every interval; after the timeout, a failure naming what is missing where.
     */
    void awaitPropagation(List<String[]> records) throws AcmeFailure, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, String> missing = missing(records, servers());
        while (!missing.isEmpty()) {
            if (System.nanoTime() - deadline >= 0) {
                List<String> where = new ArrayList<>();
                missing.forEach((server, what) -> where.add(server + " (" + what + ")"));
                throw AcmeFailure.notPropagated("after " + timeout.toSeconds() + " s, these nameservers did not answer the TXT record: "
                        + String.join("; ", where));
            }
            Thread.sleep(interval.toMillis());
            missing = missing(records, new ArrayList<>(missing.keySet()));
        }
    }

    private List<String> servers() {
        return nameservers.isEmpty() ? List.of(updates.where()) : nameservers;
    }

    /** For each server that does not answer some record yet: which, and what it answered. */
    private Map<String, String> missing(List<String[]> records, List<String> servers) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String server : servers) {
            List<String> lacking = new ArrayList<>();
            for (String[] record : records) {
                String answered = answered(server, record[0], record[1]);
                if (answered != null) {
                    lacking.add(record[0] + ": " + answered);
                }
            }
            if (!lacking.isEmpty()) {
                out.put(server, String.join(", ", lacking));
            }
        }
        return out;
    }

    /** Null when the server answers the record with the value; else what it answered instead. */
    private String answered(String server, String name, String value) {
        try {
            Name owner = Rfc2136.absolute(name);
            Message answer = nameservers.isEmpty() ? updates.queryTxt(owner)
                    : resolver(server).send(Message.newQuery(Record.newRecord(owner, Type.TXT, DClass.IN)));
            boolean found = answer.getSection(Section.ANSWER).stream()
                    .anyMatch(rr -> rr instanceof TXTRecord txt && rr.getName().equals(owner) && txt.getStrings().contains(value));
            if (found) {
                return null;
            }
            return answer.getRcode() == Rcode.NOERROR ? "no such value yet" : Rcode.string(answer.getRcode());
        } catch (IOException | RuntimeException e) {
            return "no answer: " + e.getMessage();
        }
    }

    private static Resolver resolver(String hostPort) throws IOException {
        InetSocketAddress at = address(hostPort);
        SimpleResolver r = new SimpleResolver(new InetSocketAddress(at.getHostString(), at.getPort()));
        r.setTimeout(QUERY_TIMEOUT);
        return r;
    }
}
