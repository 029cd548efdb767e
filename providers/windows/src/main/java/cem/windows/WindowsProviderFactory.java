package cem.windows;

import cem.spi.Provider;
import cem.spi.ProviderContext;
import cem.spi.ProviderFactory;

/** Registers the Windows provider. */
public final class WindowsProviderFactory implements ProviderFactory {

    @Override
    public String name() {
        return "windows";
    }

    @Override
    public Provider create(ProviderContext context) {
        return new WindowsProvider(context);
    }
}
