/**
 * What the Claim and Resolve buttons of a ticket card carry out (Action.Submit plain `data`) and
 * how a click's `value` is read back: one module for both directions.
 */
import { z } from 'zod';

/** Marks ticket buttons written by this bridge. */
const ticketMarker = 'bridge.ticket';

/** A ticket button click. */
export interface TicketAction {
  action: 'claim' | 'resolve';
  ticketId: string;
}

const ticketActionSchema = z.object({
  kind: z.literal(ticketMarker),
  action: z.enum(['claim', 'resolve']),
  ticketId: z.string().min(1).max(200),
});

/** The Action.Submit `data` of a ticket button. */
export function encodeTicketAction(action: TicketAction): Record<string, unknown> {
  return { kind: ticketMarker, action: action.action, ticketId: action.ticketId };
}

/** Read a ticket button click from an activity's `value` (object or JSON string); undefined otherwise. */
export function decodeTicketAction(value: unknown): TicketAction | undefined {
  let candidate = value;
  if (typeof value === 'string') {
    try {
      candidate = JSON.parse(value);
    } catch {
      // Not JSON, so not a ticket button: reported as undefined below.
      return undefined;
    }
  }
  const parsed = ticketActionSchema.safeParse(candidate);
  return parsed.success ? { action: parsed.data.action, ticketId: parsed.data.ticketId } : undefined;
}
