/**
 * botbuilder's CloudAdapter, configured from the bridge's environment with botbuilder's own
 * variables (single-tenant, multi-tenant, user-assigned managed identity; no app id = auth off).
 * Every connector client it creates is tuned so the bridge stays in charge of delivery:
 * the Azure pipeline's own retry policy (three retries, honouring Retry-After) is removed,
 * because the core's delivery loop owns retries and ordering, and every request gets a timeout.
 */
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, ConfigurationServiceClientCredentialFactory, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';
import type { TeamsEnv } from '../../src/config/env.js';

/** The bot app id used when auth is off: botbuilder needs a non-empty one for proactive turns. */
export const localBotAppId = 'channel-bridge-local';

/** Audience and login endpoint of Bot Framework connector tokens (public cloud). */
const connectorAudience = 'https://api.botframework.com';
const connectorLoginUrl = 'https://login.microsoftonline.com/botframework.com';

/** What authenticating an inbound request yields: the caller's claims and a connector factory. */
export type AuthenticatedRequest = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>;

type ConnectorFactory = ReturnType<ConfigurationBotFrameworkAuthentication['createConnectorFactory']>;
type ConnectorClient = Awaited<ReturnType<ConnectorFactory['create']>>;

/** The part of an Azure core HTTP pipeline the tuning touches. */
interface PipelineLike {
  removePolicy(options: { phase?: 'Retry' }): unknown;
  addPolicy(policy: { name: string; sendRequest(request: { timeout: number }, next: (request: { timeout: number }) => Promise<unknown>): Promise<unknown> }): void;
}

/** Botbuilder's pieces, built once per adapter. */
export interface BotFramework {
  adapter: BridgeCloudAdapter;
  /** The app id to pass to proactive calls (the configured one, or `localBotAppId` with auth off). */
  botAppId: string;
  /** Whether inbound requests are authenticated (an app id is configured). */
  authEnabled: boolean;
  /** Obtain a connector token; throws when the credentials do not work. */
  fetchToken(): Promise<void>;
}

/** Build the CloudAdapter and its authentication from the environment. */
export function createBotFramework(env: TeamsEnv, timeoutMs: number): BotFramework {
  const config = {
    MicrosoftAppId: env.appId ?? '',
    MicrosoftAppPassword: env.appPassword ?? '',
    MicrosoftAppType: env.appType ?? (env.appId ? 'MultiTenant' : ''),
    MicrosoftAppTenantId: env.tenantId ?? '',
  };
  const credentials = new ConfigurationServiceClientCredentialFactory(config);
  const auth = new TunedBotFrameworkAuthentication(timeoutMs, config, credentials);
  return {
    adapter: new BridgeCloudAdapter(auth),
    botAppId: env.appId ?? localBotAppId,
    authEnabled: Boolean(env.appId),
    fetchToken: async () => {
      if (!env.appId) return;
      const created = await credentials.createCredentials(env.appId, connectorAudience, connectorLoginUrl, true);
      const token = await (created as { getToken?: (forceRefresh?: boolean) => Promise<string> }).getToken?.(true);
      if (!token) throw new Error('Bot Framework returned no token for the configured MicrosoftAppId');
    },
  };
}

/**
 * CloudAdapter with the two halves of `process` public, so the route can authenticate, then
 * validate, then run the turn, and answer every failure itself: `process` answers a turn error
 * with 500 and the error's own text, and prints its stack to stderr past the bridge's logger.
 */
export class BridgeCloudAdapter extends CloudAdapter {
  /** Check the request's Bot Framework JWT (a no-op with auth off); throws botbuilder's AuthenticationError. */
  authenticate(activity: Activity, authHeader: string): Promise<AuthenticatedRequest> {
    return this.botFrameworkAuthentication.authenticateRequest(activity, authHeader);
  }

  /** Run the turn of an authenticated activity; resolves to the invoke response, if any. */
  runTurn(request: AuthenticatedRequest, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(request, activity, logic);
  }
}

/** ConfigurationBotFrameworkAuthentication whose connector clients neither retry nor wait forever. */
class TunedBotFrameworkAuthentication extends ConfigurationBotFrameworkAuthentication {
  constructor(
    private readonly timeoutMs: number,
    ...rest: ConstructorParameters<typeof ConfigurationBotFrameworkAuthentication>
  ) {
    super(...rest);
  }

  override createConnectorFactory(claimsIdentity: Parameters<ConfigurationBotFrameworkAuthentication['createConnectorFactory']>[0]): ConnectorFactory {
    const inner = super.createConnectorFactory(claimsIdentity);
    const timeoutMs = this.timeoutMs;
    return {
      async create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
        return tuneConnectorClient(await inner.create(serviceUrl, audience), timeoutMs);
      },
    };
  }
}

/**
 * Remove the retry phase from a connector client's pipeline and add a request timeout.
 * The pipeline is private in botbuilder-stdlib's typings, hence the narrow structural access;
 * if a botbuilder upgrade moves it, this fails loudly instead of silently retrying twice.
 */
export function tuneConnectorClient(client: ConnectorClient, timeoutMs: number): ConnectorClient {
  const pipeline = (client as unknown as { client?: { pipeline?: PipelineLike } }).client?.pipeline;
  if (!pipeline) throw new Error('botframework-connector no longer exposes its HTTP pipeline: cannot disable its retries');
  pipeline.removePolicy({ phase: 'Retry' });
  pipeline.addPolicy({
    name: 'channelBridgeTimeout',
    sendRequest: (request, next) => {
      request.timeout = timeoutMs;
      return next(request);
    },
  });
  return client;
}
