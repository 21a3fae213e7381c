/** Internal: the secret store on PostgreSQL, its rules and its rotation. */
package dev.temperstore.internal.secrets;
