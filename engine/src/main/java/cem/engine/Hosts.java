package cem.engine;

import cem.config.Configuration;
import cem.config.HostConfig;
import cem.config.SecretRef;
import cem.config.SecretResolver;
import cem.diag.Diagnostic;
import cem.diag.Result;
import cem.diag.Severity;
import cem.spi.HostTarget;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Builds {@link HostTarget}s from the configuration, resolving each host's credentials. */
public final class Hosts {

    private static final String[] SECRET_FIELDS = {"auth/password", "auth/passphrase"};

    private final Configuration config;
    private final SecretResolver secrets;

    public Hosts(Configuration config, SecretResolver secrets) {
        this.config = config;
        this.secrets = secrets;
    }

    /** The host, or a diagnostic when it is not configured or its credentials cannot be read. */
    public Result<HostTarget> target(String name) {
        HostConfig host = config.hosts().get(name);
        if (host == null) {
            return Result.failed(new Diagnostic(Severity.ERROR, EngineCodes.HOST_NOT_CONFIGURED,
                    "Host \"" + name + "\" is no longer configured",
                    "The state holds resources on this host, but no file declares it, so cem cannot reach them.",
                    "Declare the host again to manage (or delete) its resources, or forget them with a \"removed:\" entry.",
                    null, null));
        }
        Map<String, String> resolved = new HashMap<>();
        for (String field : SECRET_FIELDS) {
            String[] path = field.split("/");
            var node = host.body().path(path[0]).path(path[1]);
            if (node.isTextual() && SecretRef.parse(node.asText()).isPresent()) {
                Result<String> value = secrets.resolve(node.asText(), host.doc().directory(), host.range(field), Severity.ERROR);
                if (value.value() == null) {
                    return new Result<>(null, value.diagnostics());
                }
                resolved.put(field, value.value());
            }
        }
        return Result.of(new HostTarget(name, host.body(), resolved, config.directory()));
    }

    public Optional<HostConfig> config(String name) {
        return Optional.ofNullable(config.hosts().get(name));
    }
}
