/**
 * Bot Markdown → Slack mrkdwn, and text fitting. Pure.
 *
 * Every `&`, `<` and `>` of the bot's text is escaped first, so nothing the bot writes can become
 * a Slack control sequence (`<!channel>`, `<@U123>`, `<!subteam^…>`): the only `<…>` in the
 * output are links this module builds from Markdown links, whose parts are escaped too.
 */

const controlMarks = /[\u0001\u0002]/g;
const boldMark = '\u0001';
const linkMark = '\u0002';

/** Escape the three characters Slack treats as markup in text. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Convert the bot's Markdown (bold, italics, strike, links, headings, lists, quotes, code) to mrkdwn. */
export function markdownToMrkdwn(markdown: string): string {
  let inFence = false;
  const lines = markdown.replace(controlMarks, '').replace(/\r\n?/g, '\n').split('\n');
  return lines
    .map((line) => {
      if (/^\s*```/.test(line)) {
        inFence = !inFence;
        return '```';
      }
      return inFence ? escapeMrkdwn(line) : convertLine(line);
    })
    .join('\n');
}

function convertLine(line: string): string {
  const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
  if (heading) {
    const content = convertInline(heading[1]!.replace(/\*\*|__/g, ''));
    return content === '' ? '' : `*${content}*`;
  }
  const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(line);
  if (bullet) return `${bullet[1]}• ${convertInline(bullet[2]!)}`;
  // A literal ">" at the start of a line is Slack's quote marker; it cannot form a mention.
  const quote = /^\s{0,3}>\s?(.*)$/.exec(line);
  if (quote) return `> ${convertInline(quote[1]!)}`;
  return convertInline(line);
}

/** Inline Markdown of one line; code spans are only escaped. */
function convertInline(text: string): string {
  return text
    .split(/(`[^`\n]+`)/)
    .map((part, index) => (index % 2 === 1 ? escapeMrkdwn(part) : convertProse(part)))
    .join('');
}

function convertProse(text: string): string {
  const links: string[] = [];
  const hold = (rendered: string) => `${linkMark}${links.push(rendered) - 1}${linkMark}`;
  let out = text
    .replace(/\[([^\]\n]+)\]\(\s*<?([^()\s<>]+)>?(?:\s+"[^"\n]*")?\s*\)/g, (_match, label: string, url: string) =>
      hold(mrkdwnLink(url, label)),
    )
    .replace(/<((?:https?:\/\/|mailto:)[^<>\s]+)>/gi, (_match, url: string) => hold(mrkdwnLink(url)));
  out = escapeMrkdwn(out)
    .replace(/\*\*(?!\s)([^*\n]+?)(?<!\s)\*\*/g, `${boldMark}$1${boldMark}`)
    .replace(/__(?!\s)([^_\n]+?)(?<!\s)__/g, `${boldMark}$1${boldMark}`)
    .replace(/(^|[^\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])/g, '$1_$2_')
    .replace(/~~(?!\s)([^~\n]+?)(?<!\s)~~/g, '~$1~');
  return out.replaceAll(boldMark, '*').replace(new RegExp(`${linkMark}(\\d+)${linkMark}`, 'g'), (_m, index: string) => links[Number(index)]!);
}

/** `<url|label>` for web and mail links; anything else stays visible, escaped text. */
export function mrkdwnLink(url: string, label?: string): string {
  if (!/^(https?:\/\/|mailto:)/i.test(url)) return escapeMrkdwn(label ? `${label} (${url})` : url);
  const safeUrl = escapeMrkdwn(url.replace(/\|/g, '%7C'));
  return label ? `<${safeUrl}|${escapeMrkdwn(label)}>` : `<${safeUrl}>`;
}

/** Shorten to at most `max` characters (UTF-16 units, as Slack counts), ending with "…". Never splits a surrogate pair. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** Shorten mrkdwn without cutting an escape (`&amp;`) or a link (`<url|label>`) in half. */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, safeCut(text, Math.max(0, max - 1)))}…`;
}

/**
 * Split mrkdwn into pieces of at most `max` characters, preferring paragraph, line and word
 * boundaries; code fences cut in two are closed and reopened so each piece renders alone.
 */
export function splitMrkdwn(text: string, max: number): string[] {
  const fence = '```';
  const budget = max - (fence.length + 1) * 2;
  const pieces: string[] = [];
  let rest = text;
  let reopen = false;
  while (rest.length > 0) {
    const head: string = reopen ? `${fence}\n` : '';
    if (head.length + rest.length <= max) {
      pieces.push(head + rest);
      break;
    }
    const cut = chooseCut(rest, budget);
    let piece: string = head + rest.slice(0, cut).replace(/\s+$/, '');
    reopen = countOccurrences(piece, fence) % 2 === 1;
    if (reopen) piece += `\n${fence}`;
    pieces.push(piece);
    rest = rest.slice(cut).replace(/^\n+/, '');
  }
  return pieces.filter((piece) => piece.trim() !== '');
}

function chooseCut(text: string, budget: number): number {
  const window = text.slice(0, budget + 1);
  for (const separator of ['\n\n', '\n', ' ']) {
    const at = window.lastIndexOf(separator);
    if (at >= budget / 2) return safeCut(text, at + separator.length);
  }
  return safeCut(text, budget);
}

/** Move a cut position back so it falls outside escapes, links and surrogate pairs. */
function safeCut(text: string, position: number): number {
  let cut = position;
  const ampersand = text.lastIndexOf('&', cut - 1);
  if (ampersand >= 0 && cut - ampersand <= 5 && !text.slice(ampersand, cut).includes(';')) cut = ampersand;
  const open = text.lastIndexOf('<', cut - 1);
  if (open > text.lastIndexOf('>', cut - 1) && open > 0) cut = open;
  if (cut > 0 && isHighSurrogate(text.charCodeAt(cut - 1))) cut -= 1;
  return cut > 0 ? cut : Math.min(position, text.length);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function countOccurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}
