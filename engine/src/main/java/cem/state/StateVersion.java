package cem.state;

import java.time.Instant;

/**
 * One written version of a state, as a backend with history keeps it.
 *
 * @param version the backend's version number (1, 2, …)
 * @param serial the state's serial
 * @param lineage the state's lineage
 * @param author who wrote it (user@host)
 * @param created when
 * @param cemVersion the cem that wrote it
 * @param configDigest the digest of the configuration it was written from, or null
 * @param resources how many resources it holds
 */
public record StateVersion(long version, long serial, String lineage, String author, Instant created, String cemVersion, String configDigest,
        int resources) {}
