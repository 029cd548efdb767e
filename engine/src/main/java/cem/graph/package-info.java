/** The resource graph: dependencies, levels for ordered work, DOT output. */
package cem.graph;
