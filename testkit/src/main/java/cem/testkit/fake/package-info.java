/** A fake provider for every resource type, keeping its objects in a directory, with injectable latency and failures. */
package cem.testkit.fake;
