/** The engine: desired state, refresh (one batch per host), diff and plan, apply in graph levels with the state saved after every batch. */
package cem.engine;
