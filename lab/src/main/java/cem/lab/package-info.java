/** The lab: a simulated estate on 127.0.0.1 that speaks real WinRM and SSH, with simulated Windows hosts and fault injection. */
package cem.lab;
