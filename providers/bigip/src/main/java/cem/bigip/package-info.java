/**
 * The F5 BIG-IP provider: {@code bigip_gateway_vip}, a TCP pass-through virtual server and a
 * one-gateway pool per Internet Gateway, read and changed with tmsh over SSH, one transaction per
 * device.
 */
package cem.bigip;
