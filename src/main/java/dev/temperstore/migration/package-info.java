/** The migration pipeline: the schema as an ordered list of named steps, a ledger, and the runtime role's grants. */
package dev.temperstore.migration;
