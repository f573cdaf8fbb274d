/**
 * The CSML bot backend: sends visitor events to CSML's `POST {apiUrl}/chat`, one attempt per
 * `send`, and hands the synchronous reply to the core through `BotOutput` before `send`
 * resolves, so the reply is queued durably before the outbox counts the event as delivered. See csml-request.ts for what session events
 * become, and csml-to-bot-message.ts for the reply mapping.
 */
import { randomUUID } from 'node:crypto';
import type { BotBackend, BotEvent, BotOutput } from '../bot-backend.js';
import { BotRequestError } from '../../core/errors.js';
import { BotHttpClient, type BotHttpSettings } from '../bot-http-client.js';
import { endpointUrl, type JsonResponse } from '../json-post.js';
import { csmlAuthHeaders, toCsmlRequest } from './csml-request.js';
import { deliverCsmlReply } from './csml-reply.js';
import { csmlChatResponseSchema, type CsmlChatResponse } from './csml-schema.js';

/** What `CsmlBackend` needs; the deadline (default 10 s) and the clock are optional. */
export interface CsmlBackendOptions extends BotHttpSettings {
  /** CSML API base, e.g. https://clients.csml.dev/v1/api; `/chat` is appended. */
  apiUrl: string;
  apiKey: string;
  /** When set, requests carry the signed `X-Api-Key: KEY|TIMESTAMP` and `X-Api-Signature`. */
  apiSecret?: string;
  /** Where the bot's replies go. */
  output: BotOutput;
  /** Flow that startSession triggers; without it startSession sends nothing. */
  welcomeFlowId?: string;
  /**
   * True when the CSML channel has a callback URL pointing at `/csml/callback`: replies then
   * arrive there, and the synchronous answer is not delivered a second time.
   */
  repliesByCallback?: boolean;
  /** Clock for the signature timestamp and for `Retry-After` given as an HTTP date. */
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
    this.url = endpointUrl(options.apiUrl, '/chat');
    this.now = options.now ?? Date.now;
    this.newRequestId = options.newRequestId ?? randomUUID;
    this.client = new BotHttpClient({
      apiName: 'CSML',
      headers: { Accept: 'application/json' },
      timeoutMs: options.timeoutMs,
      hints,
      metrics: options.metrics,
      logger: options.logger,
      now: this.now,
    });
  }

  /** Send one event in one attempt and hand CSML's answer to the output. Throws `BotRequestError`, or the core's error on delivery. */
  async send(event: BotEvent): Promise<void> {
    // A retried event keeps its request id, and its replies are queued once under it.
    const requestId = event.eventId ?? this.newRequestId();
    const body = toCsmlRequest(event, { requestId, welcomeFlowId: this.options.welcomeFlowId });
    if (!body) {
      this.options.logger.debug({ conversationId: event.conversationId, event: event.type }, 'CSML has no counterpart for this event; nothing sent');
      return;
    }
    // The signature's timestamp is taken now: a retry by the outbox builds a fresh one.
    const headers = csmlAuthHeaders({ apiKey: this.options.apiKey, apiSecret: this.options.apiSecret }, this.now());
    const reply = await this.client.post(event.type, { conversationId: event.conversationId, url: this.url, data: body, headers }, readCsmlReply);
    if (this.options.repliesByCallback) return;
    await deliverCsmlReply(this.options.output, event.conversationId, reply, this.options.logger, requestId);
  }
}

/** CSML's answer, checked: a reply that does not match seed 001, or a refused user, is final. */
function readCsmlReply(response: JsonResponse): CsmlChatResponse {
  const parsed = csmlChatResponseSchema.safeParse(response.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.map(String).join('.') || 'body';
    throw new BotRequestError('bot_request_failed', `CSML answered with an unexpected reply at ${where}: ${issue?.message ?? 'invalid'}`, { retryable: false, status: response.status });
  }
  if (parsed.data.is_authorized === false) {
    throw new BotRequestError('bot_forbidden', "CSML answered is_authorized=false: this user may not chat with the bot; check the bot's authentication settings in CSML Studio", {
      retryable: false,
      status: response.status,
    });
  }
  return parsed.data;
}
