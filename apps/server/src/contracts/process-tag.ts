/**
 * Set in the environment of every process Podium starts for a database (instruments, hooks,
 * skip commands). At boot nothing of this database is running yet, so a live process carrying
 * its tag is an orphan even if its group never reached the record (a crash between spawn and
 * record). Profiles that narrow the environment (`required_env`) drop it: for those the
 * recorded groups are the only net.
 */
export const DATABASE_TAG_VARIABLE = "PODIUM_DATABASE_TAG";
