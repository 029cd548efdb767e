package cem.spi;

import java.time.Duration;

/**
 * What a remote command returned.
 *
 * @param exitCode the command's exit code
 * @param stdout standard output, decoded as UTF-8
 * @param stderr standard error, decoded as UTF-8 (PowerShell progress records removed)
 * @param duration the round trip's wall time
 */
public record CommandResult(int exitCode, String stdout, String stderr, Duration duration) {}
