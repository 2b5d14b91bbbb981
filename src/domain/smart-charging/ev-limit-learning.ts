/**
 * What an EV can actually draw, learned from its meter values: an EV that draws clearly less than it is offered (its
 * on-board charger is smaller than the EVSE, it tapers near full, it runs on fewer phases) is planned at what it
 * draws, so that the capacity it leaves is planned for the others, not merely handed out now. An EV that draws all
 * it is offered at its learned limit may be able to take more: the limit is raised by a step to find out.
 *
 * The margins keep this stable: after learning, the EV is offered `drawn + marginA`, so it draws `marginA` below its
 * offer: neither clearly less (below `thresholdA`) nor all of it (within `probeA`), and nothing changes until it does.
 */

export interface LearningOptions {
  /** Drawing more than this below the offer is "clearly less". */
  thresholdA: number;
  /** The learned limit is the draw plus this. */
  marginA: number;
  /** Drawing within this of an offer at the learned limit means the EV may take more... */
  probeA: number;
  /** ...and the limit goes up by this. */
  stepA: number;
}

export const DEFAULT_LEARNING: LearningOptions = { thresholdA: 2, marginA: 1, probeA: 0.5, stepA: 3 };

/**
 * The EV's learned per-phase limit after a reading: `previous` (undefined: none learned), `offeredA` what it was
 * offered when it drew `drawnA`, `minA` the least it may be offered.
 */
export function learnEvLimit(previous: number | undefined, offeredA: number, drawnA: number, minA: number, options: LearningOptions = DEFAULT_LEARNING): number | undefined {
  if (drawnA < offeredA - options.thresholdA) {
    const learned = Math.max(minA, drawnA + options.marginA);
    // A limit that hardly moves is kept, so that noise does not cause a stream of new profiles.
    return previous !== undefined && Math.abs(previous - learned) < options.marginA / 2 ? previous : learned;
  }
  if (previous !== undefined && offeredA >= previous - 0.1 && drawnA >= offeredA - options.probeA) return previous + options.stepA;
  return previous;
}
