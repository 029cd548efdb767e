/** Certificates issued and renewed by an ACME CA (RFC 8555) with DNS-01 challenges over RFC 2136, kept sealed in the state backend. */
package cem.acme;
