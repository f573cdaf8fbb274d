/**
 * The embedded demo bot (`BOT_BACKEND=demo`): lets `npm start` on a fresh machine run the whole
 * loop without bot credentials. Its answers are built as Ultimate sendMessage data and mapped by
 * the same code as real Ultimate webhooks. Like CSML, it answers within `send()`: the reply is
 * queued durably through `BotOutput` before the outbox counts the visitor event as delivered, so
 * a crash in between repeats the event rather than losing the answer, and the outbox's per-key
 * order keeps the answers in the order of the events.
 */
import type { ActionCatalog } from '../../actions/action-registry.js';
import { RequesterProfileAction } from '../../actions/requester-profile-action.js';
import { DeskNotFoundError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { BotBackend, BotEvent, BotOutput } from '../bot-backend.js';
import { toBotMessages } from '../ultimate/to-bot-message.js';
import type { SendMessageData } from '../ultimate/webhook-schema.js';
import {
  demoProfileAction,
  demoReply,
  escalationFailedReply,
  noDeskReply,
  profileFailedReply,
  profileReply,
  type DemoReplyPlan,
} from './demo-reply.js';

/** What the demo bot is built from. */
export interface DemoBotDeps {
  output: BotOutput;
  /**
   * The bridge's actions. When no action named `demoProfile` is configured, the demo bot
   * registers a requester-profile handler under that name, so "profile" works out of the box
   * and an integrator's own `demoProfile` (e.g. an http action) takes precedence.
   */
  actions: ActionCatalog;
  logger: Logger;
}

/** The embedded demo bot. */
export class DemoBot implements BotBackend {
  readonly name = 'demo';

  constructor(private readonly deps: DemoBotDeps) {
    if (!deps.actions.has(demoProfileAction)) {
      deps.actions.register(demoProfileAction, new RequesterProfileAction({ name: demoProfileAction }));
    }
  }

  /** Answer an event; resolves once the answer is handed to the output. The output's errors propagate: the outbox decides about a retry. */
  async send(event: BotEvent): Promise<void> {
    const plan = demoReply(event);
    if (plan.kind === 'silent') return;
    await this.perform(event.conversationId, plan);
  }

  private async perform(conversationId: string, plan: Exclude<DemoReplyPlan, { kind: 'silent' }>): Promise<void> {
    switch (plan.kind) {
      case 'say':
        return this.say(conversationId, plan.messages);
      case 'escalate':
        return this.escalate(conversationId);
      case 'runAction':
        return this.showProfile(conversationId, plan.action);
    }
  }

  private async say(conversationId: string, messages: SendMessageData[]): Promise<void> {
    await this.deps.output.messages(conversationId, messages.flatMap(toBotMessages));
  }

  private async escalate(conversationId: string): Promise<void> {
    try {
      // On success the hand-off itself tells the requester they are queued.
      await this.deps.output.escalate(conversationId);
    } catch (error) {
      if (error instanceof DeskNotFoundError) {
        this.deps.logger.info({ conversationId, reason: error.message }, 'demo bot: escalation refused, no desk can take it');
        return this.say(conversationId, [noDeskReply(conversationId)]);
      }
      this.deps.logger.error({ err: error, conversationId }, 'demo bot: escalation failed');
      return this.say(conversationId, [escalationFailedReply(conversationId)]);
    }
  }

  private async showProfile(conversationId: string, action: string): Promise<void> {
    let reply: SendMessageData;
    try {
      const results = await this.deps.actions.run({ name: action, platformConversationId: conversationId, data: [] });
      reply = profileReply(conversationId, results);
    } catch (error) {
      this.deps.logger.error({ err: error, conversationId, action }, 'demo bot: the profile action failed');
      reply = profileFailedReply(conversationId);
    }
    await this.say(conversationId, [reply]);
  }
}
