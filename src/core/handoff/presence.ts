/**
 * isTeamOnline answers from a presence cache (lru-cache with a TTL, stale values served while a
 * background refresh runs), so the bot's synchronous question is answered in microseconds.
 * A desk asked for the first time is fetched with a deadline and answered from what arrived.
 */
import { LRUCache } from 'lru-cache';
import type { DeskConfig } from '../../config/bridge-config.js';
import type { DeskPresence, DeskSide } from '../channel-adapter.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { withDeadline } from '../deadline.js';
import type { DeskDirectory } from './desk-directory.js';
import { isWithinWorkingHours } from './working-hours.js';

/** What presence answers need. */
export interface PresenceDeps {
  directory: DeskDirectory;
  /** The desk side of the platform a desk lives on. */
  deskSide: (platform: string) => DeskSide | undefined;
  logger: Logger;
  metrics: Metrics;
  now: () => number;
  /** How long a presence reading counts as fresh. */
  ttlMs?: number;
  /** How long a first, uncached question may wait for the platform. */
  firstFetchDeadlineMs?: number;
  /** How often every desk's presence is refreshed in the background. */
  refreshIntervalMs?: number;
}

/** Cached desk presence. */
export class PresenceService {
  private readonly cache: LRUCache<string, DeskPresence>;
  private timer?: NodeJS.Timeout;

  constructor(private readonly deps: PresenceDeps) {
    this.cache = new LRUCache<string, DeskPresence>({
      max: 1000,
      ttl: deps.ttlMs ?? 60_000,
      allowStale: true,
      noDeleteOnStaleGet: true,
      ignoreFetchAbort: true,
      fetchMethod: (deskId) => this.fetchPresence(deskId),
    });
  }

  /** Whether the desk for `teamId` (or the default desk) is in its hours with someone present. */
  async isOnline(teamId?: string): Promise<boolean> {
    const desk = this.deps.directory.find(teamId);
    if (!desk) return false;
    if (desk.hours && !isWithinWorkingHours(desk.hours, this.deps.now())) return false;
    const cached = this.cache.get(desk.id);
    if (cached) {
      this.deps.metrics.presenceLookups.inc({ result: 'hit' });
      if (this.cache.getRemainingTTL(desk.id) <= 0) this.refresh(desk.id);
      return cached.present > 0;
    }
    this.deps.metrics.presenceLookups.inc({ result: 'miss' });
    const presence = await this.fetchWithDeadline(desk.id);
    return (presence?.present ?? 0) > 0;
  }

  /** Refresh every desk now and then every `refreshIntervalMs`. */
  start(): void {
    this.refreshAll();
    this.timer = setInterval(() => this.refreshAll(), this.deps.refreshIntervalMs ?? 30_000);
    this.timer.unref();
  }

  /** Stop background refreshes. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Take a new reading of every desk now. */
  async refreshNow(): Promise<void> {
    await Promise.all(this.deps.directory.all().map((desk) => this.cache.fetch(desk.id, { forceRefresh: true })));
  }

  private refreshAll(): void {
    this.refreshNow().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'presence refresh failed'));
  }

  private refresh(deskId: string): void {
    this.cache.fetch(deskId, { forceRefresh: true }).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, deskId }, 'presence refresh failed');
    });
  }

  /** The first reading of a desk, or undefined (offline) when it does not arrive in time; the fetch goes on and fills the cache. */
  private async fetchWithDeadline(deskId: string): Promise<DeskPresence | undefined> {
    try {
      return await withDeadline(this.cache.fetch(deskId), this.deps.firstFetchDeadlineMs ?? 1500, `reading the presence of desk ${deskId}`);
    } catch (error) {
      this.deps.logger.warn({ err: error, deskId }, 'presence not read in time; answering offline');
      return undefined;
    }
  }

  /** A reading of the desk; a failing presence API reads as nobody present (cached like any reading). */
  private async fetchPresence(deskId: string): Promise<DeskPresence | undefined> {
    const desk = this.deps.directory.all().find((candidate) => candidate.id === deskId);
    if (!desk) return undefined;
    try {
      const side = this.deps.deskSide(desk.platform);
      if (!side) throw new Error(`desk ${desk.id} is on ${desk.platform}, which is not enabled`);
      return await side.presence(deskTarget(desk));
    } catch (error) {
      this.deps.logger.warn({ err: error, deskId }, 'presence lookup failed; the desk counts as nobody present');
      return { members: 0, present: 0 };
    }
  }
}

/** The part of a desk's configuration a desk adapter needs. */
export function deskTarget(desk: DeskConfig): { id: string; channel: string; team?: string } {
  return desk.team === undefined ? { id: desk.id, channel: desk.channel } : { id: desk.id, channel: desk.channel, team: desk.team };
}
