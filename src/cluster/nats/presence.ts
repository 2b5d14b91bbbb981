import type { JetStreamClient, KV, KvEntry, QueuedIterator } from 'nats';
import type { Logger } from '../../logging.ts';
import { decodeJsonObject, encodeJson } from './codec.ts';
import { decodeToken, encodeToken } from './subjects.ts';

/**
 * Presence: which node holds which station, kept in two JetStream KV buckets.
 *
 * - `${cluster}_nodes`: one heartbeat key per node, re-put every TTL/3, bucket TTL = presence TTL. A node is alive
 *   while its last heartbeat is younger than the TTL it announced. The cost is one write per node per TTL/3,
 *   whatever the number of stations (a per-station TTL would cost 10k+ writes per period and node).
 * - `${cluster}_presence`: station -> { nodeId, at }, no TTL. Written once when a node claims a station, deleted
 *   when it releases it. A station is online when its entry names a live node.
 *
 * Every node watches both buckets and answers `isOnline` / `online()` from that local cache, so listing stations
 * never costs a NATS request per station.
 *
 * Concurrency rules (all writes but the claim are compare-and-set on the key's revision):
 * - claim: unconditional put. The stream orders puts, so the last stored claim wins everywhere ("newest wins").
 *   A node whose claim is overtaken by another node's (seen on its watch) drops the station (`onSuperseded`).
 * - release: delete only if the key still holds this node's claim (CAS on its revision), so a slow release never
 *   erases a newer node's claim.
 * - node death: when a node's heartbeat is older than its TTL, its stations read offline at once on every node; one
 *   survivor (the live node with the smallest id) deletes their entries with CAS and reports each one it deleted
 *   (`onReaped`), so a station lost with its node is reported exactly once even if two survivors disagree.
 * - a live node that finds its own claim deleted by someone else (it was thought dead: long pause, partition) puts
 *   it back.
 */

export interface PresenceHooks {
  /** Another node claimed a station this node held: stop serving it. */
  onSuperseded(stationId: string, byNode: string): void;
  /** This node deleted the entry of a station whose node is gone (or of a former run of this node). */
  onReaped(stationId: string, lostNode: string): void;
}

interface Claim {
  /** Revision of this node's put; undefined while the put is in flight (or after it failed). */
  revision: number | undefined;
  /** Settles when the put settled. */
  done: Promise<void>;
  failed: boolean;
}

interface CachedEntry {
  /** The holder; null for a deleted entry (kept so a late put can be compared with it). */
  nodeId: string | null;
  revision: number;
}

interface NodeState {
  /** Epoch ms after which the node counts as gone. */
  deadline: number;
}

const REAP_BATCH = 1_000;

export class Presence {
  readonly nodeId: string;
  readonly ttlMs: number;
  private readonly js: JetStreamClient;
  private readonly log: Logger | undefined;
  private readonly hooks: PresenceHooks;
  private readonly presenceBucket: string;
  private readonly nodesBucket: string;
  private stations!: KV;
  private nodesKv!: KV;
  private readonly nodeKey: string;

  private readonly owned = new Map<string, Claim>();
  private readonly cache = new Map<string, CachedEntry>();
  private readonly byNode = new Map<string, Set<string>>();
  private readonly nodes = new Map<string, NodeState>();
  /** Stations whose entry a CAS delete of this node is working on (release, reap): not attempted twice. */
  private readonly deleting = new Set<string>();
  private watches: QueuedIterator<KvEntry>[] = [];
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  /** No reaping before this time: after a start or a lost connection, first hear every live node's heartbeat. */
  private reapAfter = 0;
  private initialized = false;
  private closed = false;
  private reaping = false;

  constructor(init: { js: JetStreamClient; nodeId: string; presenceBucket: string; nodesBucket: string; ttlMs: number; logger?: Logger | undefined; hooks: PresenceHooks }) {
    this.js = init.js;
    this.nodeId = init.nodeId;
    this.ttlMs = init.ttlMs;
    this.log = init.logger;
    this.hooks = init.hooks;
    this.presenceBucket = init.presenceBucket;
    this.nodesBucket = init.nodesBucket;
    this.nodeKey = encodeToken(init.nodeId);
  }

  /**
   * Opens (or creates) the buckets, announces this node, and loads the current state of both buckets before it
   * resolves. Entries that a former run of this node left behind are deleted and reported as reaped.
   */
  async start(): Promise<void> {
    this.stations = await this.js.views.kv(this.presenceBucket, { history: 1 });
    this.nodesKv = await this.js.views.kv(this.nodesBucket, { history: 1, ttl: this.ttlMs });
    await this.heartbeat();
    this.reapAfter = Date.now() + this.ttlMs;
    await Promise.all([
      this.watch(this.nodesKv, (e) => this.onNodeEntry(e)),
      this.watch(this.stations, (e) => this.onStationEntry(e)),
    ]);
    this.initialized = true;
    // A former run of this node (same id) cannot hold anything now: its stations are gone.
    await this.reapEntriesOf([this.nodeId]);
    this.heartbeatTimer = setInterval(() => this.tick(), Math.max(50, Math.floor(this.ttlMs / 3)));
    this.sweepTimer = setInterval(() => this.sweep(), Math.max(25, Math.min(1000, Math.floor(this.ttlMs / 6))));
    this.heartbeatTimer.unref();
    this.sweepTimer.unref();
  }

  owns(stationId: string): boolean {
    return this.owned.has(stationId);
  }

  /** The node holding the station according to this node's view; undefined when it is offline. */
  holder(stationId: string): string | undefined {
    if (this.owned.has(stationId)) return this.nodeId;
    const entry = this.cache.get(stationId);
    if (!entry || entry.nodeId === null || entry.nodeId === this.nodeId) return undefined;
    return this.isAlive(entry.nodeId) ? entry.nodeId : undefined;
  }

  /**
   * True when the station's entry names a node whose heartbeat expired: its socket is gone even if the NATS server
   * has not yet noticed that node's connection died (it may take the server minutes to time out a dead machine).
   */
  heldByLostNode(stationId: string): boolean {
    if (this.owned.has(stationId)) return false;
    const entry = this.cache.get(stationId);
    if (!entry || entry.nodeId === null || entry.nodeId === this.nodeId) return false;
    const state = this.nodes.get(entry.nodeId);
    return state !== undefined && state.deadline <= Date.now();
  }

  isOnline(stationId: string): boolean {
    return this.holder(stationId) !== undefined;
  }

  online(): Set<string> {
    const result = new Set(this.owned.keys());
    for (const [nodeId, ids] of this.byNode) {
      if (nodeId === this.nodeId || !this.isAlive(nodeId)) continue;
      for (const id of ids) result.add(id);
    }
    return result;
  }

  /**
   * The connection to NATS dropped or came back. While cut off, this node hears no heartbeats and would take every
   * other node for gone: it reaps nothing until it has been connected again for a full TTL.
   */
  connectionChanged(): void {
    this.reapAfter = Math.max(this.reapAfter, Date.now() + this.ttlMs);
  }

  /** Nodes this node currently considers alive (itself included). */
  liveNodes(): string[] {
    const now = Date.now();
    const live = [this.nodeId];
    for (const [nodeId, state] of this.nodes) if (nodeId !== this.nodeId && state.deadline > now) live.push(nodeId);
    return live.sort();
  }

  claim(stationId: string): void {
    if (this.closed) return;
    const claim: Claim = { revision: undefined, done: Promise.resolve(), failed: false };
    this.owned.set(stationId, claim);
    this.put(stationId, claim);
  }

  release(stationId: string): void {
    const claim = this.owned.get(stationId);
    if (!claim) return; // never held, or a newer node's claim superseded ours: nothing of ours to delete
    this.owned.delete(stationId);
    void claim.done.then(() => this.deleteOwn(stationId, claim));
  }

  /** Deletes this node's claims and heartbeat and stops watching. Returns the stations that were still claimed. */
  async stop(): Promise<string[]> {
    if (this.closed) return [];
    this.closed = true;
    clearInterval(this.heartbeatTimer);
    clearInterval(this.sweepTimer);
    const held = [...this.owned];
    this.owned.clear();
    for (let i = 0; i < held.length; i += REAP_BATCH) {
      await Promise.all(held.slice(i, i + REAP_BATCH).map(async ([id, claim]) => {
        await claim.done;
        await this.deleteOwn(id, claim);
      }));
    }
    try {
      await this.nodesKv.delete(this.nodeKey);
    } catch (err) {
      this.log?.warn({ err }, 'cluster bus: could not delete this node\'s heartbeat');
    }
    for (const w of this.watches) w.stop();
    this.watches = [];
    return held.map(([id]) => id);
  }

  // --- writes -------------------------------------------------------------------------------------------------

  private put(stationId: string, claim: Claim): void {
    claim.failed = false;
    claim.done = this.stations.put(encodeToken(stationId), encodeJson({ nodeId: this.nodeId, at: new Date().toISOString() })).then(
      (revision) => {
        if (this.owned.get(stationId) !== claim) return;
        claim.revision = revision;
        // The watch may have delivered a newer entry while the put was in flight.
        const current = this.cache.get(stationId);
        if (current && current.revision > revision) this.reconcile(stationId, claim, current);
      },
      (err: unknown) => {
        claim.failed = true;
        this.log?.warn({ err, stationId }, 'cluster bus: presence claim failed; retrying at the next heartbeat');
      },
    );
  }

  /** Deletes the station's entry if it still is this node's claim. */
  private async deleteOwn(stationId: string, claim: Claim): Promise<void> {
    if (this.owned.has(stationId)) return; // claimed again meanwhile
    const cached = this.cache.get(stationId);
    const revision = Math.max(claim.revision ?? 0, cached?.nodeId === this.nodeId ? cached.revision : 0);
    if (revision === 0) return;
    await this.casDelete(stationId, revision);
  }

  /** Deletes the key if its last revision is `revision`; true when this call deleted it. */
  private async casDelete(stationId: string, revision: number): Promise<boolean> {
    if (this.deleting.has(stationId)) return false;
    this.deleting.add(stationId);
    try {
      await this.stations.delete(encodeToken(stationId), { previousSeq: revision });
      return true;
    } catch (err) {
      if (!isWrongSequence(err)) this.log?.warn({ err, stationId }, 'cluster bus: presence delete failed');
      return false;
    } finally {
      this.deleting.delete(stationId);
    }
  }

  private async heartbeat(): Promise<void> {
    await this.nodesKv.put(this.nodeKey, encodeJson({ nodeId: this.nodeId, at: new Date().toISOString(), ttlMs: this.ttlMs }));
  }

  private tick(): void {
    if (this.closed) return;
    this.heartbeat().catch((err: unknown) => this.log?.warn({ err }, 'cluster bus: heartbeat failed'));
    for (const [id, claim] of this.owned) if (claim.failed) this.put(id, claim);
    // Entries naming this node that it does not hold (a release whose delete failed): clean them up quietly.
    const mine = this.byNode.get(this.nodeId);
    if (mine) {
      for (const id of mine) {
        const entry = this.cache.get(id);
        if (!this.owned.has(id) && entry && !this.deleting.has(id)) void this.casDelete(id, entry.revision);
      }
    }
  }

  /** The survivor with the smallest node id deletes (and reports) the stations of nodes that are gone. */
  private sweep(): void {
    if (this.closed || this.reaping || Date.now() < this.reapAfter) return;
    if (this.liveNodes()[0] !== this.nodeId) return;
    const dead = [...this.byNode.keys()].filter((n) => n !== this.nodeId && this.isGone(n) && (this.byNode.get(n)?.size ?? 0) > 0);
    if (dead.length === 0) return;
    this.reaping = true;
    this.reapEntriesOf(dead)
      .catch((err: unknown) => this.log?.warn({ err }, 'cluster bus: reaping stations of lost nodes failed'))
      .finally(() => {
        this.reaping = false;
      });
  }

  private async reapEntriesOf(nodeIds: string[]): Promise<void> {
    for (const lostNode of nodeIds) {
      const ids = [...(this.byNode.get(lostNode) ?? [])].filter((id) => !this.owned.has(id));
      if (ids.length > 0) this.log?.info({ node: lostNode, stations: ids.length }, 'cluster bus: node is gone; taking its stations offline');
      for (let i = 0; i < ids.length; i += REAP_BATCH) {
        await Promise.all(ids.slice(i, i + REAP_BATCH).map(async (id) => {
          const entry = this.cache.get(id);
          if (!entry || entry.nodeId !== lostNode) return;
          if (await this.casDelete(id, entry.revision)) this.hooks.onReaped(id, lostNode);
        }));
      }
    }
  }

  // --- the watched state --------------------------------------------------------------------------------------

  private async watch(kv: KV, onEntry: (entry: KvEntry) => void): Promise<void> {
    let loaded!: () => void;
    const initialized = new Promise<void>((resolve) => {
      loaded = resolve;
    });
    const iterator = await kv.watch({ initializedFn: () => loaded() });
    this.watches.push(iterator);
    void (async () => {
      try {
        for await (const entry of iterator) {
          try {
            onEntry(entry);
          } catch (err) {
            this.log?.error({ err, key: entry.key }, 'cluster bus: presence update failed');
          }
        }
      } catch (err) {
        if (!this.closed) this.log?.error({ err }, 'cluster bus: presence watch ended');
      }
    })();
    await initialized;
  }

  private onNodeEntry(entry: KvEntry): void {
    const nodeId = decodeToken(entry.key);
    if (nodeId === undefined || nodeId === this.nodeId) return;
    if (entry.operation !== 'PUT') {
      this.nodes.set(nodeId, { deadline: 0 }); // closed cleanly
      return;
    }
    const value = decodeJsonObject(entry.value);
    const ttl = typeof value?.ttlMs === 'number' && value.ttlMs > 0 ? value.ttlMs : this.ttlMs;
    const now = Date.now();
    // A heartbeat from the initial replay may be old: count from when it was written (never beyond a full TTL).
    const deadline = this.initialized ? now + ttl : Math.min(now + ttl, entry.created.getTime() + ttl);
    this.nodes.set(nodeId, { deadline });
  }

  private onStationEntry(entry: KvEntry): void {
    const stationId = decodeToken(entry.key);
    if (stationId === undefined) return;
    const previous = this.cache.get(stationId);
    if (previous && previous.revision >= entry.revision) return;
    if (previous?.nodeId) this.byNode.get(previous.nodeId)?.delete(stationId);
    let nodeId: string | null = null;
    if (entry.operation === 'PUT') {
      const value = decodeJsonObject(entry.value);
      if (typeof value?.nodeId === 'string') nodeId = value.nodeId;
    }
    const next: CachedEntry = { nodeId, revision: entry.revision };
    this.cache.set(stationId, next);
    if (nodeId !== null) {
      let set = this.byNode.get(nodeId);
      if (!set) this.byNode.set(nodeId, (set = new Set()));
      set.add(stationId);
    }
    const claim = this.owned.get(stationId);
    if (claim) this.reconcile(stationId, claim, next);
  }

  /** A newer entry for a station this node holds: it was claimed elsewhere, or deleted by a reaper. */
  private reconcile(stationId: string, claim: Claim, entry: CachedEntry): void {
    if (this.closed || claim.revision === undefined || entry.revision <= claim.revision) return;
    if (entry.nodeId === this.nodeId) {
      claim.revision = entry.revision;
    } else if (entry.nodeId === null) {
      this.log?.warn({ stationId }, 'cluster bus: another node took this node for gone; claiming the station again');
      claim.revision = undefined;
      this.put(stationId, claim);
    } else {
      this.owned.delete(stationId);
      this.hooks.onSuperseded(stationId, entry.nodeId);
    }
  }

  private isAlive(nodeId: string): boolean {
    if (nodeId === this.nodeId) return !this.closed;
    const state = this.nodes.get(nodeId);
    return state !== undefined && state.deadline > Date.now();
  }

  /** Gone: its heartbeat expired, or it never sent one while this node has been watching for a full TTL. */
  private isGone(nodeId: string): boolean {
    const state = this.nodes.get(nodeId);
    return state === undefined || state.deadline <= Date.now(); // never heard of: a leftover (reaping waits a TTL after start)
  }
}

function isWrongSequence(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const api = (err as { api_error?: { err_code?: number } }).api_error;
  return api?.err_code === 10071 || /wrong last sequence/i.test(err.message);
}
