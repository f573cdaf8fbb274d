/**
 * The dashboard and the alert rules: every metric they query is one DESIGN.md section 7 names,
 * every expression is valid PromQL (the real promtool, installed by .ci/run), and every alert has
 * a summary and a runbook the README's Operate section explains.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { alertRules, dashboardQueries, deployDir, designMetricNames, metricFamiliesIn, repoRoot, tool } from './deploy-files.js';

const design = new Set<string>(designMetricNames);
const rules = alertRules().groups.flatMap((group) => group.rules);
const queries = dashboardQueries();
const scratch = mkdtempSync(join(tmpdir(), 'bridge-promql-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** promtool's verdict on a rules file. */
function checkRules(path: string): string {
  return execFileSync(tool('promtool'), ['check', 'rules', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Grafana's variables replaced by values Prometheus accepts, so promtool can parse the query. */
function asPromql(expr: string): string {
  return expr.replaceAll('$__rate_interval', '5m').replaceAll('$job', '.+').replaceAll('$desk', '.*');
}

describe('metric names', () => {
  it('the extraction finds names and strips histogram suffixes', () => {
    expect(metricFamiliesIn('sum(rate(bridge_x_seconds_bucket[5m])) / bridge_y_total{a="bridge_z"}')).toEqual(['bridge_x_seconds', 'bridge_y_total', 'bridge_z']);
  });

  it('every dashboard query names only DESIGN metrics, and names at least one', () => {
    expect(queries.length).toBeGreaterThan(20);
    for (const { panel, expr } of queries) {
      const names = metricFamiliesIn(expr);
      expect(names.length, panel).toBeGreaterThan(0);
      for (const name of names) expect(design.has(name), `${panel}: ${name}`).toBe(true);
    }
  });

  it('every alert names only DESIGN metrics', () => {
    for (const rule of rules) {
      for (const name of metricFamiliesIn(rule.expr)) expect(design.has(name), `${rule.alert}: ${name}`).toBe(true);
    }
  });

  it('the dashboard shows every DESIGN metric', () => {
    const shown = new Set(queries.flatMap(({ expr }) => metricFamiliesIn(expr)));
    expect([...design].filter((name) => !shown.has(name))).toEqual([]);
  });
});

describe('alert rules', () => {
  it('cover dead letters, outbox age, 429 storms, an unreachable bot and SLA breaches', () => {
    const byMetric = (metric: string) => rules.filter((rule) => metricFamiliesIn(rule.expr).includes(metric)).map((rule) => rule.alert);
    expect(byMetric('bridge_dead_letters_total')).toEqual(['BridgeDeadLetters']);
    expect(byMetric('bridge_outbox_oldest_age_seconds')).toEqual(['BridgeOutboxStalled']);
    expect(byMetric('bridge_rate_limited_total')).toEqual(['BridgeRateLimitStorm']);
    expect(byMetric('bridge_bot_requests_total')).toEqual(['BridgeBotUnreachable']);
    expect(byMetric('bridge_sla_breaches_total')).toEqual(['BridgeSlaBreaches']);
  });

  it('each has a severity, a summary and a runbook hint that the README Operate section explains', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const start = readme.indexOf('\n## Operate\n');
    expect(start).toBeGreaterThan(0);
    const end = readme.indexOf('\n## ', start + 1);
    const operate = readme.slice(start, end === -1 ? undefined : end);
    for (const rule of rules) {
      expect(['info', 'warning', 'critical'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toMatch(/\S/);
      expect(rule.annotations?.runbook, rule.alert).toContain(`Operate > Alerts > ${rule.alert}`);
      expect(operate, rule.alert).toContain(`#### ${rule.alert}`);
    }
  });

  it('is a valid Prometheus rules file', () => {
    expect(checkRules(join(deployDir, 'prometheus/alerts.yaml'))).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('promtool rejects a broken expression (the check above can fail)', () => {
    const path = join(scratch, 'broken.yaml');
    writeFileSync(path, stringify({ groups: [{ name: 'x', rules: [{ record: 'x:y', expr: 'sum(rate(bridge_tickets[5m])' }] }] }));
    expect(() => checkRules(path)).toThrow();
  });
});

describe('dashboard queries', () => {
  it('are valid PromQL', () => {
    const path = join(scratch, 'dashboard.yaml');
    const promql = queries.filter((query) => query.language === 'promql');
    const records = promql.map(({ expr }, index) => ({ record: `dashboard:query_${index}`, expr: asPromql(expr) }));
    writeFileSync(path, stringify({ groups: [{ name: 'dashboard', rules: records }] }));
    expect(checkRules(path)).toContain(`SUCCESS: ${records.length} rules found`);
  });

  it('is a dashboard Grafana can import: unique panel ids, a Prometheus datasource variable', () => {
    const dashboard = JSON.parse(readFileSync(join(deployDir, 'grafana/channel-bridge.json'), 'utf8'));
    const ids = dashboard.panels.map((panel: { id: number }) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(dashboard.templating.list[0]).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
    for (const panel of dashboard.panels.filter((panel: { type: string }) => panel.type !== 'row')) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
    }
  });
});
