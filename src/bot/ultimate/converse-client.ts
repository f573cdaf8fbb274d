/**
 * The Ultimate (Zendesk AI agents) bot backend: sends visitor events to the Chat API's
 * `POST {apiUrl}/converse/chat`. Ultimate only acknowledges here; its answers arrive on the
 * Chat webhook (webhook-routes.ts).
 */
import type { BotBackend, BotEvent } from '../bot-backend.js';
import type { Logger } from '../../core/logger.js';
import type { Metrics } from '../../core/metrics.js';
import { createBotHttpClient, type BotHttpClient, type BotHttpTuning } from '../http-retry.js';
import { toConverseRequest } from './converse-request.js';

/** What `UltimateBackend` needs; the timeout and retry settings are optional. */
export interface UltimateBackendOptions extends BotHttpTuning {
  /** Chat API base, e.g. https://api.ultimate.ai; `/converse/chat` is appended. */
  apiUrl: string;
  /** Sent as `Authorization`. */
  apiKey: string;
  /** Sent as `botid`. */
  botId: string;
  metrics: Metrics;
  logger: Logger;
}

/** Causes of 401/403/404 as seed 003's status table gives them. */
const hints = {
  401: 'Ultimate answered 401 Unauthorized: the API key or bot id was refused; check ULTIMATE_API_KEY and ULTIMATE_BOT_ID',
  403: 'Ultimate answered 403 Forbidden: the bot is not using the Custom CRM integration; enable Custom CRM for this bot in the Ultimate dashboard',
  404: 'Ultimate answered 404 Not Found: check ULTIMATE_BOT_ID and ULTIMATE_API_URL (the request goes to {url})',
};

/** Sends visitor events to Ultimate's Converse endpoint. */
export class UltimateBackend implements BotBackend {
  readonly name = 'ultimate';
  private readonly client: BotHttpClient;
  private readonly url: string;

  constructor(options: UltimateBackendOptions) {
    this.url = `${options.apiUrl.replace(/\/+$/, '')}/converse/chat`;
    // Redirects are never followed: they would resend the key elsewhere.
    const headers = { Authorization: options.apiKey, botid: options.botId };
    const fixed = { backend: this.name, apiName: 'Ultimate', headers, metrics: options.metrics, logger: options.logger };
    this.client = createBotHttpClient({ ...fixed, hints: { ...hints, 404: hints[404].replace('{url}', this.url) } }, options);
  }

  /** Send one event; resolves on Ultimate's 200 acknowledgement. Throws `BotRequestError`. */
  async send(event: BotEvent): Promise<void> {
    const body = toConverseRequest(event);
    await this.client.post(event.type, () => ({ url: this.url, data: body }));
  }
}
