import type { StationSession } from './station-session.ts';

/** The open sessions of this node, one per station: the newest connection wins (field notes §3 #6). */
export class SessionRegistry {
  private readonly sessions = new Map<string, StationSession>();

  get(stationId: string): StationSession | undefined {
    return this.sessions.get(stationId);
  }

  /** Makes `session` the station's current one; returns the one it replaces, if any. */
  put(session: StationSession): StationSession | undefined {
    const previous = this.sessions.get(session.stationId);
    this.sessions.set(session.stationId, session);
    return previous === session ? undefined : previous;
  }

  /** Removes the session if it is still the current one; true when it was. */
  remove(session: StationSession): boolean {
    if (this.sessions.get(session.stationId) !== session) return false;
    this.sessions.delete(session.stationId);
    return true;
  }

  get size(): number {
    return this.sessions.size;
  }

  all(): IterableIterator<StationSession> {
    return this.sessions.values();
  }
}
