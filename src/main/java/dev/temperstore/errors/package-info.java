/** The store's failures: each a {@link dev.temperstore.errors.StoreException} with the code the bus replies with. */
package dev.temperstore.errors;
