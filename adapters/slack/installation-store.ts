/**
 * Bolt's InstallationStore on the bridge's Store, so every replica sees each installation: one
 * compare-and-set record per workspace (`slack:installation:team:T…`) and one per Enterprise Grid
 * org for org-wide installs (`slack:installation:enterprise:E…`). The installation as Bolt built
 * it (tokens included) is sealed with AES-256-GCM under SECRETS_KEY; only the ids and times stay
 * readable, for operators. Removal (app_uninstalled, tokens_revoked) leaves a tombstone record,
 * since records are never deleted, and a later install replaces it.
 */
import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import { z } from 'zod';
import type { RecordStore } from '../../src/store/store.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';

/** An installation as Bolt's OAuth installer builds it (bot token, ids, scopes). */
export type SlackInstallation = Installation<'v1' | 'v2', boolean>;

/** Which installation a lookup is for: Bolt's query, or a delivery's workspace (no install kind known). */
export interface InstallationLookup {
  teamId?: string;
  enterpriseId?: string;
  isEnterpriseInstall?: boolean;
}

/** No installation serves the workspace (never installed, or removed). */
export class InstallationMissingError extends Error {
  constructor(lookup: InstallationLookup) {
    super(`No Slack installation for ${describe(lookup)}`);
    this.name = 'InstallationMissingError';
  }
}

/**
 * Whether a failure comes from a missing installation: Bolt wraps authorize's failures
 * (`AuthorizationError` of @slack/oauth, then of Bolt), each keeping the one below as `original`.
 */
export function isMissingInstallation(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    if (current instanceof InstallationMissingError) return true;
    current = (current as { original?: unknown }).original;
  }
  return false;
}

/** What a record holds: ids and times in the clear, the installation sealed. */
const recordSchema = z.discriminatedUnion('state', [
  z.object({
    state: z.literal('installed'),
    teamId: z.string().optional(),
    enterpriseId: z.string().optional(),
    isEnterpriseInstall: z.boolean(),
    installedAt: z.number(),
    sealed: z.string(),
  }),
  z.object({ state: z.literal('removed'), teamId: z.string().optional(), enterpriseId: z.string().optional(), removedAt: z.number() }),
]);
type InstallationRecord = z.infer<typeof recordSchema>;

/** The record that proves SECRETS_KEY is the one the installations were sealed with. */
export const keyCheckRecord = 'slack:installations:key-check';
const keyCheckText = 'channel-bridge installations';
/** Compare-and-set attempts before a write gives up (another replica writing the same record). */
const maxWriteAttempts = 5;

/** What the store needs. */
export interface InstallationStoreDeps {
  records: Pick<RecordStore, 'getRecord' | 'compareAndSet'>;
  box: SecretBox;
  now: () => number;
}

/** Installations in the bridge's Store, tokens sealed. */
export class StoredInstallations implements InstallationStore {
  constructor(private readonly deps: InstallationStoreDeps) {}

  /** Bolt calls this after oauth.v2.access: an org-wide install is keyed by its org, any other by its workspace. */
  async storeInstallation(installation: SlackInstallation): Promise<void> {
    const isEnterpriseInstall = installation.isEnterpriseInstall === true;
    const teamId = installation.team?.id;
    const enterpriseId = installation.enterprise?.id;
    const key = isEnterpriseInstall ? enterpriseKey(enterpriseId) : teamKey(teamId);
    if (!key) throw new Error('Slack installation without the team (or, org-wide, the enterprise) it belongs to');
    const record: InstallationRecord = {
      state: 'installed',
      ...(teamId ? { teamId } : {}),
      ...(enterpriseId ? { enterpriseId } : {}),
      isEnterpriseInstall,
      installedAt: this.deps.now(),
      sealed: this.deps.box.seal(JSON.stringify(installation), key),
    };
    await this.write(key, record);
  }

  /** Bolt's lookup for an incoming event; throws InstallationMissingError when none serves it. */
  async fetchInstallation(query: InstallationQuery<boolean>): Promise<SlackInstallation> {
    const installation = await this.find(query);
    if (!installation) throw new InstallationMissingError(query);
    return installation;
  }

  /**
   * The installation serving a workspace, or undefined: an org-wide install for an event that
   * says so, else the workspace's own install, else its org's org-wide install.
   */
  async find(lookup: InstallationLookup): Promise<SlackInstallation | undefined> {
    if (lookup.isEnterpriseInstall) return this.read(enterpriseKey(lookup.enterpriseId));
    return (await this.read(teamKey(lookup.teamId))) ?? (await this.read(enterpriseKey(lookup.enterpriseId)));
  }

  /** Remove the installation the query names exactly (the org's for an org-wide install). */
  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    await this.remove(query);
  }

  /** As deleteInstallation, saying whether an installation was removed. */
  async remove(lookup: InstallationLookup): Promise<boolean> {
    const key = lookup.isEnterpriseInstall ? enterpriseKey(lookup.enterpriseId) : teamKey(lookup.teamId);
    if (!key) return false;
    const current = await this.deps.records.getRecord<unknown>(key);
    if (!current || parseRecord(current.value, key).state !== 'installed') return false;
    const removed: InstallationRecord = {
      state: 'removed',
      ...(lookup.teamId ? { teamId: lookup.teamId } : {}),
      ...(lookup.enterpriseId ? { enterpriseId: lookup.enterpriseId } : {}),
      removedAt: this.deps.now(),
    };
    await this.write(key, removed);
    return true;
  }

  /**
   * Fail at start-up, not at the first event, when SECRETS_KEY is not the key the stored
   * installations were sealed with: a record sealed at the first start must open.
   */
  async checkKey(): Promise<void> {
    const stored = await this.deps.records.getRecord<{ sealed?: unknown }>(keyCheckRecord);
    if (!stored) {
      await this.deps.records.compareAndSet(keyCheckRecord, 0, { sealed: this.deps.box.seal(keyCheckText, keyCheckRecord) });
      return;
    }
    if (typeof stored.value.sealed !== 'string' || this.deps.box.open(stored.value.sealed, keyCheckRecord) !== keyCheckText) {
      throw new Error(`Record ${keyCheckRecord} is not what the bridge wrote there`);
    }
  }

  private async read(key: string | undefined): Promise<SlackInstallation | undefined> {
    if (!key) return undefined;
    const stored = await this.deps.records.getRecord<unknown>(key);
    if (!stored) return undefined;
    const record = parseRecord(stored.value, key);
    if (record.state !== 'installed') return undefined;
    return JSON.parse(this.deps.box.open(record.sealed, key)) as SlackInstallation;
  }

  /** Last writer wins: a newer install or removal replaces whatever is there. */
  private async write(key: string, record: InstallationRecord): Promise<void> {
    for (let attempt = 0; attempt < maxWriteAttempts; attempt++) {
      const version = (await this.deps.records.getRecord<unknown>(key))?.version ?? 0;
      if ((await this.deps.records.compareAndSet(key, version, record)) !== undefined) return;
    }
    throw new Error(`Record ${key} kept changing; the installation was not written`);
  }
}

function parseRecord(value: unknown, key: string): InstallationRecord {
  const parsed = recordSchema.safeParse(value);
  if (!parsed.success) throw new Error(`Record ${key} is not a Slack installation`);
  return parsed.data;
}

function teamKey(teamId: string | undefined): string | undefined {
  return teamId ? `slack:installation:team:${teamId}` : undefined;
}

function enterpriseKey(enterpriseId: string | undefined): string | undefined {
  return enterpriseId ? `slack:installation:enterprise:${enterpriseId}` : undefined;
}

function describe(lookup: InstallationLookup): string {
  const parts = [lookup.teamId && `team ${lookup.teamId}`, lookup.enterpriseId && `enterprise ${lookup.enterpriseId}`].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'an event without team or enterprise';
}
