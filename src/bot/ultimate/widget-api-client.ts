/**
 * The requester side of a widget escalation: Ultimate's chat widget, reached through
 * `POST {ULTIMATE_API_URL}/agent/converse/send-message-to-widget`. It is a channel adapter for
 * the delivery loop, so agent replies and notices reach the widget in order and with retries.
 */
import axios, { type AxiosInstance, isAxiosError } from 'axios';
import type { BotMessage } from '../../core/bot-message.js';
import type { ChannelAdapter } from '../../core/channel-adapter.js';
import { DeliveryError } from '../../core/errors.js';
import type { ChannelAddress } from '../../core/visitor-event.js';
import { summarizeMessage } from '../../core/bot-message.js';

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
  waitingTime?: number;
}

/** Settings of the widget API. */
export interface WidgetChannelOptions {
  apiUrl: string;
  apiKey: string;
  botId: string;
  timeoutMs?: number;
}

const noticeEvents: Record<NonNullable<Extract<BotMessage, { kind: 'text' }>['notice']>['kind'], WidgetEventType> = {
  queued: 'escalationQueueUpdate',
  joined: 'escalationSuccess',
  resolved: 'agentDisconnect',
  failed: 'escalationFailed',
};

/** Map a queued message to a widget API request. Pure. */
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
  if (notice?.waitingTime !== undefined) request.waitingTime = notice.waitingTime;
  return request;
}

/** The widget as a delivery channel. */
export class WidgetChannel implements ChannelAdapter {
  readonly channel = 'widget';
  private readonly http: AxiosInstance;

  constructor(options: WidgetChannelOptions) {
    this.http = axios.create({
      baseURL: options.apiUrl,
      timeout: options.timeoutMs ?? 10_000,
      headers: { Authorization: options.apiKey, botid: options.botId, 'Content-Type': 'application/json' },
    });
  }

  /** Send one message or notice to the widget. */
  async deliver(address: ChannelAddress, message: BotMessage): Promise<void> {
    try {
      await this.http.post('/agent/converse/send-message-to-widget', toWidgetRequest(address.key, message));
    } catch (error) {
      throw widgetDeliveryError(error);
    }
  }
}

function widgetDeliveryError(error: unknown): DeliveryError {
  if (!isAxiosError(error) || !error.response) {
    return new DeliveryError('Ultimate widget API unreachable', { retryable: true, platformCode: isAxiosError(error) ? error.code : undefined, cause: error });
  }
  const status = error.response.status;
  const retryAfter = Number(error.response.headers['retry-after']);
  return new DeliveryError(`Ultimate widget API answered ${status}`, {
    retryable: status === 429 || status >= 500,
    retryAfterMs: Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined,
    platformCode: String(status),
    cause: error,
  });
}
