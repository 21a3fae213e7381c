/** Persistence ids ({@code tenant:entity_type:entity_id}) and the rules for tenant ids. */
package dev.temperstore.tenancy;
