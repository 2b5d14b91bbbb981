/**
 * A memo, in this process's memory, of the station secrets that were verified against their stored hash: after one
 * scrypt check of a station's password, its reconnections (a site's router restarting, a load balancer draining)
 * are checked with one HMAC instead of one scrypt each, so a reconnect storm of password-protected stations costs
 * microseconds per station, not milliseconds. A process that has just started has no memo and pays scrypt once per
 * station.
 *
 * Entries are keyed by the stored hash string itself (its random salt makes it unique), so a changed or rotated
 * password simply misses. What is kept is an HMAC-SHA256 of the secret under a key drawn at random when the process
 * starts and never stored: nothing here is written anywhere, and it cannot be checked against without that key.
 * A presented secret that does not match the memo is checked with scrypt as before, so a wrong password costs (and
 * takes) as long as it always did. The memo is bounded; past its size the entry used longest ago goes first.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Entries kept at most: about 200 bytes each, so 200,000 stations take about 40 MB. */
const DEFAULT_MAX_ENTRIES = 200_000;

export class VerifiedSecrets {
  readonly #key = randomBytes(32);
  readonly #entries = new Map<string, Buffer>();
  readonly #maxEntries: number;

  constructor(maxEntries = DEFAULT_MAX_ENTRIES) {
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * True when `secret` is the secret `hash` was made from: from the memo when this secret was verified against this
   * hash before, else by `verify` (the scrypt check), whose success is remembered.
   */
  async verify(hash: string, secret: Uint8Array, verify: (hash: string, secret: Uint8Array) => Promise<boolean>): Promise<boolean> {
    const digest = createHmac('sha256', this.#key).update(secret).digest();
    const known = this.#entries.get(hash);
    if (known !== undefined && timingSafeEqual(known, digest)) {
      // Used now: moved to the end of the eviction order.
      this.#entries.delete(hash);
      this.#entries.set(hash, known);
      return true;
    }
    const ok = await verify(hash, secret);
    if (ok) this.#remember(hash, digest);
    return ok;
  }

  #remember(hash: string, digest: Buffer): void {
    this.#entries.delete(hash);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(hash, digest);
  }
}
