/**
 * The one codec for the desk's ticket controls. Buttons: `action_id` says what (claim, release,
 * resolve, return = Back to bot), `value` carries the ticket id. The Transfer select: its
 * `action_id` is `bridge.ticket.transfer`, its option values are the target desks' ids (as
 * DESIGN fixes them), so the ticket id travels in the actions block's `block_id`. Pure.
 */
const prefix = 'bridge.ticket.';
const blockPrefix = 'bridge.ticket:';

/** What a ticket button does. */
export type TicketButtonKind = 'claim' | 'release' | 'resolve' | 'return';

/** A decoded ticket control: a button, or the Transfer select with the chosen desk. */
export type TicketAction = { kind: TicketButtonKind; ticketId: string } | { kind: 'transfer'; ticketId: string; toDeskId: string };

/** What a click brings back, as far as ticket controls go. */
export interface TicketControlClick {
  actionId: string;
  value?: string;
  blockId?: string;
  /** The chosen option's value, for a select. */
  selected?: string;
}

const buttonKinds: readonly string[] = ['claim', 'release', 'resolve', 'return'];
const ticketIdPattern = /^[A-Za-z0-9._:-]{1,200}$/;
const deskIdPattern = /^.{1,150}$/s;

/** The action_id of a ticket button, or of the Transfer select. */
export function ticketActionId(kind: TicketButtonKind | 'transfer'): string {
  return `${prefix}${kind}`;
}

/** Whether an action_id is one of the desk's ticket controls. */
export function isTicketActionId(actionId: string): boolean {
  return actionId.startsWith(prefix);
}

/** The button value for a ticket. */
export function encodeTicketValue(ticketId: string): string {
  if (!ticketIdPattern.test(ticketId)) throw new Error(`Not a ticket id: ${JSON.stringify(ticketId.slice(0, 50))}`);
  return ticketId;
}

/** The block_id of a ticket post's actions block: carries the ticket id for the Transfer select. */
export function ticketBlockId(ticketId: string): string {
  return `${blockPrefix}${encodeTicketValue(ticketId)}`;
}

/** The ticket control a click is, or undefined for anything else. */
export function decodeTicketAction(click: TicketControlClick): TicketAction | undefined {
  if (!isTicketActionId(click.actionId)) return undefined;
  const kind = click.actionId.slice(prefix.length);
  if (kind === 'transfer') {
    const ticketId = click.blockId?.startsWith(blockPrefix) ? click.blockId.slice(blockPrefix.length) : undefined;
    if (!ticketId || !isTicketId(ticketId) || click.selected === undefined || !deskIdPattern.test(click.selected)) return undefined;
    return { kind, ticketId, toDeskId: click.selected };
  }
  if (!buttonKinds.includes(kind) || click.value === undefined || !isTicketId(click.value)) return undefined;
  return { kind: kind as TicketButtonKind, ticketId: click.value };
}

/** Whether a string can be a ticket id (buttons and `/resolve <ticket id>`). */
export function isTicketId(text: string): boolean {
  return ticketIdPattern.test(text);
}
