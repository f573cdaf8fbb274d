import { describe, expect, it } from 'vitest';
import { isClosed, transition, type TicketRecord } from '../../src/core/handoff/ticket.js';

const queued: TicketRecord = {
  id: 't1',
  conversationId: 'c1',
  deskId: 'desk',
  thread: { channel: 'slack', key: 'k', reference: {} },
  state: 'queued',
  openedAt: 0,
  history: [{ state: 'queued', at: 0, actor: 'bot' }],
};
const agent = { id: 'U9', name: 'Ada' };

describe('ticket state machine', () => {
  it('records every transition with time and actor', () => {
    const assigned = transition(queued, 'assigned', 'U9', 10, agent)!;
    const resolved = transition(assigned, 'resolved', 'U9', 20)!;
    expect(resolved.state).toBe('resolved');
    expect(resolved.assignee).toEqual(agent);
    expect(resolved.history).toEqual([
      { state: 'queued', at: 0, actor: 'bot' },
      { state: 'assigned', at: 10, actor: 'U9' },
      { state: 'resolved', at: 20, actor: 'U9' },
    ]);
  });

  it('refuses moves out of closed states and a second claim', () => {
    const assigned = transition(queued, 'assigned', 'U9', 10, agent)!;
    expect(transition(assigned, 'assigned', 'U8', 11, { id: 'U8', name: 'Bob' })).toBeUndefined();
    const resolved = transition(assigned, 'resolved', 'U9', 20)!;
    for (const state of ['queued', 'assigned', 'resolved', 'cancelled', 'timed_out', 'failed'] as const) {
      expect(transition(resolved, state, 'x', 30)).toBeUndefined();
    }
    expect(transition(assigned, 'timed_out', 'bridge', 30)).toBeUndefined();
  });

  it('knows which states are closed', () => {
    expect(['queued', 'assigned'].map((state) => isClosed(state as 'queued'))).toEqual([false, false]);
    expect(['resolved', 'failed', 'timed_out', 'cancelled'].every((state) => isClosed(state as 'resolved'))).toBe(true);
  });
});
