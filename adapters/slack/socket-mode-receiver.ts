/**
 * Socket Mode with the HTTP path's guarantee: an envelope is acknowledged only after Bolt has
 * processed it, so an acked event is journalled. Bolt's own SocketModeReceiver acks an Events API
 * envelope before the listeners run (App.processEvent acks events at once), and an event lost to
 * a crash right after that ack is never delivered again. Here the ack Bolt calls only records
 * the response; the envelope is acked with it once processing resolved. When processing fails
 * (the store could not journal the event, say) nothing is acked: Slack delivers the envelope again
 * (with `retry_attempt`), and the dedupe on event_id makes the retry safe, as over HTTP.
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
  body: Record<string, unknown>;
  retry_num?: number;
  retry_reason?: string;
}

/** A Bolt receiver over Slack's Socket Mode that acks each envelope after it was processed. */
export class AckAfterProcessingReceiver implements Receiver {
  readonly client: SocketModeClient;
  private app?: App;

  constructor(private readonly options: SocketModeReceiverOptions) {
    this.client = new SocketModeClient({ appToken: options.appToken, logger: sdkLogger(options.logger), clientOptions: options.clientOptions });
    this.client.on('slack_event', (envelope: SocketEnvelope) => {
      this.process(envelope).catch((error: unknown) => options.logger.warn({ err: error }, 'Socket Mode acknowledgement failed; Slack delivers the envelope again'));
    });
  }

  init(app: App): void {
    this.app = app;
  }

  start(): Promise<unknown> {
    return this.client.start();
  }

  stop(): Promise<unknown> {
    return this.client.disconnect();
  }

  private async process(envelope: SocketEnvelope): Promise<void> {
    let acked = false;
    let response: Record<string, unknown> | undefined;
    const event: ReceiverEvent = {
      body: envelope.body,
      retryNum: envelope.retry_num,
      retryReason: envelope.retry_reason,
      ack: async (body?: unknown) => {
        acked = true;
        response = body as Record<string, unknown> | undefined;
      },
    };
    try {
      if (!this.app) throw new Error('the Socket Mode receiver was started before Bolt initialised it');
      await this.app.processEvent(event);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'Socket Mode envelope not acknowledged: processing failed, Slack delivers it again');
      return;
    }
    if (acked) await envelope.ack(response);
  }
}
