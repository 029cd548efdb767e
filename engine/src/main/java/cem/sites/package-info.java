/**
 * Multi-site fleets: the site inventory ({@code sites.yaml}), FreeMarker templates rendered per
 * site (in memory or to disk) with diagnostics mapped back to the template line and the site
 * entry, site selectors, and the waves of a rollout.
 */
package cem.sites;
