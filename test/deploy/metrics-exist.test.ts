/**
 * Every metric family the dashboard and the alert rules query is exposed by GET /metrics of a
 * running bridge (real HTTP on loopback, memory store), so no panel or alert watches a name the
 * bridge does not export.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridgeUnderTest, type BridgeUnderTest } from '../support/bridge-under-test.js';
import { alertRules, dashboardQueries, metricFamiliesIn } from './deploy-files.js';

let bridge: BridgeUnderTest;
let exposed: Set<string>;

beforeAll(async () => {
  bridge = await startBridgeUnderTest({ STORE_URL: 'memory:' });
  const response = await fetch(`${bridge.url}/metrics`);
  expect(response.status).toBe(200);
  // `# TYPE <family> <type>` names each family once, also before any sample has been recorded.
  exposed = new Set([...(await response.text()).matchAll(/^# TYPE (\S+) \S+$/gm)].map((match) => match[1]!));
});

afterAll(async () => {
  await bridge?.stop();
});

describe('GET /metrics of a running bridge', () => {
  it('exposes every metric family the Grafana dashboard queries', () => {
    const referenced = new Set(dashboardQueries().flatMap(({ expr }) => metricFamiliesIn(expr)));
    expect([...referenced].filter((name) => !exposed.has(name)).sort()).toEqual([]);
  });

  it('exposes every metric family the alert rules query', () => {
    const referenced = new Set(alertRules().groups.flatMap((group) => group.rules.flatMap((rule) => metricFamiliesIn(rule.expr))));
    expect([...referenced].filter((name) => !exposed.has(name)).sort()).toEqual([]);
  });
});
