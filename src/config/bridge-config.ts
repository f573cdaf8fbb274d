/**
 * bridge.yaml: desks, working hours and actions, validated by one zod schema at start-up.
 * A bad file stops start-up with one line naming the YAML path and what is wrong.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)');
/** An end time may also be 24:00, the end of the day, so `00:00`-`24:00` is the whole day. */
const endTime = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be HH:MM (24-hour) or 24:00');

const workingHoursSchema = z
  .object({
    timezone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin'),
    days: z.array(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri']),
    from: clockTime,
    /** Before `from`: the hours span midnight; equal to `from` (e.g. 00:00-00:00): 24 hours from `from`. */
    to: endTime,
  })
  .strict();

const deskSchema = z
  .object({
    id: z.string().min(1),
    platform: z.enum(['slack', 'teams']),
    channel: z.string().min(1),
    team: z.string().min(1).optional(),
    hours: workingHoursSchema.optional(),
    transcriptTurns: z.number().int().min(0).max(200).default(20),
    remindAfterMinutes: z.number().positive().max(24 * 60).default(5),
    timeoutMinutes: z.number().positive().max(7 * 24 * 60).default(30),
    /** manual: agents Claim; round-robin: assigned at once to the present member with the fewest open tickets. */
    assign: z.enum(['manual', 'round-robin']).default('manual'),
    /** SLA of an agent's first reply, in minutes (fractions allowed); no SLA without it. */
    firstResponseMinutes: z.number().positive().max(7 * 24 * 60).optional(),
    /** Who an SLA breach notice mentions (a Slack user group `<!subteam^S…>`, a Teams tag). */
    slaMention: z.string().min(1).max(200).optional(),
    /** After resolve, ask the requester to rate the help. */
    csat: z.boolean().default(true),
    /** An action under `actions`, called with the closed ticket. */
    onResolve: z.string().min(1).optional(),
  })
  .strict()
  .refine((desk) => desk.platform !== 'teams' || desk.team !== undefined, {
    message: 'a Teams desk needs team (the team id, for its roster)',
    path: ['team'],
  })
  .refine((desk) => desk.slaMention === undefined || desk.firstResponseMinutes !== undefined, {
    message: 'slaMention needs firstResponseMinutes (there is no SLA to breach without it)',
    path: ['slaMention'],
  });

const httpActionSchema = z
  .object({
    name: z.string().min(1),
    type: z.literal('http'),
    url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
    timeoutMs: z.number().int().positive().max(30_000).default(5000),
    /** Result keys marked `sanitize: true` for the bot. */
    sanitize: z.array(z.string()).default([]),
    /** Extra request headers, e.g. an API key of the CRM. */
    headers: z.record(z.string(), z.string()).default({}),
  })
  .strict();

const requesterProfileActionSchema = z
  .object({
    name: z.string().min(1),
    type: z.literal('requester-profile'),
    /** Profile fields to return; all known fields when omitted. */
    fields: z.array(z.string()).optional(),
  })
  .strict();

const actionSchema = z.discriminatedUnion('type', [httpActionSchema, requesterProfileActionSchema]);

const csmlSchema = z
  .object({
    /** Flow a startSession triggers (CSML has no welcome event); without it startSession sends nothing. */
    welcomeFlowId: z.string().min(1).optional(),
    /** True when the CSML channel's callback URL points at /csml/callback: replies arrive there only. */
    repliesByCallback: z.boolean().default(false),
  })
  .strict();

const bridgeConfigSchema = z
  .object({
    defaultDesk: z.string().min(1).optional(),
    csml: csmlSchema.default({ repliesByCallback: false }),
    desks: z.array(deskSchema).default([]),
    actions: z.array(actionSchema).default([]),
  })
  .strict()
  .superRefine((config, ctx) => {
    const deskIds = new Set<string>();
    config.desks.forEach((desk, index) => {
      if (deskIds.has(desk.id)) ctx.addIssue({ code: 'custom', path: ['desks', index, 'id'], message: `duplicate desk id "${desk.id}"` });
      deskIds.add(desk.id);
    });
    if (config.defaultDesk !== undefined && !deskIds.has(config.defaultDesk)) {
      ctx.addIssue({ code: 'custom', path: ['defaultDesk'], message: `names no desk in desks ("${config.defaultDesk}")` });
    }
    const actionNames = new Set<string>();
    config.actions.forEach((action, index) => {
      if (actionNames.has(action.name)) ctx.addIssue({ code: 'custom', path: ['actions', index, 'name'], message: `duplicate action name "${action.name}"` });
      actionNames.add(action.name);
    });
    config.desks.forEach((desk, index) => {
      if (desk.onResolve !== undefined && !actionNames.has(desk.onResolve)) {
        ctx.addIssue({ code: 'custom', path: ['desks', index, 'onResolve'], message: `names no action in actions ("${desk.onResolve}")` });
      }
    });
  });

/** Working hours of a desk. */
export type WorkingHours = z.infer<typeof workingHoursSchema>;
/** One desk: where tickets for an escalateTo / teamId value go. */
export type DeskConfig = z.infer<typeof deskSchema>;
/** One configured action. */
export type ActionConfig = z.infer<typeof actionSchema>;
/** The whole bridge.yaml. */
export type BridgeConfig = z.infer<typeof bridgeConfigSchema>;

/** The configuration when there is no bridge.yaml: no desks, no actions. */
export const emptyBridgeConfig: BridgeConfig = { desks: [], actions: [], csml: { repliesByCallback: false } };

/** Validate an already-parsed YAML document. Throws `ConfigError` naming the first bad path. */
export function parseBridgeConfig(document: unknown, source = 'bridge.yaml'): BridgeConfig {
  const parsed = bridgeConfigSchema.safeParse(document ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    // An unknown key (a typo such as `asign`) is reported at the key itself, not at its parent.
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : [];
    const segments = [...issue.path, ...keys].map(String);
    const path = segments.length > 0 ? segments.join('.') : '(top level)';
    throw new ConfigError(`Invalid ${source} at ${path}: ${issue.message.replace(/\s*\n\s*/g, ' ')}`);
  }
  return parsed.data;
}

/** Read and validate bridge.yaml; an absent path gives the empty configuration. */
export function loadBridgeConfig(path: string | undefined): BridgeConfig {
  if (path === undefined) return emptyBridgeConfig;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Invalid environment variable BRIDGE_CONFIG: cannot read ${path}`, { cause: error });
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`Invalid ${path}: not valid YAML (${(error as Error).message.split('\n')[0]})`, { cause: error });
  }
  return parseBridgeConfig(document, path);
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
