/** Certificate files as cem checks them: PFX and PEM reading, RFC 6125 host name matching, chain completeness. */
package cem.cert;
