/**
 * TicketView → the ticket post in a Slack desk channel. Pure: rendered again on every state
 * change, so the post always shows the current state, how long the requester waits (a
 * `<!date^…>` token Slack shows as relative time), the SLA due time and the CSAT rating; the
 * controls only while they apply: Claim (queued), Release (assigned), Resolve, Back to bot and
 * the Transfer select (open tickets); none once closed or transferred away.
 */
import type { TicketState, TicketView, TranscriptTurn } from '../../../src/core/channel-adapter.js';
import type { ActionsBlock, ButtonElement, MrkdwnText, SlackBlock, SlackMessage, StaticSelectElement } from '../block-kit.js';
import { SLACK_LIMITS as L } from '../limits.js';
import { escapeMrkdwn, mrkdwnLink, truncateMrkdwn, truncateText } from '../mrkdwn.js';
import { encodeTicketValue, ticketActionId, ticketBlockId } from './ticket-action-codec.js';

/** Options of the Transfer select Slack allows. */
const maxTransferOptions = 100;

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
        ...timingLines(ticket),
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

/** Waiting since (relative), the SLA due time, the rating: what changes while the ticket is worked on. */
function timingLines(ticket: TicketView): MrkdwnText[] {
  const lines: MrkdwnText[] = [];
  if (ticket.waitingSince !== undefined && ticket.transferredTo === undefined) lines.push({ type: 'mrkdwn', text: `Requester waiting since ${slackDate(ticket.waitingSince, '{ago}')}` });
  if (ticket.slaDueAt !== undefined && ticket.waitingSince !== undefined && ticket.transferredTo === undefined) lines.push({ type: 'mrkdwn', text: `First reply due ${slackDate(ticket.slaDueAt, '{time}')}` });
  if (ticket.csat !== undefined) lines.push({ type: 'mrkdwn', text: `:star: Rated *${ticket.csat}/5* by the requester` });
  return lines;
}

function stateLine(ticket: TicketView): string {
  if (ticket.transferredTo !== undefined) return `:arrow_right: *${escapeMrkdwn(`Transferred to ${truncateText(ticket.transferredTo, 200)}`)}*`;
  const icons: Record<TicketState, string> = {
    queued: ':hourglass_flowing_sand:',
    assigned: ':raising_hand:',
    resolved: ':white_check_mark:',
    returned: ':robot_face:',
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
    case 'returned':
      return 'Back with the bot';
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
  if (ticket.transferredTo !== undefined || (ticket.state !== 'queued' && ticket.state !== 'assigned')) return undefined;
  const value = encodeTicketValue(ticket.ticketId);
  const button = (text: string, kind: 'claim' | 'release' | 'resolve' | 'return', style?: 'primary'): ButtonElement => ({
    type: 'button',
    text: { type: 'plain_text', text },
    action_id: ticketActionId(kind),
    value,
    ...(style ? { style } : {}),
  });
  const elements: Array<ButtonElement | StaticSelectElement> = [
    ticket.state === 'queued' ? button('Claim', 'claim', 'primary') : button('Release', 'release'),
    button('Resolve', 'resolve'),
    button('Back to bot', 'return'),
  ];
  const targets = (ticket.transferTargets ?? []).slice(0, maxTransferOptions);
  if (targets.length > 0) {
    elements.push({
      type: 'static_select',
      action_id: ticketActionId('transfer'),
      placeholder: { type: 'plain_text', text: 'Transfer' },
      options: targets.map((deskId) => ({ text: { type: 'plain_text', text: truncateText(deskId, 75) }, value: deskId })),
    });
  }
  return { type: 'actions', block_id: ticketBlockId(ticket.ticketId), elements };
}

/** Slack's date token: shown in each reader's time zone (or as relative time with `{ago}`), with a UTC fallback. */
function slackDate(epochMs: number, format = '{date_short_pretty} {time}'): string {
  const seconds = Math.floor(epochMs / 1000);
  const fallback = new Date(epochMs).toISOString().replace('T', ' ').slice(0, 16);
  return `<!date^${seconds}^${format}|${fallback} UTC>`;
}
