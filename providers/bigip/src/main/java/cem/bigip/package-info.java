/**
 * The F5 BIG-IP provider: {@code bigip_gateway_vip}, a TCP pass-through virtual server and a
 * one-gateway pool per Internet Gateway, read and changed with tmsh over SSH — as a bash or a
 * tmsh-shell account — one transaction per device; and {@link cem.bigip.BigipProbe}, read-only
 * checks of the tmsh behaviours it assumes.
 */
package cem.bigip;
