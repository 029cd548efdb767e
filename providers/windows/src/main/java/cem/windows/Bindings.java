package cem.windows;

import cem.spi.HostTarget;
import cem.spi.LiveResource;
import cem.spi.ResourceInstance;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Optional;

/**
 * IIS site bindings and their HTTP.SYS certificate records, between cem's model and what the
 * agent returns. A site binding is IIS's {@code bindingInformation} string "ip:port:host" ("*" for
 * all unassigned addresses, "[::]" or "[2001:db8::1]" for IPv6); other protocols have other forms
 * (WCF's net.tcp "808:*", net.pipe "*"), which cem lists but never manages (IIS configuration
 * reference, system.applicationHost/sites/site/bindings/binding). The certificate of an https
 * binding lives in HTTP.SYS, not in IIS: one record per "ip:port" (without SNI, "0.0.0.0" for "*")
 * or per "host:port" (with SNI, sslFlags bit 1), set with {@code netsh http add|update|delete
 * sslcert ipport=…|hostnameport=…} (Microsoft Learn, Netsh commands for HTTP).
 */
final class Bindings {

    private Bindings() {}

    /** A parsed http or https binding. */
    record Binding(String site, String protocol, String ip, int port, String hostHeader, int sslFlags) {

        boolean sni() {
            return (sslFlags & 1) == 1;
        }

        /** The HTTP.SYS record's key: "ip:port" or "host:port". */
        String endpoint() {
            if (sni()) {
                return hostHeader.toLowerCase(Locale.ROOT) + ":" + port;
            }
            return (ip.equals("*") ? "0.0.0.0" : ip) + ":" + port;
        }

        String endpointParameter() {
            return sni() ? "hostnameport" : "ipport";
        }

        /** The item of the WebAdministration provider for the record: IIS:\SslBindings\0.0.0.0!443 or !443!host. */
        String sslBindingPath() {
            if (sni()) {
                return "IIS:\\SslBindings\\!" + port + "!" + hostHeader;
            }
            return "IIS:\\SslBindings\\" + (ip.equals("*") ? "0.0.0.0" : ip.replace("[", "").replace("]", "")) + "!" + port;
        }

        String bindingInformation() {
            return ip + ":" + port + ":" + hostHeader;
        }
    }

    /** The binding an iis_binding resource describes. */
    static Binding of(ResourceInstance r) {
        return of(r.attributes());
    }

    static Binding of(JsonNode a) {
        String ip = a.path("ip").asText("*");
        if (ip.contains(":") && !ip.startsWith("[")) {
            ip = "[" + ip + "]"; // IIS writes IPv6 addresses in brackets
        }
        return new Binding(a.path("site").asText(), a.path("protocol").asText("https").toLowerCase(Locale.ROOT), ip, a.path("port").asInt(),
                a.path("hostHeader").asText(""), a.path("sni").asBoolean(false) ? 1 : 0);
    }

    /**
     * Parses IIS's bindingInformation for http and https ("ip:port:host", the host possibly empty,
     * the IP possibly a bracketed IPv6 address); empty for any other protocol or form.
     */
    static Optional<Binding> parse(String site, String protocol, String information, int sslFlags) {
        String p = protocol.toLowerCase(Locale.ROOT);
        if (!p.equals("http") && !p.equals("https")) {
            return Optional.empty();
        }
        String ip;
        String rest;
        if (information.startsWith("[")) {
            int close = information.indexOf(']');
            if (close < 0 || close + 1 >= information.length() || information.charAt(close + 1) != ':') {
                return Optional.empty();
            }
            ip = information.substring(0, close + 1);
            rest = information.substring(close + 2);
        } else {
            int colon = information.indexOf(':');
            if (colon < 0) {
                return Optional.empty();
            }
            ip = information.substring(0, colon);
            rest = information.substring(colon + 1);
        }
        int colon = rest.indexOf(':');
        String port = colon < 0 ? rest : rest.substring(0, colon);
        String host = colon < 0 ? "" : rest.substring(colon + 1);
        if (!port.matches("[0-9]{1,5}")) {
            return Optional.empty();
        }
        return Optional.of(new Binding(site, p, ip.isEmpty() ? "*" : ip, Integer.parseInt(port), host, sslFlags));
    }

    /** The args of {@code iis_binding.set} (every key of its schema). */
    static ObjectNode setArgs(ResourceInstance r, Optional<String> thumbprint) {
        Binding b = of(r);
        ObjectNode args = common(b);
        args.put("sslFlags", b.sslFlags());
        if (b.protocol().equals("https") && thumbprint.isPresent()) {
            args.put("thumbprint", thumbprint.get().toUpperCase(Locale.ROOT));
            args.put("sslEndpointParameter", b.endpointParameter()).put("sslEndpoint", b.endpoint()).put("sslBindingPath", b.sslBindingPath());
        } else {
            args.putNull("thumbprint").putNull("sslEndpointParameter").putNull("sslEndpoint").putNull("sslBindingPath");
        }
        return args;
    }

    /**
     * The args of {@code iis_binding.remove}. The HTTP.SYS record goes with the binding only when the
     * last read showed no other https binding on that endpoint: a non-SNI "*:443" record serves every
     * site bound there, and deleting it would leave them without a certificate. Without a read of the
     * host in this run, the record is kept.
     */
    static ObjectNode removeArgs(ResourceInstance r, JsonNode lastRead) {
        Binding b = of(r);
        ObjectNode args = common(b);
        boolean shared = lastRead == null || !b.protocol().equals("https") || !sharing(b, lastRead).isEmpty();
        if (shared) {
            args.putNull("sslEndpointParameter").putNull("sslEndpoint");
        } else {
            args.put("sslEndpointParameter", b.endpointParameter()).put("sslEndpoint", b.endpoint());
        }
        return args;
    }

    /** The sites whose other https bindings the last read showed on the HTTP.SYS record of {@code b} (they share its certificate). */
    static java.util.Set<String> sharing(Binding b, JsonNode lastRead) {
        java.util.Set<String> sites = new java.util.TreeSet<>();
        for (JsonNode site : lastRead == null ? WindowsProvider.array() : lastRead.path("sites")) {
            for (JsonNode other : site.path("bindings")) {
                Optional<Binding> o = parse(site.path("name").asText(), other.path("protocol").asText(),
                        other.path("bindingInformation").asText(), other.path("sslFlags").asInt());
                if (o.isPresent() && o.get().protocol().equals("https") && o.get().endpoint().equalsIgnoreCase(b.endpoint())
                        && !same(o.get(), b)) {
                    sites.add(o.get().site());
                }
            }
        }
        return sites;
    }

    private static ObjectNode common(Binding b) {
        return WindowsProvider.object().put("site", b.site()).put("protocol", b.protocol()).put("bindingInformation", b.bindingInformation());
    }

    private static boolean same(Binding x, Binding y) {
        return x.site().equalsIgnoreCase(y.site()) && x.protocol().equals(y.protocol()) && x.bindingInformation().equalsIgnoreCase(y.bindingInformation());
    }

    /** The binding of this resource in the read's answer, with its certificate from HTTP.SYS. */
    static LiveResource live(ResourceInstance r, JsonNode iis, HostTarget host) {
        Binding wanted = of(r);
        for (JsonNode site : iis.path("sites")) {
            if (!site.path("name").asText().equalsIgnoreCase(wanted.site())) {
                continue;
            }
            for (JsonNode raw : site.path("bindings")) {
                Optional<Binding> parsed = parse(site.path("name").asText(), raw.path("protocol").asText(), raw.path("bindingInformation").asText(),
                        raw.path("sslFlags").asInt());
                if (parsed.isEmpty() || !parsed.get().protocol().equals(wanted.protocol()) || parsed.get().port() != wanted.port()
                        || !ip(parsed.get().ip()).equals(ip(wanted.ip())) || !parsed.get().hostHeader().equalsIgnoreCase(wanted.hostHeader())) {
                    continue;
                }
                Binding b = parsed.get();
                ObjectNode attrs = WindowsProvider.object();
                attrs.put("site", site.path("name").asText());
                attrs.put("protocol", b.protocol());
                attrs.put("ip", r.attributes().has("ip") ? r.attributes().get("ip").asText() : b.ip());
                attrs.put("port", b.port());
                attrs.put("hostHeader", b.hostHeader());
                attrs.put("sni", b.sni());
                String thumb = b.protocol().equals("https") ? certificateOf(iis, b) : "";
                attrs.put("thumbprint", thumb);
                if (r.attributes().has("certificate")) {
                    String expected = Reads.relatedThumbprint(r, host).orElse("");
                    attrs.put("certificate", !thumb.isEmpty() && thumb.equalsIgnoreCase(expected) ? r.attributes().get("certificate").asText()
                            : thumb.isEmpty() ? "(no certificate)" : "(certificate " + thumb + ")");
                }
                return new LiveResource(r.address(), true, identity(b), attrs);
            }
        }
        return LiveResource.absent(r.address());
    }

    /** The thumbprint of the HTTP.SYS record that serves this binding, or "" when there is none. */
    static String certificateOf(JsonNode iis, Binding b) {
        for (JsonNode s : iis.path("sslBindings")) {
            String key = s.path("host").asText("").isEmpty()
                    ? normalIp(s.path("ipAddress").asText()) + ":" + s.path("port").asInt()
                    : s.path("host").asText().toLowerCase(Locale.ROOT) + ":" + s.path("port").asInt();
            String wanted = b.sni() ? b.endpoint() : normalIp(b.ip()) + ":" + b.port();
            if (key.equalsIgnoreCase(wanted)) {
                return s.path("thumbprint").asText("").toUpperCase(Locale.ROOT);
            }
        }
        return "";
    }

    /** An IP as HTTP.SYS keys it: "*" and "0.0.0.0" alike, IPv6 without brackets. */
    private static String normalIp(String ip) {
        String s = ip.replace("[", "").replace("]", "");
        return s.isEmpty() || s.equals("*") ? "0.0.0.0" : s.toLowerCase(Locale.ROOT);
    }

    private static String ip(String ip) {
        return ip.isEmpty() || ip.equals("0.0.0.0") ? "*" : ip.replace("[", "").replace("]", "").toLowerCase(Locale.ROOT);
    }

    static String identity(Binding b) {
        return b.site() + "|" + b.protocol() + "|" + ip(b.ip()) + "|" + b.port() + "|" + b.hostHeader().toLowerCase(Locale.ROOT);
    }
}
