/**
 * The shape of an inbound Bot Framework activity, as far as the bridge and botbuilder read it,
 * checked once at the route so that no turn ever runs on a malformed one (a number where
 * Teams sends a list, an account that is a string, no `serviceUrl` to reply through). Objects
 * are loose: Teams adds fields over time and botbuilder gets the activity as it came. Optional
 * fields may be `null`, which some channels (the Emulator, older Teams clients) send for absent ones.
 */
import { z } from 'zod';

/** Bounds of ids: real ones are a few hundred characters at most; ids become store keys. */
const idChars = 1_000;

const optionalText = z.string().nullish();

const accountSchema = z.looseObject({
  id: z.string().min(1).max(idChars),
  name: optionalText,
  aadObjectId: optionalText,
});

const entitySchema = z.looseObject({
  type: optionalText,
  text: optionalText,
  mentioned: z.looseObject({ id: optionalText, name: optionalText }).nullish(),
  timezone: z.unknown().optional(),
});

const attachmentSchema = z.looseObject({
  contentType: optionalText,
  contentUrl: optionalText,
  name: optionalText,
  content: z.unknown().optional(),
});

const idHolder = z.looseObject({ id: z.string().max(idChars).nullish() }).nullish();

/** An inbound activity the bridge accepts. */
export const inboundActivitySchema = z.looseObject({
  type: z.string().min(1).max(100),
  id: z.string().max(idChars).nullish(),
  channelId: z.string().min(1).max(100),
  serviceUrl: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2_000),
  from: accountSchema,
  recipient: accountSchema,
  conversation: z.looseObject({
    id: z.string().min(1).max(idChars),
    conversationType: optionalText,
    tenantId: optionalText,
    isGroup: z.boolean().nullish(),
  }),
  text: optionalText,
  value: z.unknown().optional(),
  replyToId: z.string().max(idChars).nullish(),
  action: optionalText,
  locale: optionalText,
  localTimezone: optionalText,
  membersAdded: z.array(accountSchema).nullish(),
  channelData: z.looseObject({ tenant: idHolder, team: idHolder, channel: idHolder }).nullish(),
  entities: z.array(entitySchema).nullish(),
  attachments: z.array(attachmentSchema).nullish(),
});

/** The fields of an inbound activity the bridge reads. */
export type InboundActivity = z.infer<typeof inboundActivitySchema>;

/** Why an activity is refused: the dotted path of the first problem and what is wrong there. */
export interface ActivityProblem {
  path: string;
  message: string;
}

/** Check an activity; undefined when it is fine, else its first problem. */
export function activityProblem(body: unknown): ActivityProblem | undefined {
  const parsed = inboundActivitySchema.safeParse(body);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0]!;
  return { path: issue.path.map(String).join('.'), message: issue.message };
}
