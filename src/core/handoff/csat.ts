/**
 * The one codec of CSAT buttons: the payload a rating button carries out and reads back, so the
 * core can take the click before it would reach the bot. Pure.
 */
const prefix = 'bridge.csat:';

/** The scores a requester can give. */
export const csatScores = [1, 2, 3, 4, 5] as const;

/** How long after the resolve a rating is accepted. */
export const csatValidForMs = 24 * 60 * 60_000;

/** A decoded rating click. */
export interface CsatAnswer {
  ticketId: string;
  score: number;
}

/** The payload of the button that rates ticket `ticketId` with `score`. */
export function csatPayload(ticketId: string, score: number): string {
  return `${prefix}${score}:${ticketId}`;
}

/** The rating a click's payload carries, or undefined for any other payload. */
export function parseCsatPayload(payload: string | undefined): CsatAnswer | undefined {
  if (payload === undefined || !payload.startsWith(prefix)) return undefined;
  const match = /^([1-5]):([A-Za-z0-9._:-]{1,200})$/.exec(payload.slice(prefix.length));
  return match ? { score: Number(match[1]), ticketId: match[2]! } : undefined;
}
