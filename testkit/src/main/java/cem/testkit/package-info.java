/** Test support: example certificates, golden files, error markers, PowerShell syntax checks. */
package cem.testkit;
