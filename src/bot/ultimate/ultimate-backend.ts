/**
 * The Ultimate (Zendesk AI agents) bot backend: sends visitor events to the Chat API's
 * `POST {apiUrl}/converse/chat`, one attempt per `send`. Ultimate only acknowledges here; its
 * answers arrive on the Chat webhook (webhook-routes.ts).
 */
import type { BotBackend, BotEvent } from '../bot-backend.js';
import { BotHttpClient, type BotHttpSettings } from '../bot-http-client.js';
import { endpointUrl } from '../json-post.js';
import { toConverseRequest } from './converse-request.js';

/** What `UltimateBackend` needs; the deadline (default 10 s) and the clock are optional. */
export interface UltimateBackendOptions extends BotHttpSettings {
  /** Chat API base, e.g. https://api.ultimate.ai; `/converse/chat` is appended. */
  apiUrl: string;
  /** Sent as `Authorization`. */
  apiKey: string;
  /** Sent as `botid`. */
  botId: string;
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
    this.url = endpointUrl(options.apiUrl, '/converse/chat');
    this.client = new BotHttpClient({
      apiName: 'Ultimate',
      headers: { Authorization: options.apiKey, botid: options.botId },
      timeoutMs: options.timeoutMs,
      hints,
      metrics: options.metrics,
      logger: options.logger,
      now: options.now,
    });
  }

  /** Send one event in one attempt; resolves on Ultimate's 2xx acknowledgement. Throws `BotRequestError`. */
  async send(event: BotEvent): Promise<void> {
    // Ultimate's acknowledgement carries nothing the bridge needs: the answers come by webhook.
    await this.client.post(event.type, { conversationId: event.conversationId, url: this.url, data: toConverseRequest(event) }, () => undefined);
  }
}
