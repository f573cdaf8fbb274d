/**
 * zod schemas of what CSML sends back: the Chat API's synchronous reply (seed 001) and the same
 * body POSTed to the callback URL. Each message's `payload.content` is checked against its
 * `content_type` (the CSML Studio "Message payloads" reference); content types this bridge does
 * not know are kept as `other` so the mapper can say what it skipped. Objects are loose.
 */
import { z } from 'zod';

const optionalText = z.string().nullish();
/** CSML payloads may be strings or numbers (`Button("x", payload=1)`); they go back as strings. */
const buttonPayload = z.union([z.string(), z.number(), z.boolean()]).transform(String).nullish();

const buttonSchema = z.looseObject({
  content_type: z.literal('button'),
  content: z.looseObject({ title: z.string(), payload: buttonPayload }),
});
const urlContent = z.looseObject({ url: z.string().min(1), text: optionalText, title: optionalText });
const urlButtonSchema = z.looseObject({ content_type: z.literal('url'), content: urlContent });

/** A button inside a question or card: a CSML Button, or a Url that opens a link. */
export const csmlButtonSchema = z.discriminatedUnion('content_type', [buttonSchema, urlButtonSchema]);

const cardContent = z.looseObject({
  title: z.string(),
  subtitle: optionalText,
  image_url: optionalText,
  buttons: z.array(csmlButtonSchema).nullish(),
});
const mediaContent = z.looseObject({ url: z.string().min(1), title: optionalText, name: optionalText });
const durationContent = z.looseObject({ duration: z.number().nullish() });

/** Every message payload this bridge maps, told apart by `content_type`. */
export const knownCsmlPayloadSchema = z.discriminatedUnion('content_type', [
  z.looseObject({ content_type: z.literal('text'), content: z.looseObject({ text: z.string() }) }),
  z.looseObject({
    content_type: z.literal('question'),
    content: z.looseObject({ title: optionalText, text: optionalText, buttons: z.array(csmlButtonSchema).nullish() }),
  }),
  buttonSchema,
  z.looseObject({ content_type: z.literal('carousel'), content: z.looseObject({ cards: z.array(z.looseObject({ content: cardContent })) }) }),
  z.looseObject({ content_type: z.literal('card'), content: cardContent }),
  z.looseObject({ content_type: z.enum(['image', 'video', 'audio', 'file']), content: mediaContent }),
  urlButtonSchema,
  z.looseObject({ content_type: z.enum(['typing', 'wait']), content: durationContent.nullish() }),
]);

/** The content types `knownCsmlPayloadSchema` checks. */
export const knownCsmlContentTypes = new Set(['text', 'question', 'button', 'carousel', 'card', 'image', 'video', 'audio', 'file', 'url', 'typing', 'wait']);

/** A payload of a content type the bridge does not map (e.g. `calendar`, `input`). */
export interface OtherCsmlPayload {
  content_type: 'other';
  original: string;
  content: unknown;
}

/** A parsed message payload. */
export type CsmlPayload = z.infer<typeof knownCsmlPayloadSchema> | OtherCsmlPayload;
/** A parsed question or card button. */
export type CsmlButton = z.infer<typeof csmlButtonSchema>;

/** A payload: checked by its content type when known, kept as `other` when not. */
const payloadSchema = z.looseObject({ content_type: z.string().min(1), content: z.unknown() }).transform((payload, ctx): CsmlPayload => {
  if (!knownCsmlContentTypes.has(payload.content_type)) {
    return { content_type: 'other', original: payload.content_type, content: payload.content };
  }
  const parsed = knownCsmlPayloadSchema.safeParse(payload);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.issues.push({ ...issue, input: undefined, path: issue.path });
  return z.NEVER;
});

/** One message of a reply. */
export const csmlMessageSchema = z.looseObject({ payload: payloadSchema });

/** The Chat API's reply `{messages, conversation_end?, client?, is_authorized?, ...}`. */
export const csmlChatResponseSchema = z.looseObject({
  messages: z.array(csmlMessageSchema),
  conversation_end: z.boolean().nullish(),
  is_authorized: z.boolean().nullish(),
  request_id: optionalText,
  client: z.looseObject({ user_id: z.string().min(1), bot_id: optionalText, channel_id: optionalText }).nullish(),
});

/** A body POSTed to the callback URL: a chat reply whose `client.user_id` names the conversation. */
export const csmlCallbackSchema = csmlChatResponseSchema.extend({
  client: z.looseObject({ user_id: z.string().min(1), bot_id: optionalText, channel_id: optionalText }),
});

/** A parsed chat reply. */
export type CsmlChatResponse = z.infer<typeof csmlChatResponseSchema>;
