/**
 * Which bot token a Web API call uses: the one piece every outbound call asks. With one workspace
 * (SLACK_BOT_TOKEN) it is always that token; with several (SLACK_CLIENT_ID) it is the stored
 * installation of the call's workspace, cached in a bounded lru with a TTL (an uninstall on
 * another replica is seen within the TTL; Slack refuses the revoked token meanwhile). A workspace
 * without an installation fails as final (`not_installed`), so its deliveries are dead-lettered.
 */
import { LRUCache } from 'lru-cache';
import type { DeskTarget } from '../../src/core/channel-adapter.js';
import { ConfigError, DeliveryError } from '../../src/core/errors.js';
import type { BotIdentitySource } from './bot-identity.js';
import type { InstallationLookup, StoredInstallations } from './installation-store.js';

/** A workspace the bridge acts in: its team id, and its Enterprise Grid org when it has one. */
export interface SlackWorkspace {
  team: string;
  enterprise?: string;
}

/** What a call in a workspace needs. */
export interface WorkspaceAuth {
  token: string;
  /** The bridge's bot user there (its own messages are ignored, it is no desk member). */
  botUserId?: string;
  /** The app's bot id there. */
  botId?: string;
}

/** Resolves the token of a workspace. */
export interface SlackTokens {
  /** The workspace's token; throws DeliveryError (`not_installed` is final). */
  authFor(workspace: SlackWorkspace): Promise<WorkspaceAuth>;
  /** The workspace a desk channel is in. */
  deskWorkspace(desk: DeskTarget): Promise<SlackWorkspace>;
  /** Drop what is cached for an installation that was removed. */
  forget(lookup: InstallationLookup): void;
}

/** The token of a workspace (shorthand for `authFor`). */
export async function tokenFor(tokens: SlackTokens, workspace: SlackWorkspace): Promise<string> {
  return (await tokens.authFor(workspace)).token;
}

/** The workspace of an incoming request, as Bolt's context names it (the event's team; its org on Enterprise Grid). */
export function workspaceOfContext(context: { teamId?: string; enterpriseId?: string }): SlackWorkspace {
  const team = context.teamId ?? context.enterpriseId ?? '';
  return context.enterpriseId ? { team, enterprise: context.enterpriseId } : { team };
}

/** One workspace: SLACK_BOT_TOKEN everywhere, desks in the token's own workspace. */
export class SingleWorkspaceTokens implements SlackTokens {
  constructor(private readonly token: string, private readonly identity: BotIdentitySource) {}

  /** The one token, and the bot user auth.test reported for it. */
  async authFor(): Promise<WorkspaceAuth> {
    const { userId } = await this.identity.get();
    return { token: this.token, botUserId: userId };
  }

  /** The token's workspace (auth.test). */
  async deskWorkspace(): Promise<SlackWorkspace> {
    return { team: (await this.identity.get()).teamId };
  }

  /** Nothing is cached per installation. */
  forget(): void {}
}

/** How long a looked-up token is reused, and how many workspaces are remembered. */
export const installedTokenCache = { max: 10_000, ttlMs: 60_000 };

/** Several workspaces: each one's installation from the store. */
export class InstalledTokens implements SlackTokens {
  private readonly cache: LRUCache<string, WorkspaceAuth, SlackWorkspace>;

  constructor(installations: Pick<StoredInstallations, 'find'>, options: { max?: number; ttlMs?: number } = {}) {
    this.cache = new LRUCache<string, WorkspaceAuth, SlackWorkspace>({
      max: options.max ?? installedTokenCache.max,
      ttl: options.ttlMs ?? installedTokenCache.ttlMs,
      fetchMethod: (_key, _stale, { context }) => lookUp(installations, context),
    });
  }

  /** The workspace's installed token; `not_installed` (final) when it has none. */
  async authFor(workspace: SlackWorkspace): Promise<WorkspaceAuth> {
    const auth = await this.cache.fetch(cacheKey(workspace), { context: workspace });
    if (!auth) throw notInstalled(workspace);
    return auth;
  }

  /**
   * The desk's `team` from bridge.yaml: a workspace id (T…), or an org id (E…) for a desk in a
   * workspace that only the org-wide install serves. Without it no workspace is known.
   */
  async deskWorkspace(desk: DeskTarget): Promise<SlackWorkspace> {
    if (!desk.team) {
      throw new DeliveryError(`Slack desk ${desk.id} needs team (its workspace id) in bridge.yaml when the bridge serves several workspaces`, {
        retryable: false,
        platformCode: 'desk_without_team',
      });
    }
    return desk.team.startsWith('E') ? { team: desk.team, enterprise: desk.team } : { team: desk.team };
  }

  /** Drop the cached tokens an installation served (for an org-wide one: every workspace of the org). */
  forget(lookup: InstallationLookup): void {
    const served = [...this.cache.keys()].filter((key) => {
      const [enterprise, team] = key.split('/');
      return lookup.isEnterpriseInstall ? enterprise === lookup.enterpriseId : team === lookup.teamId;
    });
    for (const key of served) this.cache.delete(key);
  }
}

async function lookUp(installations: Pick<StoredInstallations, 'find'>, workspace: SlackWorkspace | undefined): Promise<WorkspaceAuth> {
  if (!workspace) throw new Error('token lookup without a workspace');
  let installation;
  try {
    installation = await installations.find({ teamId: workspace.team, enterpriseId: workspace.enterprise });
  } catch (error) {
    // A key that does not open the record will not open it on a retry either.
    if (error instanceof ConfigError) throw new DeliveryError(`Slack token of ${workspace.team} unreadable: ${error.message}`, { retryable: false, platformCode: 'secrets_key_mismatch', cause: error });
    throw new DeliveryError(`Slack token of ${workspace.team} could not be looked up`, { retryable: true, platformCode: 'installation_lookup_failed', cause: error });
  }
  const token = installation?.bot?.token;
  if (!token) throw notInstalled(workspace);
  return { token, botUserId: installation?.bot?.userId, botId: installation?.bot?.id };
}

function notInstalled(workspace: SlackWorkspace): DeliveryError {
  const where = workspace.enterprise && workspace.enterprise !== workspace.team ? `${workspace.team} (org ${workspace.enterprise})` : workspace.team;
  return new DeliveryError(`The Slack app is not installed in workspace ${where}`, { retryable: false, platformCode: 'not_installed' });
}

function cacheKey(workspace: SlackWorkspace): string {
  return `${workspace.enterprise ?? ''}/${workspace.team}`;
}
