/**
 * The advisory locks Podium takes on a PostgreSQL database (two-key form: namespace, lock). Any
 * other application sharing the database is unlikely to pick the same namespace.
 */
/** "PODM" as a 32-bit integer. */
export const ADVISORY_LOCK_NAMESPACE = 0x50_4f_44_4d;
/** Held while migrations are applied (two processes booting at once do not race). */
export const MIGRATION_LOCK = 1;
