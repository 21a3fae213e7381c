/**
 * Configuration: the {@code temper.*} keys (SmallRye Config, with {@code conf/} and the environment), loaded and
 * validated.
 */
package dev.temperstore.config;
