package cem.nftables;

import cem.spi.Provider;
import cem.spi.ProviderContext;
import cem.spi.ProviderFactory;

/** Registers the nftables provider. */
public final class NftProviderFactory implements ProviderFactory {

    @Override
    public String name() {
        return "nftables";
    }

    @Override
    public Provider create(ProviderContext context) {
        return new NftProvider(context);
    }
}
