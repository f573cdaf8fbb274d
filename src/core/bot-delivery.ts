/**
 * The `bot` destination: carries out journalled visitor events (resolve the conversation, then
 * send to the bot, or relay to the agents while escalated) and the bridge's own bot events (the
 * `endSession` after a hand-off). Steps that must not repeat on a retry (creating the
 * conversation, writing the transcript) are recorded as the entry's progress.
 */
import type { BotBackend, BotEvent } from '../bot/bot-backend.js';
import type { ChannelAdapter } from './channel-adapter.js';
import type { ConversationRegistry } from './conversations.js';
import { BotRequestError } from './errors.js';
import type { Handoff } from './handoff/handoff.js';
import type { Logger } from './logger.js';
import type { AttemptContext, DestinationHandler } from './outbox/destination-handler.js';
import { asJson, type BotEntry, type Outbox } from './outbox/outbox.js';
import { requesterMetaData } from './requester-metadata.js';
import type { Transcripts } from './transcripts.js';
import type { VisitorEvent } from './visitor-event.js';
import type { ConversationRecord, OutboxEntry } from '../store/store.js';

/** What the bot destination needs. */
export interface BotDeliveryDeps {
  backend: BotBackend;
  conversations: ConversationRegistry;
  transcripts: Transcripts;
  handoff: Pick<Handoff, 'requesterMessage' | 'requesterEnded'>;
  outbox: Outbox;
  /** Enabled adapters by channel, for full requester profiles of new conversations. */
  adapters: ReadonlyMap<string, Pick<ChannelAdapter, 'requesterProfile'>>;
  logger: Logger;
}

/** What a visitor entry's earlier attempts got done. */
interface VisitorProgress {
  conversationId: string;
  /** The conversation was created by this event: its bot event carries the requester's profile. */
  isNew: boolean;
  /** The requester's words are in the transcript. */
  transcribed?: boolean;
  /** The bot accepted the `endSession`. */
  botEnded?: boolean;
}

/** A visitor entry's conversation and what its attempts got done. */
interface Resolved {
  progress: VisitorProgress;
  record: ConversationRecord;
}

/** What a requester reads when the bot cannot be reached. */
export const unavailableNotice = 'Sorry, the assistant is not reachable right now. Please try again in a few minutes.';

/** The handler of the `bot` destination. */
export class BotDelivery implements DestinationHandler {
  constructor(private readonly deps: BotDeliveryDeps) {}

  /** Bot calls are counted under the backend's name. */
  platformOf(): string {
    return this.deps.backend.name;
  }

  async deliver(entry: OutboxEntry, attempt: AttemptContext): Promise<void> {
    const payload = entry.payload as unknown as BotEntry;
    const eventId = BotDelivery.eventIdOf(entry);
    if (payload.kind === 'endSession') return this.endBotSession(payload.conversationId, eventId);
    const { event } = payload;
    switch (event.action.kind) {
      case 'startSession':
        return this.startSession(event, attempt, eventId);
      case 'endSession':
        return this.endSession(event, attempt, eventId);
      case 'message':
        return this.message(entry, event, attempt);
    }
  }

  /** The bot could not be reached for `BOT_RETRY_MINUTES`, or refused: tell the requester, once per outage. */
  async onGiveUp(entry: OutboxEntry): Promise<void> {
    const payload = entry.payload as unknown as BotEntry;
    if (payload.kind !== 'visitor' || payload.event.action.kind === 'endSession') return;
    const progress = entry.progress as unknown as VisitorProgress | undefined;
    const conversation = progress ? await this.deps.conversations.get(progress.conversationId) : await this.deps.conversations.findLive(payload.event.address.channel, payload.event.address.key);
    if (!conversation) return;
    await this.deps.outbox.toRequester(conversation, [{ kind: 'text', text: unavailableNotice, buttons: [] }], `unreachable:${conversation.id}`);
  }

  private async startSession(event: VisitorEvent, attempt: AttemptContext, eventId: string): Promise<void> {
    // An opening signal for a thread that already talks to the bot must not restart it.
    if (!attempt.progress && (await this.deps.conversations.findLive(event.address.channel, event.address.key))) return;
    const resolved = await this.conversationOf(event, attempt);
    if (!resolved) return;
    const { progress, record } = resolved;
    await this.send({ conversationId: record.id, type: 'startSession', eventId, metaData: progress.isNew ? requesterMetaData(record.requester, record.address.channel) : undefined });
  }

  private async endSession(event: VisitorEvent, attempt: AttemptContext, eventId: string): Promise<void> {
    let progress = attempt.progress as unknown as VisitorProgress | undefined;
    const live = progress ? await this.deps.conversations.get(progress.conversationId) : await this.deps.conversations.findLive(event.address.channel, event.address.key);
    if (!live || live.session === 'ended') return;
    if (!progress) {
      progress = { conversationId: live.id, isNew: false };
      await attempt.saveProgress(asJson(progress));
    }
    if (live.session === 'escalated') await this.deps.handoff.requesterEnded(live);
    if (!progress.botEnded) {
      await this.endBotSession(live.id, eventId);
      // Recorded, so a retry after a failed session write does not end the bot session twice.
      await attempt.saveProgress(asJson({ ...progress, botEnded: true } satisfies VisitorProgress));
    }
    await this.deps.conversations.setSession(live.id, 'ended');
  }

  private async message(entry: OutboxEntry, event: VisitorEvent, attempt: AttemptContext): Promise<void> {
    if (event.action.kind !== 'message') return;
    const { text, cardIndex, payload, clickedConversationId } = event.action;
    if (clickedConversationId) {
      const clicked = await this.deps.conversations.get(clickedConversationId);
      if (!clicked || clicked.session === 'ended') return; // the conversation ended after the click was journalled
    }
    const resolved = await this.conversationOf(event, attempt);
    if (!resolved) return;
    let { progress, record } = resolved;
    if (record.session === 'escalated') {
      // While a human has the conversation, the bot stays out of it.
      progress = await this.transcribe(record, text, progress, attempt);
      if (await this.deps.handoff.requesterMessage(record, text, `relay:${entry.key}:${entry.seq}`)) return;
      // Its ticket closed without the session following: start afresh with the bot rather than drop the message.
      await this.deps.conversations.setSession(record.id, 'ended');
      ({ progress, record } = await this.resolve(event, attempt));
    }
    progress = await this.transcribe(record, text, progress, attempt);
    await this.send({
      conversationId: record.id,
      type: 'message',
      text,
      cardIndex,
      payload,
      metaData: progress.isNew ? requesterMetaData(record.requester, record.address.channel) : undefined,
      eventId: BotDelivery.eventIdOf(entry),
    });
  }

  /** Tell the bot a session is over; a refusal (it no longer knows the session) counts as done. */
  private async endBotSession(conversationId: string, eventId: string): Promise<void> {
    try {
      await this.send({ conversationId, type: 'endSession', eventId });
    } catch (error) {
      if (error instanceof BotRequestError && !error.retryable) {
        // The bot does not know the session any more: it is over either way.
        this.deps.logger.warn({ err: error, conversationId }, 'endSession after the hand-off was refused by the bot');
        return;
      }
      throw error;
    }
  }

  /** The entry's conversation: the one an earlier attempt recorded (undefined if it is gone), else found or created now. */
  private async conversationOf(event: VisitorEvent, attempt: AttemptContext): Promise<Resolved | undefined> {
    const earlier = attempt.progress as unknown as VisitorProgress | undefined;
    if (!earlier) return this.resolve(event, attempt);
    const record = await this.deps.conversations.get(earlier.conversationId);
    return record && { progress: earlier, record };
  }

  /**
   * Find or create the event's conversation. A created one is recorded as the entry's progress at
   * once (a retry would otherwise find it live and lose the profile it must carry); a found one
   * is found again by a retry, so it is recorded with the next step only.
   */
  private async resolve(event: VisitorEvent, attempt: AttemptContext): Promise<Resolved> {
    const adapter = this.deps.adapters.get(event.address.channel);
    const loadProfile = adapter?.requesterProfile ? () => adapter.requesterProfile!(event.address, event.requester) : undefined;
    const { record, isNew } = await this.deps.conversations.resolve(event.address, event.requester, loadProfile);
    const progress: VisitorProgress = { conversationId: record.id, isNew };
    if (isNew) await attempt.saveProgress(asJson(progress));
    return { progress, record };
  }

  private async transcribe(record: ConversationRecord, text: string, progress: VisitorProgress, attempt: AttemptContext): Promise<VisitorProgress> {
    if (progress.transcribed && progress.conversationId === record.id) return progress;
    const next = { ...progress, conversationId: record.id, transcribed: true };
    // The turn and the progress that says it is written are one store step: never twice, never lost.
    await attempt.saveProgress(asJson(next), this.deps.transcripts.turn(record.id, 'requester', text));
    return next;
  }

  private send(event: BotEvent): Promise<void> {
    return this.deps.backend.send(stripUndefined(event));
  }

  /** The bridge's id of the bot event an entry carries: the same on every retry. */
  private static eventIdOf(entry: OutboxEntry): string {
    return `${entry.key}#${entry.seq}`;
  }
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
