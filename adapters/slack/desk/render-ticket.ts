/**
 * TicketView → the ticket post in a Slack desk channel. Pure: rendered again on every state
 * change, so the post always shows the current state; Claim and Resolve only while they apply.
 */
import type { TicketState, TicketView, TranscriptTurn } from '../../../src/core/channel-adapter.js';
import type { ActionsBlock, ButtonElement, SlackBlock, SlackMessage } from '../block-kit.js';
import { SLACK_LIMITS as L } from '../limits.js';
import { escapeMrkdwn, mrkdwnLink, truncateMrkdwn, truncateText } from '../mrkdwn.js';
import { encodeTicketValue, ticketActionId } from './ticket-action-codec.js';

/** Characters of one transcript turn shown on the post. */
const turnChars = 500;
/** Characters of a person's name or id shown on the post (a name is the requester's own words). */
const nameChars = 200;
/** Blocks the transcript may take (the post is one Slack message). */
const transcriptBlocks = 40;

const platformNames: Record<string, string> = { slack: 'Slack', teams: 'Microsoft Teams', widget: 'web chat' };
const speakers: Record<TranscriptTurn['from'], string> = { requester: 'Requester', bot: 'Bot', agent: 'Agent', system: 'Note' };

/** The ticket post. */
export function renderTicket(ticket: TicketView): SlackMessage {
  const name = truncateText(ticket.requester.name?.trim() || ticket.requester.id, nameChars);
  const platform = platformNames[ticket.requesterChannel] ?? ticket.requesterChannel;
  const ticketId = escapeMrkdwn(ticket.ticketId);
  const heading = `*Ticket from ${escapeMrkdwn(name)}* (${escapeMrkdwn(platform)})`;
  const link = ticket.requesterLink ? `\n${mrkdwnLink(ticket.requesterLink, 'Open the conversation')}` : '';
  const blocks: SlackBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: truncateMrkdwn(heading + link, L.sectionText) } },
    {
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: truncateMrkdwn(stateLine(ticket), L.contextText) },
        { type: 'mrkdwn', text: `Desk: *${escapeMrkdwn(truncateText(ticket.deskId, 200))}*` },
        { type: 'mrkdwn', text: `Opened ${slackDate(ticket.openedAt)}` },
      ],
    },
    { type: 'divider' },
    ...transcriptSections(ticket.transcript),
    { type: 'context', elements: [{ type: 'mrkdwn', text: truncateMrkdwn(`Ticket \`${ticketId}\` · resolve from anywhere with \`/resolve ${ticketId}\``, L.contextText) }] },
  ];
  const actions = ticketButtons(ticket);
  if (actions) blocks.push(actions);
  return { text: truncateMrkdwn(escapeMrkdwn(`Ticket from ${name} (${platform}): ${stateWords(ticket)}`), L.fallbackText), blocks };
}

function stateLine(ticket: TicketView): string {
  const icons: Record<TicketState, string> = {
    queued: ':hourglass_flowing_sand:',
    assigned: ':raising_hand:',
    resolved: ':white_check_mark:',
    failed: ':x:',
    timed_out: ':alarm_clock:',
    cancelled: ':no_entry_sign:',
  };
  return `${icons[ticket.state]} *${escapeMrkdwn(stateWords(ticket))}*`;
}

function stateWords(ticket: TicketView): string {
  const agent = ticket.assignee?.name === undefined ? undefined : truncateText(ticket.assignee.name, nameChars);
  switch (ticket.state) {
    case 'queued':
      return 'Waiting for an agent';
    case 'assigned':
      return `Assigned to ${agent ?? 'an agent'}`;
    case 'resolved':
      return agent ? `Resolved (${agent})` : 'Resolved';
    case 'failed':
      return 'Failed';
    case 'timed_out':
      return 'Timed out: nobody claimed it';
    case 'cancelled':
      return 'Cancelled by the requester';
  }
}

/** The last turns that fit, oldest first, in sections within the section limit. */
function transcriptSections(turns: TranscriptTurn[]): SlackBlock[] {
  if (turns.length === 0) return [{ type: 'context', elements: [{ type: 'mrkdwn', text: '_No conversation with the bot before the hand-off._' }] }];
  const lines = turns.map((turn) => `*${speakers[turn.from]}:* ${escapeMrkdwn(truncateText(turn.text.replace(/\s+/g, ' ').trim(), turnChars))}`);
  const sections: string[] = [];
  for (const line of lines.reverse()) {
    const current = sections[0];
    if (current !== undefined && current.length + line.length + 1 <= L.sectionText) sections[0] = `${line}\n${current}`;
    else if (sections.length < transcriptBlocks) sections.unshift(line);
    else break; // older turns than fit in one post are left out
  }
  return sections.map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } }));
}

function ticketButtons(ticket: TicketView): ActionsBlock | undefined {
  const value = encodeTicketValue(ticket.ticketId);
  const elements: ButtonElement[] = [];
  if (ticket.state === 'queued') elements.push({ type: 'button', text: { type: 'plain_text', text: 'Claim' }, action_id: ticketActionId('claim'), value, style: 'primary' });
  if (ticket.state === 'queued' || ticket.state === 'assigned') {
    elements.push({ type: 'button', text: { type: 'plain_text', text: 'Resolve' }, action_id: ticketActionId('resolve'), value });
  }
  return elements.length > 0 ? { type: 'actions', elements } : undefined;
}

/** Slack's date token: shown in each reader's time zone, with a UTC fallback. */
function slackDate(epochMs: number): string {
  const seconds = Math.floor(epochMs / 1000);
  const fallback = new Date(epochMs).toISOString().replace('T', ' ').slice(0, 16);
  return `<!date^${seconds}^{date_short_pretty} {time}|${fallback} UTC>`;
}
