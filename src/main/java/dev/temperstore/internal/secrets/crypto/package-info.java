/** Internal: AES-256-GCM with associated data binding a ciphertext to its tenant, name and key version. */
package dev.temperstore.internal.secrets.crypto;
