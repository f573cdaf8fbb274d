import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { capturingLogger } from '../support/silent-logger.js';

describe('logger', () => {
  it('redacts secret fields, personal data and configured secret values', () => {
    const { logger, lines } = capturingLogger({ secrets: ['xoxb-super-secret'] });
    logger.info({ token: 'abc', profile: { email: 'ada@example.com' }, metaData: [{ key: 'email', value: 'ada@example.com' }] }, 'using xoxb-super-secret');
    const line = lines.join('\n');
    expect(line).not.toContain('abc');
    expect(line).not.toContain('ada@example.com');
    expect(line).not.toContain('xoxb-super-secret');
  });

  it('logs HTTP client errors without their request headers', async () => {
    const { logger, lines } = capturingLogger();
    const error = await axios
      .post('http://127.0.0.1:1/converse/chat', {}, { headers: { Authorization: 'key-123456' }, timeout: 1000 })
      .catch((caught: unknown) => caught);
    logger.error({ err: error }, 'failed');
    expect(lines.join('\n')).not.toContain('key-123456');
    expect(JSON.parse(lines[0]!).err).toMatchObject({ code: 'ECONNREFUSED' });
  });
});
