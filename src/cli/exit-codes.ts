/** Documented in the README; scripts and CI rely on them. */
export const EXIT = {
  ok: 0,
  /** Something went wrong while doing the work. */
  failure: 1,
  /** Bad input: a variable, file or flag; nothing was sent to a cluster. */
  usage: 2,
} as const;
