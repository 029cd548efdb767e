package cem.bigip;

import cem.spi.Provider;
import cem.spi.ProviderContext;
import cem.spi.ProviderFactory;

/** Registers the F5 BIG-IP provider. */
public final class BigipProviderFactory implements ProviderFactory {

    @Override
    public String name() {
        return "bigip";
    }

    @Override
    public Provider create(ProviderContext context) {
        return new BigipProvider(context);
    }
}
