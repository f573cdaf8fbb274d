/**
 * Chooses the bot backend from `BOT_BACKEND` and builds the bot-side HTTP routes (Ultimate's
 * Chat and Actions webhooks, the CSML callback).
 */
import type { FrontRoute } from '../http/front-route.js';
import type { ActionCatalog } from '../actions/action-registry.js';
import type { BridgeConfig } from '../config/bridge-config.js';
import type { Env } from '../config/env.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import type { BotBackend, BotOutput, WidgetOutput } from './bot-backend.js';
import { CsmlBackend } from './csml/csml-backend.js';
import { csmlCallbackRoute } from './csml/csml-callback-route.js';
import { DemoBot } from './demo/demo-bot.js';
import { UltimateBackend } from './ultimate/ultimate-backend.js';
import { ultimateWebhookRoutes } from './ultimate/webhook-routes.js';

/** What a backend is built from. */
export interface BackendFactoryDeps {
  env: Env;
  config: BridgeConfig;
  output: BotOutput;
  actions: ActionCatalog;
  logger: Logger;
  metrics: Metrics;
}

/** The backend `BOT_BACKEND` names; `loadEnv` has already checked its credentials. */
export function createBotBackend({ env, config, output, actions, logger, metrics }: BackendFactoryDeps): BotBackend {
  const backendLogger = logger.child({ backend: env.botBackend });
  switch (env.botBackend) {
    case 'ultimate':
      return new UltimateBackend({ apiUrl: env.ultimate.apiUrl, apiKey: env.ultimate.apiKey!, botId: env.ultimate.botId!, metrics, logger: backendLogger });
    case 'csml':
      return new CsmlBackend({
        apiUrl: env.csml.apiUrl,
        apiKey: env.csml.apiKey!,
        apiSecret: env.csml.apiSecret,
        welcomeFlowId: config.csml.welcomeFlowId,
        repliesByCallback: config.csml.repliesByCallback,
        output,
        metrics,
        logger: backendLogger,
      });
    case 'demo':
      return new DemoBot({ output, actions, logger: backendLogger });
  }
}

/**
 * The bot-side routes, only with `WEBHOOK_TOKEN` (fail closed, DESIGN.md 5.5): Ultimate's webhooks
 * for every backend (widget escalations need them too), the CSML callback for CSML. Without a
 * token (possible only with the demo bot, `loadEnv` refuses it otherwise) none is mounted and the
 * paths answer 404.
 */
export function createBotRoutes(deps: BackendFactoryDeps & { widget: WidgetOutput }): FrontRoute[] {
  const { env, output, widget, actions, logger, metrics } = deps;
  const webhookToken = env.webhookToken;
  if (!webhookToken) {
    logger.info('WEBHOOK_TOKEN is not set: the bot webhook routes are not mounted');
    return [];
  }
  const routes = ultimateWebhookRoutes({ webhookToken, output, widget, actions, logger, metrics });
  if (env.botBackend === 'csml') routes.push(csmlCallbackRoute({ webhookToken, output, logger, metrics }));
  return routes;
}
