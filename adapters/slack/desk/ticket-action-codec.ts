/**
 * The one codec for the desk's ticket buttons: `action_id` says what (claim or resolve), `value`
 * carries the ticket id. Pure.
 */
const prefix = 'bridge.ticket.';

/** What a ticket button does. */
export type TicketActionKind = 'claim' | 'resolve';

/** A decoded ticket button click. */
export interface TicketAction {
  kind: TicketActionKind;
  ticketId: string;
}

const ticketIdPattern = /^[A-Za-z0-9._:-]{1,200}$/;

/** The action_id of a ticket button. */
export function ticketActionId(kind: TicketActionKind): string {
  return `${prefix}${kind}`;
}

/** Whether an action_id is one of the desk's ticket buttons. */
export function isTicketActionId(actionId: string): boolean {
  return actionId.startsWith(prefix);
}

/** The button value for a ticket. */
export function encodeTicketValue(ticketId: string): string {
  if (!ticketIdPattern.test(ticketId)) throw new Error(`Not a ticket id: ${JSON.stringify(ticketId.slice(0, 50))}`);
  return ticketId;
}

/** The click of a ticket button, or undefined for anything else. */
export function decodeTicketAction(actionId: string, value: string | undefined): TicketAction | undefined {
  if (!isTicketActionId(actionId) || value === undefined || !isTicketId(value)) return undefined;
  const kind = actionId.slice(prefix.length);
  return kind === 'claim' || kind === 'resolve' ? { kind, ticketId: value } : undefined;
}

/** Whether a string can be a ticket id (buttons and `/resolve <ticket id>`). */
export function isTicketId(text: string): boolean {
  return ticketIdPattern.test(text);
}
