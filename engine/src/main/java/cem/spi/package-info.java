/**
 * The provider SPI: resource type schemas and batch read/apply requests per host. Providers are
 * found with {@link java.util.ServiceLoader}; the engine never names an implementation class.
 */
package cem.spi;
