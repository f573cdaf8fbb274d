/**
 * The CSML bot backend: sends visitor events to CSML's `POST {apiUrl}/chat` and hands the
 * synchronous reply to the core through `BotOutput`. See csml-request.ts for what session events
 * become, and csml-to-bot-message.ts for the reply mapping.
 */
import { randomUUID } from 'node:crypto';
import type { BotBackend, BotEvent, BotOutput } from '../bot-backend.js';
import { BotRequestError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Metrics } from '../../core/metrics.js';
import { createBotHttpClient, type BotHttpClient, type BotHttpTuning } from '../http-retry.js';
import { csmlAuthHeaders, toCsmlRequest } from './csml-request.js';
import { deliverCsmlReply } from './csml-reply.js';
import { csmlChatResponseSchema } from './csml-schema.js';

/** What `CsmlBackend` needs; the timeout and retry settings are optional. */
export interface CsmlBackendOptions extends BotHttpTuning {
  /** CSML API base, e.g. https://clients.csml.dev/v1/api; `/chat` is appended. */
  apiUrl: string;
  apiKey: string;
  /** When set, requests carry the signed `X-Api-Key: KEY|TIMESTAMP` and `X-Api-Signature`. */
  apiSecret?: string;
  /** Where the bot's replies go. */
  output: BotOutput;
  metrics: Metrics;
  logger: Logger;
  /** Flow that startSession triggers; without it startSession sends nothing. */
  welcomeFlowId?: string;
  /**
   * True when the CSML channel has a callback URL pointing at `/csml/callback`: replies then
   * arrive there, and the synchronous answer is not delivered a second time.
   */
  repliesByCallback?: boolean;
  /** Clock for the signature timestamp. */
  now?: () => number;
  /** Source of `request_id`s. */
  newRequestId?: () => string;
}

/** Causes of 401/403/404 for CSML. */
const hints = {
  401: 'CSML answered 401 Unauthorized: the API key was refused; check CSML_API_KEY (and CSML_API_SECRET and the clock when requests are signed)',
  403: 'CSML answered 403 Forbidden: the key may not use the Chat API of this bot or channel; check the API channel in CSML Studio',
  404: 'CSML answered 404 Not Found: check CSML_API_URL (the request goes to {url})',
};

/** Talks to a CSML bot through the Chat API. */
export class CsmlBackend implements BotBackend {
  readonly name = 'csml';
  private readonly client: BotHttpClient;
  private readonly url: string;
  private readonly now: () => number;
  private readonly newRequestId: () => string;

  constructor(private readonly options: CsmlBackendOptions) {
    this.url = `${options.apiUrl.replace(/\/+$/, '')}/chat`;
    this.now = options.now ?? Date.now;
    this.newRequestId = options.newRequestId ?? randomUUID;
    // Redirects would resend the key elsewhere.
    const fixed = { backend: this.name, apiName: 'CSML', headers: { Accept: 'application/json' }, metrics: options.metrics, logger: options.logger };
    this.client = createBotHttpClient({ ...fixed, hints: { ...hints, 404: hints[404].replace('{url}', this.url) } }, options);
  }

  /** Send one event and deliver CSML's answer. Throws `BotRequestError`, or the core's error on delivery. */
  async send(event: BotEvent): Promise<void> {
    const body = toCsmlRequest(event, { requestId: this.newRequestId(), welcomeFlowId: this.options.welcomeFlowId });
    if (!body) {
      this.options.metrics.botRequests.inc({ backend: this.name, event: event.type, outcome: 'not_sent' });
      this.options.logger.debug({ event: event.type }, 'CSML has no counterpart for this event; nothing sent');
      return;
    }
    const credentials = { apiKey: this.options.apiKey, apiSecret: this.options.apiSecret };
    // Headers are built per attempt: a retried signed request needs a fresh timestamp.
    const response = await this.client.post(event.type, () => ({ url: this.url, data: body, headers: csmlAuthHeaders(credentials, this.now()) }));
    const parsed = csmlChatResponseSchema.safeParse(response.data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.map(String).join('.') || 'body';
      throw new BotRequestError('bot_request_failed', `CSML answered with an unexpected reply at ${where}: ${issue?.message ?? 'invalid'}`, { retryable: false });
    }
    if (parsed.data.is_authorized === false) {
      throw new BotRequestError('bot_forbidden', 'CSML answered is_authorized=false: this user may not chat with the bot; check the bot\'s authentication settings in CSML Studio', { retryable: false });
    }
    if (this.options.repliesByCallback) return;
    await deliverCsmlReply(this.options.output, event.conversationId, parsed.data, this.options.logger);
  }
}
