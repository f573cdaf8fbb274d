/**
 * Requester events: direct messages, mentions, replies in threads the bridge is in, and the
 * Messages tab opening. They classify (pure), decide about unknown threads (the core knows), and
 * hand the core one VisitorEvent with Slack's event_id for its dedupe; Slack's retries are not
 * dropped here, since a first delivery may only ever arrive as a retry. Messages and mentions
 * come over HTTP through the hot path (`hotEventHandler`, ahead of Bolt), in Socket Mode through
 * Bolt's listeners; both end in the same `onEvent`.
 */
import type { App, Context } from '@slack/bolt';
import { assertNever } from '../../src/core/bot-message.js';
import type { InboundSink } from '../../src/core/channel-adapter.js';
import type { Logger } from '../../src/core/logger.js';
import type { Metrics } from '../../src/core/metrics.js';
import { classifyHomeOpened, classifyMention, classifyMessageEvent, type ClassifyContext, type Classified, type InboundMessage } from './inbound-classify.js';
import type { RememberedKeys } from './remembered-keys.js';
import { authorizeEvent, isOwnEvent, type EventAuthority } from './event-authorization.js';
import type { HotEventHandler } from './request-guard.js';
import { workspaceOfContext } from './slack-tokens.js';
import type { SlackUsers } from './slack-users.js';
import { isDirectMessageChannel, threadKey, type SlackThread } from './thread-address.js';
import { visitorEvent } from './visitor-events.js';

/** The desk side's say over ticket threads: messages there belong to the agents, not the bot. */
export interface TicketThreadRelay {
  /** Relay the message when its thread is a ticket thread; true when it was one. */
  relay(message: InboundMessage, eventId: string | undefined): Promise<boolean>;
  /** Whether a thread is a ticket thread. */
  isTicketThread(thread: SlackThread): Promise<boolean>;
}

/** What the listeners need. */
export interface InboundDeps {
  sink: InboundSink;
  users: SlackUsers;
  /** Threads the bridge is in. */
  threads: RememberedKeys;
  logger: Logger;
  metrics: Metrics;
  tickets?: TicketThreadRelay;
}

type Classifier = (event: unknown, context: ClassifyContext) => Classified;

/**
 * Register the requester-side event listeners with Bolt: the Messages tab always, messages and
 * mentions only when they do not come through the hot path (Socket Mode).
 */
export function registerInbound(app: App, deps: InboundDeps, { hotPath }: { hotPath: boolean }): void {
  if (!hotPath) {
    app.event('message', ({ event, body, context }) => onEvent(deps, classifyMessageEvent, event, { eventId: body.event_id, context: classifyContextOf(context) }));
    app.event('app_mention', ({ event, body, context }) => onEvent(deps, classifyMention, event, { eventId: body.event_id, context: classifyContextOf(context) }));
  }
  app.event('app_home_opened', ({ event, body, context }) => onEvent(deps, classifyHomeOpened, event, { eventId: body.event_id, context: classifyContextOf(context) }));
}

/** The hot path's handler of a signed `message` or `app_mention` body: authorised as Bolt would, then the same `onEvent`. */
export function hotEventHandler(deps: InboundDeps, authority: EventAuthority): HotEventHandler {
  return async (body) => {
    const eventId = typeof body.event_id === 'string' ? body.event_id : undefined;
    const authorization = await authorizeEvent(body, authority);
    if (!authorization) return ignored(deps, 'workspace without an installation', eventId);
    const event = body.event as Record<string, unknown>;
    if (isOwnEvent(event, authorization)) return; // dropped unseen, as Bolt's ignoreSelf does
    return onEvent(deps, event.type === 'app_mention' ? classifyMention : classifyMessageEvent, event, { eventId, context: authorization.context });
  };
}

/**
 * Who the bridge is where the event happened, from Bolt's authorize: the event's workspace (and
 * org), and the bot user of the token that serves it.
 */
function classifyContextOf(context: Context): ClassifyContext {
  const { team, enterprise } = workspaceOfContext(context);
  const result: ClassifyContext = { teamId: team, botUserId: context.botUserId ?? '' };
  if (enterprise) result.enterpriseId = enterprise;
  return result;
}

/** Count and log an event the bridge does not act on. */
export function ignored(deps: Pick<InboundDeps, 'logger' | 'metrics'>, reason: string, eventId: string | undefined): void {
  deps.metrics.eventsIn.inc({ platform: 'slack', type: 'ignored' });
  deps.logger.debug({ requestId: eventId, reason, eventId }, 'Slack event ignored');
}

async function onEvent(deps: InboundDeps, classify: Classifier, event: unknown, { eventId, context }: { eventId: string | undefined; context: ClassifyContext }): Promise<void> {
  const decision = classify(event, context);
  switch (decision.kind) {
    case 'ignore':
      return ignored(deps, decision.reason, eventId);
    case 'open':
      return open(deps, decision, eventId);
    case 'message':
      return message(deps, decision.message, eventId);
    default:
      return assertNever(decision);
  }
}

async function message(deps: InboundDeps, inbound: InboundMessage, eventId: string | undefined): Promise<void> {
  if (!inbound.isDm && deps.tickets && (await deps.tickets.relay(inbound, eventId))) return;
  const key = threadKey(inbound.thread);
  if (inbound.needsKnownThread && !(await deps.threads.has(key))) return ignored(deps, 'reply in a thread the bridge is not in', eventId);
  if (!inbound.isDm) deps.threads.remember(key); // a DM needs no remembering (isDirectMessageKey)
  const text = [inbound.text, ...inbound.fileUrls].filter((part) => part !== '').join('\n');
  await deps.sink.visitorEvent(visitorEvent(inbound, { kind: 'message', text }, eventId));
}

async function open(deps: InboundDeps, decision: Extract<Classified, { kind: 'open' }>, eventId: string | undefined): Promise<void> {
  const key = threadKey(decision.thread);
  if (isDirectMessageChannel(decision.thread.channel)) {
    // The Messages tab fires on every visit; only a DM the bridge has no conversation in gets the welcome.
    if (await deps.threads.has(key)) return ignored(deps, 'Messages tab of a known conversation', eventId);
  } else if (deps.tickets && (await deps.tickets.isTicketThread(decision.thread))) {
    return ignored(deps, 'bare mention in a ticket thread', eventId);
  }
  deps.threads.remember(key);
  await deps.sink.visitorEvent(visitorEvent(decision, { kind: 'startSession' }, eventId));
}
