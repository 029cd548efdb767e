/** The Windows provider: certificates, IIS bindings, firewall rules and services through one PowerShell agent batch per host. */
package cem.windows;
