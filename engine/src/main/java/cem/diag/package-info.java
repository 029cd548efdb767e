/** Diagnostics: source positions and ranges, the diagnostic record with its mandatory hint, immutable collections of them, "did you mean", and the text renderer. JDK only. */
package cem.diag;
