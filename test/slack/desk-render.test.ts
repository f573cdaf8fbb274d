/**
 * The ticket post renderer against literal Block Kit JSON for each state, its limits with a long
 * transcript, and the ticket button codec.
 */
import { describe, expect, it } from 'vitest';
import { decodeTicketAction, encodeTicketValue, ticketActionId, ticketBlockId } from '../../adapters/slack/desk/ticket-action-codec.js';
import { renderTicket } from '../../adapters/slack/desk/render-ticket.js';
import type { TicketView } from '../../src/core/channel-adapter.js';
import { limitViolations } from './support/block-limit-check.js';
import { sampleTicket, sampleTicketId } from './support/sample-ticket.js';

const ticketId = sampleTicketId;
const queued: TicketView = sampleTicket({
  requester: { id: 'U2147483697', name: 'Egon <!channel> Spengler' },
  requesterLink: 'https://acme.slack.com/archives/C123ABC456/p1515449522000016',
  transcript: [
    { from: 'requester', text: 'My laptop will not boot', at: 1 },
    { from: 'bot', text: 'Have you tried turning it off & on?', at: 2 },
  ],
  waitingSince: Date.parse('2026-01-05T09:30:00Z'),
  slaDueAt: Date.parse('2026-01-05T09:40:00Z'),
  transferTargets: ['hr-desk', 'teams-desk'],
});

const claimButton = { type: 'button', text: { type: 'plain_text', text: 'Claim' }, action_id: 'bridge.ticket.claim', value: ticketId, style: 'primary' };
const resolveButton = { type: 'button', text: { type: 'plain_text', text: 'Resolve' }, action_id: 'bridge.ticket.resolve', value: ticketId };
const releaseButton = { type: 'button', text: { type: 'plain_text', text: 'Release' }, action_id: 'bridge.ticket.release', value: ticketId };
const backToBotButton = { type: 'button', text: { type: 'plain_text', text: 'Back to bot' }, action_id: 'bridge.ticket.return', value: ticketId };
const transferSelect = {
  type: 'static_select',
  action_id: 'bridge.ticket.transfer',
  placeholder: { type: 'plain_text', text: 'Transfer' },
  options: [
    { text: { type: 'plain_text', text: 'hr-desk' }, value: 'hr-desk' },
    { text: { type: 'plain_text', text: 'teams-desk' }, value: 'teams-desk' },
  ],
};
const actionsBlock = (elements: unknown[]) => ({ type: 'actions', block_id: `bridge.ticket:${ticketId}`, elements });

describe('renderTicket', () => {
  it('renders a queued ticket with requester, desk, wait, SLA, transcript, buttons and the Transfer select', () => {
    expect(renderTicket(queued)).toEqual({
      text: 'Ticket from Egon &lt;!channel&gt; Spengler (Slack): Waiting for an agent',
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '*Ticket from Egon &lt;!channel&gt; Spengler* (Slack)\n<https://acme.slack.com/archives/C123ABC456/p1515449522000016|Open the conversation>',
          },
        },
        {
          type: 'context',
          elements: [
            { type: 'mrkdwn', text: ':hourglass_flowing_sand: *Waiting for an agent*' },
            { type: 'mrkdwn', text: 'Desk: *it-helpdesk*' },
            { type: 'mrkdwn', text: 'Opened <!date^1767605400^{date_short_pretty} {time}|2026-01-05 09:30 UTC>' },
            { type: 'mrkdwn', text: 'Requester waiting since <!date^1767605400^{ago}|2026-01-05 09:30 UTC>' },
            { type: 'mrkdwn', text: 'First reply due <!date^1767606000^{time}|2026-01-05 09:40 UTC>' },
          ],
        },
        { type: 'divider' },
        { type: 'section', text: { type: 'mrkdwn', text: '*Requester:* My laptop will not boot\n*Bot:* Have you tried turning it off &amp; on?' } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: `Ticket \`${ticketId}\` · resolve from anywhere with \`/resolve ${ticketId}\`` }] },
        actionsBlock([claimButton, resolveButton, backToBotButton, transferSelect]),
      ],
    });
  });

  it('shows the assignee and Release instead of Claim once claimed, and no controls once closed or transferred', () => {
    const assigned = renderTicket({ ...queued, state: 'assigned', assignee: { id: 'U9', name: 'Dana' }, waitingSince: undefined, slaDueAt: undefined });
    expect(assigned.blocks[1]).toEqual({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: ':raising_hand: *Assigned to Dana*' },
        { type: 'mrkdwn', text: 'Desk: *it-helpdesk*' },
        { type: 'mrkdwn', text: 'Opened <!date^1767605400^{date_short_pretty} {time}|2026-01-05 09:30 UTC>' },
      ],
    });
    expect(assigned.blocks.at(-1)).toEqual(actionsBlock([releaseButton, resolveButton, backToBotButton, transferSelect]));
    expect(renderTicket({ ...queued, transferTargets: [] }).blocks.at(-1)).toEqual(actionsBlock([claimButton, resolveButton, backToBotButton]));
    const moved = renderTicket({ ...queued, transferredTo: 'hr-desk', transferTargets: [] });
    expect(moved.blocks.some((block) => block.type === 'actions')).toBe(false);
    expect(JSON.stringify(moved.blocks[1])).toContain(':arrow_right: *Transferred to hr-desk*');
    expect(JSON.stringify(moved.blocks[1])).not.toContain('waiting since');
    const rated = renderTicket({ ...queued, state: 'resolved', waitingSince: undefined, csat: 4 });
    expect(rated.blocks[1]).toMatchObject({ elements: expect.arrayContaining([{ type: 'mrkdwn', text: ':star: Rated *4/5* by the requester' }]) });
    expect(renderTicket({ ...queued, state: 'returned' }).text).toContain('Back with the bot');
    for (const state of ['resolved', 'returned', 'timed_out', 'cancelled', 'failed'] as const) {
      const closed = renderTicket({ ...queued, state, assignee: { id: 'U9', name: 'Dana' } });
      expect(closed.blocks.some((block) => block.type === 'actions')).toBe(false);
    }
    expect(renderTicket({ ...queued, state: 'resolved', assignee: { id: 'U9', name: 'Dana' } }).text).toBe(
      'Ticket from Egon &lt;!channel&gt; Spengler (Slack): Resolved (Dana)',
    );
  });

  it('stays one message within the limits with a long transcript, keeping the newest turns', () => {
    const transcript = Array.from({ length: 500 }, (_, index) => ({ from: 'requester' as const, text: `turn ${index} ${'x'.repeat(900)}`, at: index }));
    const post = renderTicket({ ...queued, transcript, requesterChannel: 'teams', requesterLink: undefined });
    expect(limitViolations(post)).toEqual([]);
    const sections = post.blocks.filter((block) => block.type === 'section').map((block) => (block.type === 'section' ? block.text.text : ''));
    expect(sections.at(-1)).toContain('turn 499');
    expect(sections[0]).toContain('(Microsoft Teams)');
  });
});

describe('ticket control codec', () => {
  it('round-trips every button and the Transfer select', () => {
    for (const kind of ['claim', 'release', 'resolve', 'return'] as const) {
      expect(decodeTicketAction({ actionId: ticketActionId(kind), value: encodeTicketValue(ticketId) })).toEqual({ kind, ticketId });
    }
    expect(decodeTicketAction({ actionId: ticketActionId('transfer'), blockId: ticketBlockId(ticketId), selected: 'hr-desk' })).toEqual({ kind: 'transfer', ticketId, toDeskId: 'hr-desk' });
  });

  it('decodes nothing for other buttons, bad ids, or a Transfer without a ticket block or a choice', () => {
    expect(decodeTicketAction({ actionId: 'bridge.reply.0', value: ticketId })).toBeUndefined();
    expect(decodeTicketAction({ actionId: 'bridge.ticket.delete', value: ticketId })).toBeUndefined();
    expect(decodeTicketAction({ actionId: ticketActionId('claim'), value: 'has spaces' })).toBeUndefined();
    expect(decodeTicketAction({ actionId: ticketActionId('transfer'), blockId: 'other-block', selected: 'hr-desk' })).toBeUndefined();
    expect(decodeTicketAction({ actionId: ticketActionId('transfer'), blockId: ticketBlockId(ticketId) })).toBeUndefined();
    expect(() => encodeTicketValue('')).toThrow();
  });
});

describe('renderTicket with requester-written text', () => {
  const huge = 'Ü'.repeat(100_000);

  it.each([
    ['a huge requester name', { requester: { id: 'U1', name: huge } }],
    ['a huge requester id and no name', { requester: { id: `U${huge}` } }],
    ['a huge assignee name', { state: 'assigned' as const, assignee: { id: 'U9', name: huge } }],
    ['huge transcript turns', { transcript: Array.from({ length: 300 }, (_, at) => ({ from: 'requester' as const, text: huge.slice(0, 5_000), at })) }],
  ])('keeps %s within Slack limits, fallback text included', (_what, overrides) => {
    const message = renderTicket(sampleTicket(overrides));
    expect(limitViolations(message)).toEqual([]);
    expect(message.text.length).toBeLessThanOrEqual(4_000);
  });

  it('escapes links, mentions and markup in the requester name and transcript turns', () => {
    const message = renderTicket(
      sampleTicket({
        requester: { id: 'U1', name: '<https://evil.example|IT Support> <!here>' },
        transcript: [{ from: 'requester', text: '[Verify your account](https://evil.example) <@U123> <!channel> &amp;', at: 1 }],
      }),
    );
    const rendered = JSON.stringify(message);
    expect(rendered).not.toMatch(/<https:\/\/evil|<!here>|<!channel>|<@U123>/);
    expect(rendered).toContain('&lt;https://evil.example|IT Support&gt; &lt;!here&gt;');
    expect(rendered).toContain('[Verify your account](https://evil.example) &lt;@U123&gt; &lt;!channel&gt; &amp;amp;');
  });
});
