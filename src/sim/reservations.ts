import type { Timers } from './timers.ts';

/** A reservation of either protocol (1.6 ReserveNow, 2.0.1 H01), with the timer that ends it at its expiry. */
export interface HeldReservation {
  readonly id: number;
  readonly timer: NodeJS.Timeout;
}

/** An outlet (a 1.6 connector, a 2.0.1 EVSE) that holds at most one reservation. */
export interface Reservable {
  reservation: HeldReservation | undefined;
}

/** The reservations a station's outlets hold, each until it is used, cancelled or expires. */
export class Reservations<O extends Reservable> {
  private readonly outlets: readonly O[];
  private readonly timers: Timers;

  constructor(outlets: readonly O[], timers: Timers) {
    this.outlets = outlets;
    this.timers = timers;
  }

  /**
   * Holds `outlet` with the reservation `build` makes around its expiry timer (replacing any reservation it had)
   * until `expiresAtMs`; `expired` runs when it lapses unused.
   */
  hold(outlet: O, expiresAtMs: number, build: (timer: NodeJS.Timeout) => NonNullable<O['reservation']>, expired: () => void): void {
    this.release(outlet);
    const held = build(
      this.timers.after(expiresAtMs - Date.now(), () => {
        if (outlet.reservation?.id !== held.id) return;
        outlet.reservation = undefined;
        expired();
      }),
    );
    outlet.reservation = held;
  }

  /** The reservation on `outlet` ends without being used (cancelled, replaced, taken by a session, dropped). */
  release(outlet: O): void {
    if (!outlet.reservation) return;
    this.timers.cancel(outlet.reservation.timer);
    outlet.reservation = undefined;
  }

  /** The outlet that holds reservation `id`. */
  holder(id: number): O | undefined {
    return this.outlets.find((outlet) => outlet.reservation?.id === id);
  }
}
