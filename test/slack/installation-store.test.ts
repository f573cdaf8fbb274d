/**
 * The installation store and the token lookup on a real (memory) Store: workspace installs keyed
 * by team, org-wide installs by enterprise and found for every workspace of the org, removal as a
 * tombstone that a new install replaces, sealed values bound to their record, the key check, and
 * SlackTokens' cache and error mapping (missing: final; store down: retryable).
 */
import { describe, expect, it } from 'vitest';
import { isMissingInstallation, keyCheckRecord, StoredInstallations, type SlackInstallation } from '../../adapters/slack/installation-store.js';
import { InstalledTokens } from '../../adapters/slack/slack-tokens.js';
import { ConfigError, DeliveryError } from '../../src/core/errors.js';
import { SecretBox } from '../../src/secrets/secret-box.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';

const key = Buffer.alloc(32, 7);

function installations(store: Store, box = new SecretBox(key)): StoredInstallations {
  return new StoredInstallations({ records: store, box, now: () => 1_700_000_000_000 });
}

function workspaceInstall(team: string, token: string, enterprise?: string): SlackInstallation {
  return {
    team: { id: team, name: team },
    enterprise: enterprise ? { id: enterprise, name: enterprise } : undefined,
    bot: { token, scopes: ['chat:write'], userId: `U${team}`, id: `B${team}` },
    user: { id: 'U1234', token: undefined, scopes: undefined },
    isEnterpriseInstall: false,
    authVersion: 'v2',
  };
}

function orgInstall(enterprise: string, token: string): SlackInstallation {
  return {
    team: undefined,
    enterprise: { id: enterprise, name: enterprise },
    bot: { token, scopes: ['chat:write'], userId: 'UORGBOT', id: 'BORGBOT' },
    user: { id: 'U1234', token: undefined, scopes: undefined },
    isEnterpriseInstall: true,
    authVersion: 'v2',
  };
}

describe('StoredInstallations', () => {
  it('keys a workspace install by team and an org-wide install by enterprise, for any workspace of the org', async () => {
    const store = openStore('memory:');
    const stored = installations(store);
    await stored.storeInstallation(workspaceInstall('T0A', 'xoxb-a'));
    await stored.storeInstallation(orgInstall('E0ORG', 'xoxb-org'));
    expect(await store.getRecord('slack:installation:team:T0A')).toMatchObject({ value: { state: 'installed', teamId: 'T0A' } });
    expect(await store.getRecord('slack:installation:enterprise:E0ORG')).toMatchObject({ value: { state: 'installed', enterpriseId: 'E0ORG', isEnterpriseInstall: true } });
    expect((await stored.fetchInstallation({ teamId: 'T0A', enterpriseId: undefined, isEnterpriseInstall: false })).bot?.token).toBe('xoxb-a');
    expect((await stored.fetchInstallation({ teamId: 'T0ORGW1', enterpriseId: 'E0ORG', isEnterpriseInstall: true })).bot?.token).toBe('xoxb-org');
    // A delivery knows the workspace and its org, not how it was installed.
    expect((await stored.find({ teamId: 'T0ORGW2', enterpriseId: 'E0ORG' }))?.bot?.token).toBe('xoxb-org');
    await expect(stored.fetchInstallation({ teamId: 'T0NONE', enterpriseId: undefined, isEnterpriseInstall: false })).rejects.toSatisfy(isMissingInstallation);
  });

  it('prefers a workspace\'s own install over its org\'s', async () => {
    const stored = installations(openStore('memory:'));
    await stored.storeInstallation(orgInstall('E0ORG', 'xoxb-org'));
    await stored.storeInstallation(workspaceInstall('T0OWN', 'xoxb-own', 'E0ORG'));
    expect((await stored.find({ teamId: 'T0OWN', enterpriseId: 'E0ORG' }))?.bot?.token).toBe('xoxb-own');
  });

  it('removes an installation as a tombstone, which a new install replaces', async () => {
    const store = openStore('memory:');
    const stored = installations(store);
    await stored.storeInstallation(workspaceInstall('T0A', 'xoxb-a'));
    expect(await stored.remove({ teamId: 'T0A', isEnterpriseInstall: false })).toBe(true);
    expect(await store.getRecord('slack:installation:team:T0A')).toMatchObject({ value: { state: 'removed', teamId: 'T0A' } });
    expect(await stored.find({ teamId: 'T0A' })).toBeUndefined();
    expect(await stored.remove({ teamId: 'T0A', isEnterpriseInstall: false })).toBe(false);
    await stored.storeInstallation(workspaceInstall('T0A', 'xoxb-a2'));
    expect((await stored.find({ teamId: 'T0A' }))?.bot?.token).toBe('xoxb-a2');
  });

  it('removing a workspace of an org-wide install leaves the org\'s installation alone', async () => {
    const stored = installations(openStore('memory:'));
    await stored.storeInstallation(orgInstall('E0ORG', 'xoxb-org'));
    expect(await stored.remove({ teamId: 'T0ORGW1', enterpriseId: 'E0ORG', isEnterpriseInstall: false })).toBe(false);
    expect((await stored.find({ teamId: 'T0ORGW2', enterpriseId: 'E0ORG' }))?.bot?.token).toBe('xoxb-org');
    expect(await stored.remove({ enterpriseId: 'E0ORG', isEnterpriseInstall: true })).toBe(true);
    expect(await stored.find({ teamId: 'T0ORGW2', enterpriseId: 'E0ORG' })).toBeUndefined();
  });

  it('binds a sealed installation to its record: copied into another workspace\'s record it does not open', async () => {
    const store = openStore('memory:');
    const stored = installations(store);
    await stored.storeInstallation(workspaceInstall('T0A', 'xoxb-a'));
    const record = await store.getRecord<Record<string, unknown>>('slack:installation:team:T0A');
    await store.compareAndSet('slack:installation:team:T0B', 0, { ...record!.value, teamId: 'T0B' });
    await expect(stored.find({ teamId: 'T0B' })).rejects.toThrow(/SECRETS_KEY: it does not decrypt slack:installation:team:T0B/);
  });

  it('checks the key at start: the first start seals a check record, another key fails naming SECRETS_KEY', async () => {
    const store = openStore('memory:');
    await installations(store).checkKey();
    expect(await store.getRecord(keyCheckRecord)).toBeDefined();
    await installations(store).checkKey();
    const other = installations(store, new SecretBox(Buffer.alloc(32, 8)));
    await expect(other.checkKey()).rejects.toThrow(ConfigError);
    await expect(other.checkKey()).rejects.toThrow(/^Invalid environment variable SECRETS_KEY: /);
  });
});

describe('InstalledTokens', () => {
  it('looks a workspace up once per TTL and answers from the cache in between', async () => {
    let lookups = 0;
    const tokens = new InstalledTokens({
      find: async () => {
        lookups += 1;
        return workspaceInstall('T0A', 'xoxb-a');
      },
    });
    expect(await tokens.authFor({ team: 'T0A' })).toEqual({ token: 'xoxb-a', botUserId: 'UT0A', botId: 'BT0A' });
    expect(await tokens.authFor({ team: 'T0A' })).toEqual({ token: 'xoxb-a', botUserId: 'UT0A', botId: 'BT0A' });
    expect(lookups).toBe(1);
    tokens.forget({ teamId: 'T0A', isEnterpriseInstall: false });
    await tokens.authFor({ team: 'T0A' });
    expect(lookups).toBe(2);
  });

  it('forgets every workspace an org-wide installation served', async () => {
    let lookups = 0;
    const tokens = new InstalledTokens({
      find: async () => {
        lookups += 1;
        return orgInstall('E0ORG', 'xoxb-org');
      },
    });
    await tokens.authFor({ team: 'T0W1', enterprise: 'E0ORG' });
    await tokens.authFor({ team: 'T0W2', enterprise: 'E0ORG' });
    tokens.forget({ enterpriseId: 'E0ORG', isEnterpriseInstall: true });
    await tokens.authFor({ team: 'T0W1', enterprise: 'E0ORG' });
    await tokens.authFor({ team: 'T0W2', enterprise: 'E0ORG' });
    expect(lookups).toBe(4);
  });

  it('fails as final for a workspace without an installation, and retryably when the store fails', async () => {
    const missing = new InstalledTokens({ find: async () => undefined });
    await expect(missing.authFor({ team: 'T0GONE' })).rejects.toMatchObject({ retryable: false, platformCode: 'not_installed' });
    const down = new InstalledTokens({ find: () => Promise.reject(new Error('SQLITE_BUSY')) });
    const failure = await down.authFor({ team: 'T0A' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DeliveryError);
    expect(failure).toMatchObject({ retryable: true, platformCode: 'installation_lookup_failed' });
  });

  it('needs the desk\'s team in bridge.yaml; an org id names the org-wide install', async () => {
    const tokens = new InstalledTokens({ find: async () => undefined });
    await expect(tokens.deskWorkspace({ id: 'helpdesk', channel: 'C0DESK' })).rejects.toMatchObject({ retryable: false, platformCode: 'desk_without_team' });
    expect(await tokens.deskWorkspace({ id: 'helpdesk', channel: 'C0DESK', team: 'T0A' })).toEqual({ team: 'T0A' });
    expect(await tokens.deskWorkspace({ id: 'helpdesk', channel: 'C0DESK', team: 'E0ORG' })).toEqual({ team: 'E0ORG', enterprise: 'E0ORG' });
  });
});
