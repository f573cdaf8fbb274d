/**
 * `assign: round-robin`: a new ticket goes at once to the present desk member with the fewest open
 * (assigned) tickets; among those tied, to the first after the member assigned last, in the desk's
 * member order, so ties go round in turn. The desk's last assignee is a store record shared by
 * replicas; two escalations at the same moment may both read it, which only bends the turn order.
 */
import type { DeskConfig } from '../../config/bridge-config.js';
import type { AgentRef, DeskSide } from '../channel-adapter.js';
import type { Logger } from '../logger.js';
import type { RecordStore } from '../../store/store.js';
import type { OpenTicketEntry, TicketBook } from './ticket-book.js';
import { deskTarget, type PresenceService } from './presence.js';

const maxCasRounds = 5;

/** The member to assign: fewest open tickets, ties in turn after `lastAssigned`. Pure. */
export function pickAssignee(present: readonly string[], openTickets: ReadonlyMap<string, number>, lastAssigned: string | undefined): string | undefined {
  if (present.length === 0) return undefined;
  const fewest = Math.min(...present.map((id) => openTickets.get(id) ?? 0));
  const start = lastAssigned === undefined ? 0 : present.indexOf(lastAssigned) + 1;
  for (let step = 0; step < present.length; step++) {
    const candidate = present[(start + step) % present.length]!;
    if ((openTickets.get(candidate) ?? 0) === fewest) return candidate;
  }
  return undefined;
}

/** Assigned tickets per agent, from the open-ticket index. */
export function openTicketsByAgent(entries: readonly OpenTicketEntry[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of entries) if (entry.state === 'assigned' && entry.assigneeId) counts.set(entry.assigneeId, (counts.get(entry.assigneeId) ?? 0) + 1);
  return counts;
}

/** What round-robin needs. */
export interface RoundRobinDeps {
  presence: Pick<PresenceService, 'presentMembers'>;
  tickets: Pick<TicketBook, 'open'>;
  store: Pick<RecordStore, 'getRecord' | 'compareAndSet'>;
  deskSides: ReadonlyMap<string, DeskSide>;
  logger: Logger;
}

/** Picks the agent of a new ticket on a round-robin desk. */
export class RoundRobin {
  constructor(private readonly deps: RoundRobinDeps) {}

  /** The agent the ticket goes to, or undefined when nobody is present (the ticket is queued for Claim). */
  async pick(desk: DeskConfig): Promise<AgentRef | undefined> {
    const present = await this.deps.presence.presentMembers(desk);
    if (present.length === 0) return undefined;
    const counts = openTicketsByAgent(await this.deps.tickets.open());
    const key = `desk-round-robin:${desk.id}`;
    let chosen: string | undefined;
    for (let round = 0; round < maxCasRounds && chosen === undefined; round++) {
      const last = await this.deps.store.getRecord<string>(key);
      const candidate = pickAssignee(present, counts, last?.value);
      if (candidate === undefined) return undefined;
      if ((await this.deps.store.compareAndSet(key, last?.version ?? 0, candidate)) !== undefined) chosen = candidate;
    }
    if (chosen === undefined) return undefined;
    const name = await this.deps.deskSides
      .get(desk.platform)
      ?.memberName?.(deskTarget(desk), chosen)
      .catch((error: unknown) => {
        this.deps.logger.warn({ err: error, deskId: desk.id }, 'desk member name not read; showing the id');
        return undefined;
      });
    return { id: chosen, name: name ?? chosen };
  }
}
