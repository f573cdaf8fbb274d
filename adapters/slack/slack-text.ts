/**
 * Slack message text → plain text for the bot and the agents: Slack's markup (`<url|label>`,
 * `<@U1>`, `<#C1|name>`, `<!here>`, HTML escapes) becomes readable words. Pure.
 */

/** Plain text of a Slack message's `text`, with the given user's mentions (the bot's) removed. */
export function slackTextToPlain(text: string, removeUserId?: string): string {
  return text
    .replace(/<([^<>]+)>/g, (_token, inner: string) => renderToken(inner, removeUserId))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}

function renderToken(inner: string, removeUserId: string | undefined): string {
  const [target = '', label] = inner.split('|', 2) as [string, string | undefined];
  if (target.startsWith('@')) return target.slice(1) === removeUserId ? '' : `@${label ?? target.slice(1)}`;
  if (target.startsWith('#')) return `#${label ?? target.slice(1)}`;
  if (target.startsWith('!')) return `@${label ?? target.slice(1).split('^')[0]}`;
  if (label === undefined || label === target || target.replace(/^(https?:\/\/|mailto:)/i, '') === label) return target.replace(/^mailto:/i, '');
  return `${label} (${target})`;
}
