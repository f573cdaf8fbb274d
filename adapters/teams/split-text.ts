/**
 * Splitting long text into pieces that fit a size, at the most natural boundary available
 * (paragraph, line, sentence, word), so a long bot answer arrives as readable messages.
 */

/** Split `text` into pieces of at most `maxChars` characters, none of them empty. */
export function splitText(text: string, maxChars: number): string[] {
  if (maxChars < 1) throw new RangeError('maxChars must be at least 1');
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > maxChars) {
    const cut = cutPoint(rest, maxChars);
    const piece = rest.slice(0, cut).trimEnd();
    if (piece) pieces.push(piece);
    rest = rest.slice(cut).trimStart();
  }
  if (rest.trim()) pieces.push(rest);
  return pieces;
}

/** Shorten `text` to `maxChars`, marking the cut with an ellipsis. */
export function truncate(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, Math.max(0, maxChars - 1)).trimEnd()}…`;
}

function cutPoint(text: string, maxChars: number): number {
  const window = text.slice(0, maxChars);
  // Prefer the latest boundary in the second half of the window; a cut too early wastes space.
  for (const boundary of ['\n\n', '\n', '. ', ' ']) {
    const at = window.lastIndexOf(boundary);
    if (at >= maxChars / 2) return at + boundary.length;
  }
  return maxChars;
}
