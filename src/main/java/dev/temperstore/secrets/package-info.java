/** The encrypted secret store, its settings and its master keys. */
package dev.temperstore.secrets;
