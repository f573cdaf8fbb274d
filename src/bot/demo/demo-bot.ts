/**
 * The embedded demo bot (`BOT_BACKEND=demo`): lets `npm start` on a fresh machine run the whole
 * loop without bot credentials. It behaves like a real bot backend: `send()` only accepts the
 * event, and the answer arrives afterwards through `BotOutput`, built as Ultimate sendMessage
 * data and mapped by the same code as real Ultimate webhooks.
 */
import type { ActionCatalog } from '../../actions/action-registry.js';
import { RequesterProfileAction } from '../../actions/requester-profile-action.js';
import { DeskNotFoundError } from '../../core/errors.js';
import { KeyedSerializer } from '../../core/keyed-serializer.js';
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
  /** Runs a reply after `send()` has resolved; `setImmediate` by default (no delay, so tests stay deterministic). */
  defer?: (task: () => void) => void;
}

/** The embedded demo bot. */
export class DemoBot implements BotBackend {
  readonly name = 'demo';
  private readonly serializer = new KeyedSerializer();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly defer: (task: () => void) => void;

  constructor(private readonly deps: DemoBotDeps) {
    this.defer = deps.defer ?? ((task) => setImmediate(task));
    if (!deps.actions.has(demoProfileAction)) {
      deps.actions.register(demoProfileAction, new RequesterProfileAction({ name: demoProfileAction }));
    }
  }

  /** Accept an event; the bot's answer follows through the output, in order per conversation. */
  async send(event: BotEvent): Promise<void> {
    const plan = demoReply(event);
    if (plan.kind === 'silent') return;
    const reply = this.serializer
      .run(event.conversationId, async () => {
        await new Promise<void>((resolve) => this.defer(resolve));
        await this.perform(event.conversationId, plan);
      })
      .catch((error: unknown) => {
        this.deps.logger.error({ err: error, conversationId: event.conversationId }, 'the demo bot could not hand its reply to the bridge');
      });
    this.inFlight.add(reply);
    void reply.finally(() => this.inFlight.delete(reply));
  }

  /** Resolves once every reply accepted so far has been handed to the output (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
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
