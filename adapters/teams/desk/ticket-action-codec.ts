/**
 * What the controls of a ticket card carry out (Action.Submit plain `data`) and how a click's
 * `value` is read back: one module for both directions. Claim, Release, Resolve and Back to bot
 * are buttons; Transfer is an `Input.ChoiceSet` (id `transferTo`, choice values = the target
 * desks' ids) with a Transfer button, whose submit brings the chosen value along in `value`.
 */
import { z } from 'zod';

/** Marks ticket buttons written by this bridge. */
const ticketMarker = 'bridge.ticket';

/** The id of the Transfer choice set: Teams puts the chosen desk id under it in the submit's `value`. */
export const transferInputId = 'transferTo';

/** What a ticket card button does. */
export type TicketButtonAction = 'claim' | 'release' | 'resolve' | 'return' | 'transfer';

/** A ticket button as it is written on the card. */
export interface TicketButton {
  action: TicketButtonAction;
  ticketId: string;
}

/** A ticket control click; a transfer names its target desk. */
export type TicketAction = { action: Exclude<TicketButtonAction, 'transfer'>; ticketId: string } | { action: 'transfer'; ticketId: string; toDeskId: string };

const ticketActionSchema = z.object({
  kind: z.literal(ticketMarker),
  action: z.enum(['claim', 'release', 'resolve', 'return', 'transfer']),
  ticketId: z.string().min(1).max(200),
  [transferInputId]: z.string().min(1).max(200).optional(),
});

/** The Action.Submit `data` of a ticket button. */
export function encodeTicketAction(button: TicketButton): Record<string, unknown> {
  return { kind: ticketMarker, action: button.action, ticketId: button.ticketId };
}

/** Read a ticket control click from an activity's `value` (object or JSON string); undefined otherwise (also a Transfer with no desk chosen). */
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
  if (!parsed.success) return undefined;
  const { action, ticketId } = parsed.data;
  if (action !== 'transfer') return { action, ticketId };
  const toDeskId = parsed.data[transferInputId];
  return toDeskId === undefined ? undefined : { action, ticketId, toDeskId };
}
