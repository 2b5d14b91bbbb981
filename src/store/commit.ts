/** Shared by the store adapters: what a group commit reports, and the error for writes after close. */

/** The error every write (and read) gets once the store is closed. */
export class StoreClosedError extends Error {
  constructor() {
    super('The store is closed');
    this.name = 'StoreClosedError';
  }
}

/** What one group commit did: reported after its COMMIT returned. */
export interface CommitInfo {
  /** Writes (calls) in the transaction, including the ones that failed and were rolled back to their savepoint. */
  writes: number;
  /** Operations (rows) those writes declared. */
  ops: number;
  /** Time spent from BEGIN to the end of COMMIT. */
  durationMs: number;
}
