/**
 * Socket Mode with the HTTP path's guarantee: an Events API envelope is acknowledged only after
 * Bolt has processed it, so an acked event is journalled. Bolt's own SocketModeReceiver acks such
 * an envelope before the listeners run (App.processEvent acks events at once), and an event lost
 * to a crash right after that ack is never delivered again. Here the ack Bolt calls for an event
 * is held and sent once processing resolved; when processing fails (the store could not journal
 * the event, say) nothing is acked: Slack delivers the envelope again (with `retry_attempt`), and
 * the dedupe on event_id makes the retry safe.
 *
 * Interactivity and slash commands are acked the moment their listener acks, as Bolt does: Slack
 * never redelivers them and wants the ack within 3 seconds, so holding it protects nothing. An
 * envelope no listener acked (a type Bolt cannot tell, an interaction without a listener) is
 * acked empty once processed, as the HTTP route answers them. The first ack answers, as in Bolt.
 */
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { SocketModeClient, type SocketModeOptions } from '@slack/socket-mode';
import type { Logger } from '../../src/core/logger.js';
import { sdkLogger } from './web-client.js';

/** What the receiver needs. */
export interface SocketModeReceiverOptions {
  appToken: string;
  logger: Logger;
  /** Options of the client that opens the socket (apps.connections.open: API URL, retries). */
  clientOptions: SocketModeOptions['clientOptions'];
}

/** The `slack_event` the socket-mode client emits for each envelope. */
interface SocketEnvelope {
  ack: (response?: Record<string, unknown>) => Promise<void>;
  /** `events_api`, `interactive` or `slash_commands`. */
  type: string;
  body: Record<string, unknown>;
  retry_num?: number;
  retry_reason?: string;
}

/** A Bolt receiver over Slack's Socket Mode that acks each envelope after it was processed. */
export class AckAfterProcessingReceiver implements Receiver {
  private readonly client: SocketModeClient;
  private app?: App;

  constructor(private readonly options: SocketModeReceiverOptions) {
    this.client = new SocketModeClient({ appToken: options.appToken, logger: sdkLogger(options.logger), clientOptions: options.clientOptions });
    this.client.on('slack_event', (envelope: SocketEnvelope) => {
      this.process(envelope).catch((error: unknown) => options.logger.warn({ err: error, type: envelope.type }, 'Socket Mode acknowledgement failed (an Events API envelope is delivered again)'));
    });
  }

  init(app: App): void {
    this.app = app;
  }

  start(): Promise<unknown> {
    return this.client.start();
  }

  /** Close the socket without waiting for Slack's side of the close, as Bolt's receiver does. */
  async stop(): Promise<void> {
    this.client.disconnect().catch((error: unknown) => this.options.logger.warn({ err: error }, 'Socket Mode disconnect failed'));
  }

  private async process(envelope: SocketEnvelope): Promise<void> {
    const holdAck = envelope.type === 'events_api';
    let acked = false;
    let held: Record<string, unknown> | undefined;
    const ack = async (response?: unknown) => {
      if (acked) return;
      acked = true;
      if (holdAck) held = response as Record<string, unknown> | undefined;
      else await envelope.ack(response as Record<string, unknown> | undefined);
    };
    const event: ReceiverEvent = { body: envelope.body, retryNum: envelope.retry_num, retryReason: envelope.retry_reason, ack };
    try {
      if (!this.app) throw new Error('the Socket Mode receiver was started before Bolt initialised it');
      await this.app.processEvent(event);
    } catch (error) {
      // Bolt's error handler (adapters/slack/index.ts) has logged the failure.
      if (holdAck) this.options.logger.warn({ err: error, retryNum: envelope.retry_num ?? 0 }, 'Socket Mode event not acknowledged; Slack delivers it again');
      return;
    }
    if (holdAck) await envelope.ack(held);
    else if (!acked) await envelope.ack();
  }
}
