/** Internal: the boundary between Vert.x futures and Mutiny. */
package dev.temperstore.internal.reactive;
