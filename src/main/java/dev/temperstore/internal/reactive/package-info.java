/** Internal: Vert.x futures into Mutiny and back, as most code crosses between them ({@link Reactive}). */
package dev.temperstore.internal.reactive;
