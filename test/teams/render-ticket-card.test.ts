/** The pure TicketView → ticket card renderer: what requesters wrote shows as written, never as markup. */
import { describe, expect, it } from 'vitest';
import { renderTicketCard } from '../../adapters/teams/desk/render-ticket-card.js';
import type { TicketView } from '../../src/core/channel-adapter.js';

const ticket: TicketView = {
  ticketId: 'ticket-1',
  conversationId: 'conv-1',
  deskId: 'it-helpdesk',
  state: 'assigned',
  assignee: { id: 'U1', name: 'Dana *Ops*' },
  requester: { id: 'aad-megan', name: '[Verify your account](https://evil.example)' },
  requesterChannel: 'slack',
  transcript: [
    { from: 'requester', text: 'Please <at>Dana Agent</at> open [this](https://evil.example/login) **now**', at: 1 },
    { from: 'bot', text: 'I can **help** with [the docs](https://example.com/docs).', at: 2 },
  ],
  openedAt: Date.parse('2026-11-23T10:00:00Z'),
};

function cardTexts(): string[] {
  const card = renderTicketCard(ticket).attachments![0]!.content;
  return card.body.flatMap((element) => (element.type === 'TextBlock' ? [element.text] : element.type === 'FactSet' ? element.facts.map((fact) => fact.value) : []));
}

describe('renderTicketCard', () => {
  it('escapes the requester name everywhere it is Markdown, and keeps it as written in the plain summary', () => {
    const texts = cardTexts();
    expect(texts).toContain('Ticket: \\[Verify your account\\](https://evil.example) needs help');
    expect(texts).toContain('\\[Verify your account\\](https://evil.example) (slack)');
    expect(texts.join('\n')).not.toMatch(/(^|[^\\])\[Verify your account\]\(/);
    expect(renderTicketCard(ticket).summary).toBe('Ticket: [Verify your account](https://evil.example) (Assigned to Dana *Ops*)');
  });

  it('escapes the requester\'s transcript turns (links, mentions, emphasis) and the agent\'s name; bot turns keep their Markdown', () => {
    const texts = cardTexts();
    expect(texts).toContain('**Requester:** Please \\<at\\>Dana Agent\\</at\\> open \\[this\\](https://evil.example/login) \\*\\*now\\*\\*');
    expect(texts).toContain('**Bot:** I can **help** with [the docs](https://example.com/docs).');
    expect(texts).toContain('Assigned to Dana \\*Ops\\*');
  });
});
