/**
 * What may reach a Teams reader as markup, and what must not: the URL schemes a button, link or
 * image may use (the ones Slack's renderer allows), and escaping of text that is to show
 * literally (names, a requester's own words relayed to agents), so it cannot forge a labelled
 * link, a mention or formatting. Pure, shared by the message and the ticket card renderers.
 */

/** Links a reader may open: web pages and e-mail, never `javascript:`, `file:` or `data:`. */
const linkSchemes = /^(https?:\/\/|mailto:)\S+$/i;

/** Images Teams fetches: web URLs only (a `file:` URL would make Windows clients try an SMB share). */
const imageSchemes = /^https?:\/\/\S+$/i;

/** Whether a button or link may carry this URL. */
export function isLinkUrl(url: string): boolean {
  return linkSchemes.test(url);
}

/** Whether an image may be shown from this URL. */
export function isImageUrl(url: string): boolean {
  return imageSchemes.test(url);
}

/**
 * Escape text so Teams Markdown (messages and Adaptive Card text blocks) shows it as written:
 * a CommonMark backslash before what opens emphasis, code, links and images (`[`), HTML tags
 * such as `<at>`, autolinks and quotes (`<`, `>`), and before list and heading marks at a line's
 * start. Periods, parentheses and the like elsewhere stay as they are, so prose reads normally.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]<>~]/g, '\\$&')
    .replace(/^([ \t]*)([#+-])/gm, '$1\\$2')
    .replace(/^([ \t]*\d+)([.)])/gm, '$1\\$2');
}
