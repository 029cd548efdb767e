/** The cem command line (picocli): one class per command, the composition root, and the views of plans and diagnostics. */
package cem.cli;
