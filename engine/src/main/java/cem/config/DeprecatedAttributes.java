package cem.config;

import cem.diag.Diagnostic;
import cem.diag.Diagnostics;

/**
 * Attributes the model keeps for old configurations but that cem ignores, each a warning that says
 * where the setting really lives: {@code internet_gateway.statusReporting} is a Notification Server
 * setting (Settings > Notification Server > Internet Gateway, KB 216202 step 4), not a value of
 * the gateway host.
 */
final class DeprecatedAttributes {

    Diagnostics check(Configuration config) {
        Diagnostics.Builder out = Diagnostics.builder();
        for (ResourceConfig g : config.ofType("internet_gateway")) {
            if (g.body().has("statusReporting")) {
                out.add(Diagnostic.warning(ConfigCodes.GATEWAY_STATUS_REPORTING,
                        "statusReporting of internet_gateway \"" + g.name() + "\" is ignored",
                        "Internet Gateway status reporting is a Notification Server setting, not a value on the gateway host (KB 216202, step 4): "
                                + "cem neither writes nor reads it there, so this attribute changes nothing.",
                        "Remove statusReporting, and enable status reporting in the console: Settings > Notification Server > Internet Gateway.",
                        g.range("statusReporting")).withAddress(g.address()));
            }
        }
        return out.build();
    }
}
