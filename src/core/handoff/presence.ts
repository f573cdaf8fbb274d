/**
 * isTeamOnline answers from an in-process cache (lru-cache with max and TTL) of each desk's tally,
 * so the bot's synchronous question is answered in microseconds. Behind the cache, presence is
 * shared by all replicas through the store (presence-records.ts): each member's last known
 * reading with the time it was read.
 *
 * A refresh round of a desk: the replica that wins a short store claim on the desk lists its
 * members (reusing the shared list while young) and asks the platform only for members whose
 * shared reading is missing or older than `memberRefreshMs`, as many as the platform's rate budget
 * allows right now; the others read the shared records. Rounds run in the background every
 * `refreshIntervalMs`, and when a question finds the cache stale.
 *
 * What counts: a desk is online when at least one member with a reading younger than `knownForMs`
 * is present. A member not read yet, or whose read was refused (429, errors), is unknown, never
 * absent: its last known reading keeps counting until it is `knownForMs` old.
 *
 * While nothing is known of a desk (first question after start-up, every member unknown), the
 * question runs a round and waits for it at most `firstAnswerDeadlineMs`, answering true as soon
 * as a present member is read; when the deadline passes with no present member known, the answer
 * is false (nobody is known to be there), and the round goes on filling the cache.
 */
import { LRUCache } from 'lru-cache';
import type { DeskConfig } from '../../config/bridge-config.js';
import type { DeskPresenceSource, DeskSide, DeskTarget } from '../channel-adapter.js';
import { withDeadline } from '../deadline.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { ClaimStore, RecordStore } from '../../store/store.js';
import type { DeskDirectory } from './desk-directory.js';
import { dueMembers, PresenceRecords, refreshClaimKey, tallyDesk, type DeskTally, type MemberReading } from './presence-records.js';
import { isWithinWorkingHours } from './working-hours.js';

/** The clocks of presence, in milliseconds. */
export interface PresenceTiming {
  /** How long a desk's cached tally is served before a question triggers a new round. */
  cacheTtlMs: number;
  /** How often every desk gets a round in the background. */
  refreshIntervalMs: number;
  /** A shared member reading older than this is read again from the platform. */
  memberRefreshMs: number;
  /** A reading older than this no longer counts: the member is unknown. */
  knownForMs: number;
  /** A shared member list older than this is listed again. */
  membersRefreshMs: number;
  /** How long a replica's claim on refreshing a desk lasts at most (released when its round ends). */
  claimTtlMs: number;
  /** How long a question waits while nothing is known of its desk. */
  firstAnswerDeadlineMs: number;
}

/** Defaults: a member is read at most every 2 minutes, and counts for 15 minutes after its last reading. */
export const defaultPresenceTiming: PresenceTiming = {
  cacheTtlMs: 10_000,
  refreshIntervalMs: 10_000,
  memberRefreshMs: 2 * 60_000,
  knownForMs: 15 * 60_000,
  membersRefreshMs: 5 * 60_000,
  claimTtlMs: 60_000,
  firstAnswerDeadlineMs: 1_500,
};

/** Members of one desk whose presence is counted at most (the first ones listed). */
export const maxDeskMembers = 2_000;
/** Desks whose tally is cached. */
const maxCachedDesks = 1_000;

/** What presence answers need. */
export interface PresenceDeps {
  /** Where replicas share readings and claim rounds; only records and claims are used. */
  store: RecordStore & ClaimStore;
  directory: DeskDirectory;
  /** The desk side of the platform a desk lives on. */
  deskSide: (platform: string) => DeskSide | undefined;
  logger: Logger;
  metrics: Metrics;
  now: () => number;
  /** Source of this replica's claim owner id. */
  newId: () => string;
  timing?: Partial<PresenceTiming>;
}

/** Desk presence, cached in process and shared between replicas through the store. */
export class PresenceService {
  private readonly timing: PresenceTiming;
  private readonly cache: LRUCache<string, DeskTally>;
  private readonly records: PresenceRecords;
  private readonly owner: string;
  /** The round in flight per desk: a desk has at most one per process. */
  private readonly rounds = new Map<string, Promise<void>>();
  /** Questions waiting for a first present member, per desk. */
  private readonly waiters = new Map<string, Set<() => void>>();
  private timer?: NodeJS.Timeout;
  /** Set by `stop`: no new round starts (the store and the desk platform are about to go). */
  private stopped = false;

  constructor(private readonly deps: PresenceDeps) {
    this.timing = { ...defaultPresenceTiming, ...deps.timing };
    this.records = new PresenceRecords(deps.store);
    this.owner = `presence-${deps.newId()}`;
    this.cache = new LRUCache<string, DeskTally>({
      max: maxCachedDesks,
      ttl: this.timing.cacheTtlMs,
      allowStale: true,
      noDeleteOnStaleGet: true,
      perf: { now: deps.now },
      ttlResolution: 0,
    });
  }

  /** Whether the desk for `teamId` (or the default desk) is in its hours with someone present. */
  async isOnline(teamId?: string): Promise<boolean> {
    const desk = this.deps.directory.find(teamId);
    if (!desk) return false;
    if (desk.hours && !isWithinWorkingHours(desk.hours, this.deps.now())) return false;
    const cached = this.cache.get(desk.id);
    if (cached && cached.known > 0) {
      const stale = this.cache.getRemainingTTL(desk.id) <= 0;
      this.deps.metrics.presenceLookups.inc({ result: stale ? 'stale' : 'hit' });
      if (stale) void this.refresh(desk);
      return cached.present > 0;
    }
    this.deps.metrics.presenceLookups.inc({ result: 'miss' });
    return this.firstAnswer(desk);
  }

  /**
   * The desk's members known to be present now, in the desk's member order (for round-robin).
   * Out of hours nobody is. Asks like `isOnline` first, so a desk nothing is known of yet gets read.
   */
  async presentMembers(desk: DeskConfig): Promise<string[]> {
    if (!(await this.isOnline(desk.id))) return [];
    const members = await this.sharedMembers(desk);
    const readings = await this.records.readings(desk.platform, members);
    const now = this.deps.now();
    return members.filter((id) => {
      const reading = readings.get(id);
      return reading !== undefined && reading.present && now - reading.fetchedAt <= this.timing.knownForMs;
    });
  }

  /** A round for every desk now and then every `refreshIntervalMs`. */
  start(): void {
    this.refreshAll();
    this.timer = setInterval(() => this.refreshAll(), this.timing.refreshIntervalMs);
    this.timer.unref();
  }

  /**
   * Stop: no round starts from now on (questions are answered from what is known), and the
   * returned promise settles once the rounds in flight have ended, so shutdown closes the store
   * and the desk platform's client only after their last calls. Each call in a round has a deadline.
   */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    return Promise.all(this.rounds.values()).then(() => undefined);
  }

  /** A round for every desk in its hours now (joining rounds already in flight); resolves when they end. */
  async refreshNow(): Promise<void> {
    await Promise.all(this.deps.directory.all().filter((desk) => this.inHours(desk)).map((desk) => this.refresh(desk)));
  }

  private refreshAll(): void {
    void this.refreshNow();
  }

  private inHours(desk: DeskConfig): boolean {
    return !desk.hours || isWithinWorkingHours(desk.hours, this.deps.now());
  }

  /** Wait for the desk's round until a present member is known, the round ends, or the deadline passes. */
  private async firstAnswer(desk: DeskConfig): Promise<boolean> {
    let release: () => void = () => undefined;
    const someonePresent = new Promise<void>((resolve) => {
      const waiting = this.waiters.get(desk.id) ?? new Set();
      waiting.add(resolve);
      this.waiters.set(desk.id, waiting);
      release = () => {
        waiting.delete(resolve);
        if (waiting.size === 0 && this.waiters.get(desk.id) === waiting) this.waiters.delete(desk.id);
      };
    });
    try {
      await withDeadline(Promise.race([this.refresh(desk), someonePresent]), this.timing.firstAnswerDeadlineMs, `reading the presence of desk ${desk.id}`);
    } catch (error) {
      this.deps.logger.warn({ err: error, deskId: desk.id }, 'presence not known in time; answering from what is known');
    } finally {
      release();
    }
    return (this.cache.get(desk.id)?.present ?? 0) > 0;
  }

  /** The desk's round in flight, or a new one; never rejects (failures are logged and change nothing known). */
  private refresh(desk: DeskConfig): Promise<void> {
    const running = this.rounds.get(desk.id);
    if (running) return running;
    if (this.stopped) return Promise.resolve();
    const round = this.round(desk)
      .catch((error: unknown) => this.deps.logger.warn({ err: error, deskId: desk.id }, 'presence refresh failed; last known readings kept'))
      .finally(() => this.rounds.delete(desk.id));
    this.rounds.set(desk.id, round);
    return round;
  }

  private async round(desk: DeskConfig): Promise<void> {
    const side = this.deps.deskSide(desk.platform);
    if (!side) throw new Error(`desk ${desk.id} is on ${desk.platform}, which is not enabled`);
    const claimKey = refreshClaimKey(desk.id);
    const claimed = await this.deps.store.claim(claimKey, this.owner, this.timing.claimTtlMs);
    try {
      const members = claimed ? await this.listMembers(desk, side.presence) : await this.sharedMembers(desk);
      const readings = await this.records.readings(desk.platform, members);
      this.publish(desk.id, members, readings);
      // Stopping: no new reads of the platform (what they would save may meet a closed store).
      if (claimed && !this.stopped) await this.readDue(desk, side.presence, members, readings);
    } finally {
      if (claimed) {
        await this.deps.store.release(claimKey, this.owner).catch((error: unknown) => {
          this.deps.logger.warn({ err: error, deskId: desk.id }, 'presence refresh claim not released; it expires by itself');
        });
      }
    }
  }

  /** Ask the platform for the members due, saving and publishing each reading as it arrives. */
  private async readDue(desk: DeskConfig, source: DeskPresenceSource, members: string[], readings: Map<string, MemberReading>): Promise<void> {
    const due = dueMembers(members, readings, this.deps.now(), this.timing.memberRefreshMs);
    if (due.length === 0) return;
    const saves: Array<Promise<void>> = [];
    try {
      await source.readPresence({
        desk: deskTarget(desk),
        userIds: due,
        onReading: (userId, present) => {
          const reading = { present, fetchedAt: this.deps.now() };
          readings.set(userId, reading);
          saves.push(this.records.saveReading(desk.platform, userId, reading));
          this.publish(desk.id, members, readings);
        },
      });
    } finally {
      await Promise.all(saves);
    }
  }

  /** The desk's members: the shared list while young, else listed on the platform (the shared list when that fails). */
  private async listMembers(desk: DeskConfig, source: DeskPresenceSource): Promise<string[]> {
    const stored = await this.records.deskMembers(desk.id);
    const current = stored && listsDesk(stored.channel, stored.team, desk) ? stored : undefined;
    const now = this.deps.now();
    if (current && now - current.listedAt < this.timing.membersRefreshMs) return current.members;
    try {
      const members = (await source.members(deskTarget(desk))).slice(0, maxDeskMembers);
      await this.records.saveDeskMembers(desk.id, { channel: desk.channel, ...(desk.team === undefined ? {} : { team: desk.team }), members, listedAt: now });
      return members;
    } catch (error) {
      if (!current) throw error;
      this.deps.logger.warn({ err: error, deskId: desk.id }, 'desk members not listed; using the last list');
      return current.members;
    }
  }

  /** The members another replica listed (none yet while its first listing runs). */
  private async sharedMembers(desk: DeskConfig): Promise<string[]> {
    const stored = await this.records.deskMembers(desk.id);
    return stored && listsDesk(stored.channel, stored.team, desk) ? stored.members : [];
  }

  private publish(deskId: string, members: readonly string[], readings: ReadonlyMap<string, MemberReading>): void {
    const tally = tallyDesk(members, readings, this.deps.now(), this.timing.knownForMs);
    this.cache.set(deskId, tally);
    if (tally.present > 0) for (const wake of this.waiters.get(deskId) ?? []) wake();
  }
}

/** The part of a desk's configuration a desk adapter needs. */
export function deskTarget(desk: DeskConfig): DeskTarget {
  return desk.team === undefined ? { id: desk.id, channel: desk.channel } : { id: desk.id, channel: desk.channel, team: desk.team };
}

function listsDesk(channel: string, team: string | undefined, desk: DeskConfig): boolean {
  return channel === desk.channel && team === desk.team;
}
