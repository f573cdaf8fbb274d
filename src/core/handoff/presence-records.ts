/**
 * Desk presence as the replicas share it in the store's versioned records: each member's last
 * known presence with the time it was read, and each desk's member list with the time it was
 * listed. Writes are compare-and-set and the newer reading wins, so two replicas writing at once
 * never put an older value back.
 */
import type { RecordStore } from '../../store/store.js';

/** One member's last known presence. */
export interface MemberReading {
  present: boolean;
  /** When the platform answered (the bridge's clock). */
  fetchedAt: number;
}

/** A desk's human members as last listed on its platform. */
export interface DeskMembers {
  /** The channel (and Teams team) listed: a desk moved to another channel is listed again. */
  channel: string;
  team?: string;
  members: string[];
  listedAt: number;
}

/** How a desk looks from what is known of its members. */
export interface DeskTally {
  members: number;
  /** Members with a reading young enough to count. */
  known: number;
  /** Known members who are present. */
  present: number;
}

/** Compare-and-set attempts before a write gives way to the other writer. */
const writeAttempts = 3;

/** The store key of a member's reading; user ids are unique per platform. */
export function memberKey(platform: string, userId: string): string {
  return `presence:member:${platform}:${userId}`;
}

/** The store key of a desk's member list. */
export function deskMembersKey(deskId: string): string {
  return `presence:desk:${deskId}`;
}

/** The claim a replica holds while it refreshes a desk from its platform. */
export function refreshClaimKey(deskId: string): string {
  return `presence:refresh:${deskId}`;
}

/** Reads and writes of the shared presence records. */
export class PresenceRecords {
  constructor(private readonly store: RecordStore) {}

  /** The desk's member list as last listed by any replica. */
  async deskMembers(deskId: string): Promise<DeskMembers | undefined> {
    return (await this.store.getRecord<DeskMembers>(deskMembersKey(deskId)))?.value;
  }

  /** Store a new member list unless a newer one is there. */
  saveDeskMembers(deskId: string, list: DeskMembers): Promise<void> {
    return this.writeNewest(deskMembersKey(deskId), list, (stored) => stored.listedAt < list.listedAt);
  }

  /** The last known readings of these members (members never read are absent from the map). */
  async readings(platform: string, userIds: readonly string[]): Promise<Map<string, MemberReading>> {
    const records = await Promise.all(userIds.map((userId) => this.store.getRecord<MemberReading>(memberKey(platform, userId))));
    const readings = new Map<string, MemberReading>();
    records.forEach((record, index) => {
      if (record) readings.set(userIds[index]!, record.value);
    });
    return readings;
  }

  /** Store a member's reading unless a newer one is there. */
  saveReading(platform: string, userId: string, reading: MemberReading): Promise<void> {
    return this.writeNewest(memberKey(platform, userId), reading, (stored) => stored.fetchedAt < reading.fetchedAt);
  }

  private async writeNewest<T>(key: string, value: T, isOlder: (stored: T) => boolean): Promise<void> {
    for (let attempt = 0; attempt < writeAttempts; attempt++) {
      const stored = await this.store.getRecord<T>(key);
      if (stored && !isOlder(stored.value)) return;
      if ((await this.store.compareAndSet(key, stored?.version ?? 0, value)) !== undefined) return;
    }
    // Every attempt lost to another writer, each of which wrote a reading at least as new.
  }
}

/** Count members, known members and present members; a reading older than `knownForMs` is unknown. */
export function tallyDesk(members: readonly string[], readings: ReadonlyMap<string, MemberReading>, now: number, knownForMs: number): DeskTally {
  let known = 0;
  let present = 0;
  for (const userId of members) {
    const reading = readings.get(userId);
    if (!reading || now - reading.fetchedAt > knownForMs) continue;
    known += 1;
    if (reading.present) present += 1;
  }
  return { members: members.length, known, present };
}

/** Members whose reading is missing or older than `refreshMs`: never read first, then the oldest. */
export function dueMembers(members: readonly string[], readings: ReadonlyMap<string, MemberReading>, now: number, refreshMs: number): string[] {
  const fetchedAt = (userId: string) => readings.get(userId)?.fetchedAt ?? Number.NEGATIVE_INFINITY;
  return members.filter((userId) => now - fetchedAt(userId) >= refreshMs).sort((a, b) => {
    const [first, second] = [fetchedAt(a), fetchedAt(b)];
    return first === second ? 0 : first < second ? -1 : 1;
  });
}
