/**
 * zod schemas of what Ultimate POSTs to the bridge (seed 002 and 004): the Chat webhook
 * envelope `{botId, channel?, data}` with one schema per `data.eventType`, and the Actions
 * webhook request. Required fields are enforced; every object is loose, so fields Ultimate adds
 * later are kept, never rejected. Optional fields accept null as well as absence.
 */
import { z } from 'zod';

/** The Chat webhook's event types, as seed 002 lists them. */
export const converseEventTypes = ['sendMessage', 'escalate', 'isTeamOnline', 'widgetMessage', 'widgetEscalate', 'widgetEndSession'] as const;

/** One of the Chat webhook's event types. */
export type ConverseEventType = (typeof converseEventTypes)[number];

/**
 * Bounds of every string and list Ultimate sends (DESIGN.md 5.4): ids are UUIDs or short names
 * in practice, texts are chat messages. Anything longer is refused with 400 and its path, before
 * it can reach a platform that would refuse it later (Slack's `msg_too_long`, a 2,000-character
 * button value holding the conversation id).
 */
export const webhookLimits = {
  /** Ids and names: platformConversationId, conversationId, botId, escalateTo, teamId, action names and keys. */
  id: 256,
  /** A message or widget text (Slack's own message limit). */
  text: 40_000,
  /** A button label, a card title, an intent name. */
  label: 1_000,
  /** A card description. */
  description: 10_000,
  /** A link or image URL. */
  url: 8_192,
  /** Buttons of a message or card, cards of a carousel, intents, action parameters and their values. */
  list: 100,
  /** One string action parameter value. */
  value: 10_000,
} as const;

const L = webhookLimits;
const bounded = (max: number) => z.string().max(max, `must be at most ${max} characters`);
const optionalId = bounded(L.id).nullish();
const optionalLabel = bounded(L.label).nullish();
const conversationIdField = bounded(L.id).min(1, 'platformConversationId must not be empty');
const list = <T extends z.ZodType>(item: T) => z.array(item).max(L.list, `must have at most ${L.list} items`);

const replyButtonSchema = z.looseObject({ type: z.literal('button'), text: bounded(L.label).min(1) });
const linkButtonSchema = z.looseObject({
  type: z.literal('link'),
  text: bounded(L.label).min(1),
  url: z.string({ error: 'a link button needs a url' }).min(1, 'a link button needs a url').max(L.url, `must be at most ${L.url} characters`),
});

/** A bot button: `button` sends its text back, `link` opens its `url` (required). */
export const ultimateButtonSchema = z.discriminatedUnion('type', [replyButtonSchema, linkButtonSchema], {
  error: (issue) => (issue.code === 'invalid_union' ? unknownValue('button type', issue.input, ['button', 'link'], 'type') : undefined),
});

/** One carousel card. */
export const carouselCardSchema = z.looseObject({
  title: bounded(L.label),
  description: bounded(L.description).nullish(),
  imageUrl: bounded(L.url).nullish(),
  buttons: list(ultimateButtonSchema).nullish(),
});

const predictedIntentSchema = z.looseObject({ value: optionalLabel, name: optionalLabel, confidence: z.number().nullish() });

/** sendMessage: a bot message of type text (optionally with buttons) or carousel. */
export const sendMessageDataSchema = z.looseObject({
  eventType: z.literal('sendMessage'),
  platformConversationId: conversationIdField,
  type: z.enum(['text', 'carousel']),
  text: bounded(L.text).nullish(),
  buttons: list(ultimateButtonSchema).nullish(),
  carouselCards: list(carouselCardSchema).nullish(),
  replyId: optionalId,
  messageId: optionalId,
  conversationId: optionalId,
  confidence: z.number().nullish(),
  predictedIntents: list(predictedIntentSchema).nullish(),
});

/** escalate: hand the conversation to human agents (answered synchronously). */
export const escalateDataSchema = z.looseObject({
  eventType: z.literal('escalate'),
  platformConversationId: conversationIdField,
  conversationId: optionalId,
  escalateTo: optionalId,
});

/** isTeamOnline: is a team of agents available (answered synchronously with `{isOnline}`). */
export const isTeamOnlineDataSchema = z.looseObject({
  eventType: z.literal('isTeamOnline'),
  teamId: optionalId,
  conversationId: optionalId,
  platformConversationId: optionalId,
});

/** widgetMessage: a widget requester's message to the agent of an escalated conversation. */
export const widgetMessageDataSchema = z.looseObject({
  eventType: z.literal('widgetMessage'),
  platformConversationId: conversationIdField,
  conversationId: optionalId,
  text: bounded(L.text),
});

/** widgetEscalate: a widget conversation asks for a human agent (same fields as escalate). */
export const widgetEscalateDataSchema = escalateDataSchema.extend({ eventType: z.literal('widgetEscalate') });

/** widgetEndSession: the widget requester ended the escalated session. */
export const widgetEndSessionDataSchema = z.looseObject({
  eventType: z.literal('widgetEndSession'),
  platformConversationId: conversationIdField,
  conversationId: optionalId,
});

/** The Chat webhook's `data`, told apart by `eventType`. */
export const converseEventDataSchema = z.discriminatedUnion(
  'eventType',
  [sendMessageDataSchema, escalateDataSchema, isTeamOnlineDataSchema, widgetMessageDataSchema, widgetEscalateDataSchema, widgetEndSessionDataSchema],
  { error: (issue) => (issue.code === 'invalid_union' ? unknownValue('eventType', issue.input, converseEventTypes, 'eventType') : undefined) },
);

/** The Chat webhook body. */
export const converseWebhookSchema = z.looseObject({
  botId: bounded(L.id).min(1),
  channel: optionalId,
  data: converseEventDataSchema,
});

/** A parsed Chat webhook body. */
export type ConverseWebhook = z.infer<typeof converseWebhookSchema>;
/** The `data` of a parsed Chat webhook body. */
export type ConverseEventData = z.infer<typeof converseEventDataSchema>;
/** The `data` of a parsed sendMessage event. */
export type SendMessageData = z.infer<typeof sendMessageDataSchema>;
/** A parsed bot button. */
export type UltimateButton = z.infer<typeof ultimateButtonSchema>;

/**
 * One action parameter. The seeds show `value` as an array (`[ "123345" ]`) while the field
 * table says string: a scalar is accepted and wrapped. Seed 002 also writes the optional key
 * literally as `"saveAs?"`; both spellings are read into `saveAs`.
 */
export const actionParameterSchema = z
  .looseObject({
    key: bounded(L.id).min(1),
    value: z.union([list(z.union([bounded(L.value), z.number(), z.boolean(), z.null()])), bounded(L.value), z.number(), z.boolean()]),
    saveAs: optionalId,
    'saveAs?': optionalId,
  })
  .transform(({ 'saveAs?': literalSaveAs, saveAs, value, ...rest }) => {
    const saveAsName = saveAs ?? literalSaveAs ?? undefined;
    const parameter = { ...rest, value: Array.isArray(value) ? value : [value] };
    return saveAsName === undefined ? parameter : { ...parameter, saveAs: saveAsName };
  });

/** The Actions webhook body. */
export const actionWebhookSchema = z.looseObject({
  botId: bounded(L.id).min(1),
  conversationId: optionalId,
  platformConversationId: conversationIdField,
  name: bounded(L.id).min(1, 'name must not be empty'),
  data: list(actionParameterSchema),
});

/** A parsed Actions webhook body. */
export type ActionWebhook = z.infer<typeof actionWebhookSchema>;

function unknownValue(what: string, input: unknown, expected: readonly string[], field: string): string {
  const value = typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[field] : undefined;
  const list = expected.join(', ');
  return value === undefined ? `missing ${what}; expected one of ${list}` : `unknown ${what} ${JSON.stringify(value)}; expected one of ${list}`;
}
