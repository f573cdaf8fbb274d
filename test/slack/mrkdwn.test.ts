/**
 * Markdown → mrkdwn and text fitting: escaping, links, splitting at safe places.
 */
import { describe, expect, it } from 'vitest';
import { markdownToMrkdwn, splitMrkdwn, truncateText } from '../../adapters/slack/mrkdwn.js';

describe('markdownToMrkdwn', () => {
  it('converts links and keeps non-web links as text', () => {
    expect(markdownToMrkdwn('[Site](https://a.example/x|y) and [Files](ftp://x.example/f) and <https://b.example>')).toBe(
      '<https://a.example/x%7Cy|Site> and Files (ftp://x.example/f) and <https://b.example>',
    );
  });

  it('cannot be tricked into a mention through a link label or URL', () => {
    expect(markdownToMrkdwn('[<!channel>](https://a.example/x)')).toBe('<https://a.example/x|&lt;!channel&gt;>');
    for (const attempt of ['[x](https://a.example/<!here>)', '<https://a.example|<!channel>>', '[<@U1>](https://a.example)', '**<!everyone>**']) {
      expect(markdownToMrkdwn(attempt)).not.toMatch(/<[!@#]/);
    }
  });

  it('leaves fenced code unformatted but escaped', () => {
    expect(markdownToMrkdwn('```ts\nconst a = **b** < c;\n```')).toBe('```\nconst a = **b** &lt; c;\n```');
  });
});

describe('splitMrkdwn', () => {
  it('splits at line breaks and never inside an escape or a link', () => {
    const text = `${'a'.repeat(40)} &amp; <https://example.com/long|label> ${'b'.repeat(40)}`;
    const pieces = splitMrkdwn(text, 50);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(50);
      expect(piece).not.toMatch(/&[a-z]*$/);
      expect((piece.match(/</g) ?? []).length).toBe((piece.match(/>/g) ?? []).length);
    }
    expect(pieces.join(' ').replace(/\s+/g, ' ')).toBe(text);
  });

  it('closes and reopens a code fence cut in two', () => {
    const pieces = splitMrkdwn(`\`\`\`\n${'line\n'.repeat(30)}\`\`\``, 60);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) expect((piece.match(/```/g) ?? []).length % 2).toBe(0);
  });
});

describe('truncateText', () => {
  it('ends with an ellipsis within the limit and keeps surrogate pairs whole', () => {
    expect(truncateText('abcdef', 4)).toBe('abc…');
    expect(truncateText('ab🎉cd', 4)).toBe('ab…');
    expect(truncateText('short', 10)).toBe('short');
  });
});
