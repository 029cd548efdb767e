package cem.state.postgres;

import cem.state.BackendSpec;
import cem.state.StateBackendFactory;
import cem.state.StateStore;

/** Registers the PostgreSQL state backend ({@code backend: {type: postgres, …}}). */
public final class PostgresBackendFactory implements StateBackendFactory {

    @Override
    public String type() {
        return "postgres";
    }

    @Override
    public StateStore open(BackendSpec spec) {
        return new PostgresStateStore(spec);
    }
}
