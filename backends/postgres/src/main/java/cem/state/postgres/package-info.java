/**
 * The PostgreSQL state backend: one state per key with version history, per-state advisory locks
 * plus a locks table, and compare-and-swap writes.
 */
package cem.state.postgres;
