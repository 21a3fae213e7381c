/** Where the database is: connection targets and URLs. */
package dev.temperstore.postgres;
