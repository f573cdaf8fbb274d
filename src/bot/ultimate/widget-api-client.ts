/**
 * Ultimate's widget API, the requester side of a widget escalation: agent replies and hand-off
 * notices go to `POST {ULTIMATE_API_URL}/agent/converse/send-message-to-widget`. The outbox's
 * `widget` destination calls `send` once per attempt and owns the retries, so this client makes
 * one attempt under a whole-request deadline and says in its `DeliveryError` whether a retry may help.
 */
import type { BotMessage, HandoffNotice } from '../../core/bot-message.js';
import { summarizeMessage } from '../../core/bot-message.js';
import { DeliveryError } from '../../core/errors.js';
import type { WidgetSender } from '../../core/requester-delivery.js';
import { parseRetryAfterMs } from '../../core/retry-after.js';
import { TransportError } from '../../http/outbound-post.js';
import { endpointUrl, isRetryableStatus, postJson } from '../json-post.js';

/** Widget event types. */
export type WidgetEventType = 'message' | 'escalationSuccess' | 'escalationFailed' | 'escalationQueueUpdate' | 'agentDisconnect';

/** The body of one widget API call. */
export interface WidgetRequest {
  platformConversationId: string;
  eventType: WidgetEventType;
  text?: string;
  agent?: string;
  agentAvatar?: string;
  queuePosition?: number;
  /** Expected wait in seconds. */
  waitingTime?: number;
}

/** Settings of the widget API. */
export interface WidgetApiClientOptions {
  /** The Chat API base (`ULTIMATE_API_URL`); the widget path is appended. */
  apiUrl: string;
  /** Sent as `Authorization`. */
  apiKey: string;
  /** Sent as `botid`. */
  botId: string;
  /** Deadline of one whole request; default 10 s. */
  timeoutMs?: number;
  /** Clock for `Retry-After` given as an HTTP date. */
  now?: () => number;
}

/** Default deadline of one whole widget API request. */
export const defaultWidgetTimeoutMs = 10_000;

const noticeEvents: Record<HandoffNotice['kind'], WidgetEventType> = {
  queued: 'escalationQueueUpdate',
  joined: 'escalationSuccess',
  resolved: 'agentDisconnect',
  returned: 'agentDisconnect',
  failed: 'escalationFailed',
};

/**
 * Map a queued message to a widget API request. Pure. A hand-off notice becomes the widget's own
 * event (the widget shows queue and agent status itself, so only a failure keeps its text); any
 * other message is a `message` with its text, as the agent who wrote it.
 */
export function toWidgetRequest(conversationId: string, message: BotMessage): WidgetRequest {
  const notice = message.kind === 'text' ? message.notice : undefined;
  const request: WidgetRequest = { platformConversationId: conversationId, eventType: notice ? noticeEvents[notice.kind] : 'message' };
  if (!notice || notice.kind === 'failed') request.text = summarizeMessage(message);
  const agent = notice?.agent ?? message.sender;
  if (agent) {
    request.agent = agent.name;
    if (agent.avatarUrl) request.agentAvatar = agent.avatarUrl;
  }
  if (notice?.queuePosition !== undefined) request.queuePosition = notice.queuePosition;
  // Whole seconds: the widget shows the number as it is.
  if (notice?.waitingTime !== undefined) request.waitingTime = Math.max(0, Math.round(notice.waitingTime));
  return request;
}

/** Sends messages and notices to Ultimate's widget, one attempt per call. */
export class WidgetApiClient implements WidgetSender {
  private readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(options: WidgetApiClientOptions) {
    this.url = endpointUrl(options.apiUrl, '/agent/converse/send-message-to-widget');
    this.headers = { Authorization: options.apiKey, botid: options.botId };
    this.timeoutMs = options.timeoutMs ?? defaultWidgetTimeoutMs;
    this.now = options.now ?? Date.now;
  }

  /** Send one message or notice to the widget conversation; throws `DeliveryError`. */
  async send(conversationId: string, message: BotMessage): Promise<void> {
    let status: number;
    let retryAfter: unknown;
    try {
      const response = await postJson(this.url, toWidgetRequest(conversationId, message), { headers: this.headers, timeoutMs: this.timeoutMs });
      if (response.status >= 200 && response.status < 300) return;
      status = response.status;
      retryAfter = response.headers['retry-after'];
    } catch (error) {
      throw this.transportError(error);
    }
    const retryable = isRetryableStatus(status);
    // The cause names the status only: the request's headers hold the API key.
    throw new DeliveryError(`Ultimate widget API answered ${status}`, {
      retryable,
      retryAfterMs: retryable ? parseRetryAfterMs(retryAfter, this.now()) : undefined,
      platformCode: String(status),
      cause: new Error(`HTTP ${status}`),
    });
  }

  private transportError(error: unknown): DeliveryError {
    if (!(error instanceof TransportError)) {
      // Node refused to build the request (an invalid header character); its message may quote a header.
      return new DeliveryError('The Ultimate widget API request could not be built', { retryable: false, platformCode: 'request_invalid', cause: new Error(error instanceof Error ? error.name : 'unknown failure') });
    }
    const message = error.timedOut ? `Ultimate widget API did not answer within ${this.timeoutMs} ms` : `Ultimate widget API unreachable (${error.code})`;
    return new DeliveryError(message, { retryable: error.retryable, platformCode: error.code, cause: new Error(error.code) });
  }
}
