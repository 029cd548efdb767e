/** Remote shells: SSH (jsch) and WinRM (winrm4j), with strict trust, classified failures and scripts of any size. */
package cem.transport;
