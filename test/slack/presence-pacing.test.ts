/**
 * users.getPresence pacing on a fixed clock: a desk of 200 members asked for every second for five
 * minutes, Slack answering every call. The adapter's token bucket (bursts of 10, then 40 a minute)
 * keeps every 60 s window at or under Tier 3's 50 calls, and still spends the budget it has.
 */
import { describe, expect, it } from 'vitest';
import { slackPresenceBudget } from '../../adapters/slack/desk/desk-presence.js';
import { FakeSlackApi } from './support/fake-slack-api.js';
import { useSlackHarness, type SlackHarness } from './support/slack-harness.js';

const api = new FakeSlackApi();
let harness: SlackHarness;
let clock = Date.parse('2026-11-23T09:00:00Z');
useSlackHarness(api, (started) => (harness = started), { now: () => clock });

const desk = { id: 'big-desk', channel: 'C0BIGDESK' };
const members = Array.from({ length: 200 }, (_, index) => `UMEMBER${String(index).padStart(3, '0')}`);

describe('Slack presence pacing', () => {
  it('never makes more than 50 users.getPresence calls in any minute', async () => {
    const calledAt: number[] = [];
    api.on('users.getPresence', () => {
      calledAt.push(clock);
      return { presence: 'away' };
    });
    const start = clock;
    for (let second = 0; second < 300; second++) {
      await harness.adapter.desk!.presence.readPresence({ desk, userIds: members, onReading: () => undefined });
      clock += 1_000;
    }
    const windows = calledAt.map((at) => calledAt.filter((other) => other >= at && other < at + 60_000).length);
    expect(Math.max(...windows)).toBeLessThanOrEqual(50);
    expect(slackPresenceBudget.capacity + slackPresenceBudget.refillPerMinute).toBeLessThanOrEqual(50);
    // The burst, then 40 a minute for the five minutes (the last call may fall just short).
    expect(calledAt.length).toBeGreaterThanOrEqual(10 + 40 * 5 - 1);
    expect(calledAt.filter((at) => at === start)).toHaveLength(10);
  });
});
