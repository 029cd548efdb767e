/** Facts about network addresses that need no connection. */
package cem.net;
