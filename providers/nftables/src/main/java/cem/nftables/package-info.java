/**
 * The perimeter firewall provider: {@code nft_rule} resources in nftables tables cem owns, read with
 * {@code nft -j list table} and applied as one checked, atomic transaction per host over SSH.
 */
package cem.nftables;
