/** Internal: converters for the configuration. */
package dev.temperstore.internal.config;
