/**
 * Shared by the deploy tests: where the deploy files are, the metric names DESIGN.md section 7
 * fixes, the PromQL the dashboard and the alert rules hold, and the external tools they run.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

/** The repository root. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The deploy folder. */
export const deployDir = join(repoRoot, 'deploy');

/** The metric families of DESIGN.md section 7; these names are fixed. */
export const designMetricNames = [
  'bridge_events_in_total',
  'bridge_events_out_total',
  'bridge_outbox_depth',
  'bridge_outbox_oldest_age_seconds',
  'bridge_delivery_latency_seconds',
  'bridge_delivery_retries_total',
  'bridge_rate_limited_total',
  'bridge_dead_letters_total',
  'bridge_bot_requests_total',
  'bridge_tickets',
  'bridge_ticket_time_to_claim_seconds',
  'bridge_ticket_first_response_seconds',
  'bridge_ticket_time_to_resolve_seconds',
  'bridge_sla_breaches_total',
  'bridge_csat_responses_total',
  'bridge_presence_cache_total',
  'bridge_http_request_duration_seconds',
] as const;

/** One alerting rule of deploy/prometheus/alerts.yaml. */
export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The alert rules file, parsed. */
export function alertRules(): { groups: { name: string; rules: AlertRule[] }[] } {
  return parseYaml(readFileSync(join(deployDir, 'prometheus/alerts.yaml'), 'utf8'));
}

/** One PromQL expression of the dashboard, with where it comes from. */
export interface DashboardQuery {
  panel: string;
  expr: string;
  /** `promql` for a panel target; `grafana` for a templating query such as `label_values(...)`. */
  language: 'promql' | 'grafana';
}

/** Every PromQL expression of the Grafana dashboard: panel targets and templating queries. */
export function dashboardQueries(): DashboardQuery[] {
  const dashboard = JSON.parse(readFileSync(join(deployDir, 'grafana/channel-bridge.json'), 'utf8')) as {
    panels: { title: string; targets?: { expr: string }[]; panels?: unknown[] }[];
    templating: { list: { name: string; query?: string | { query: string } }[] };
  };
  const queries: DashboardQuery[] = [];
  for (const panel of dashboard.panels) {
    for (const target of panel.targets ?? []) queries.push({ panel: panel.title, expr: target.expr, language: 'promql' });
  }
  for (const variable of dashboard.templating.list) {
    const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
    if (query && query.includes('(')) queries.push({ panel: `variable ${variable.name}`, expr: query, language: 'grafana' });
  }
  return queries;
}

/** The metric families an expression names: `bridge_*` identifiers, histogram series suffixes removed. */
export function metricFamiliesIn(expr: string): string[] {
  const names = expr.match(/\bbridge_[a-z_]+\b/g) ?? [];
  return [...new Set(names.map((name) => name.replace(/_(bucket|sum|count)$/, '')))];
}

/** The path of an external tool, or a clear failure naming how CI installs it. */
export function tool(name: 'helm' | 'promtool' | 'haproxy'): string {
  const fromEnv = process.env[`${name.toUpperCase()}_BIN`];
  if (fromEnv) return fromEnv;
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`${name} is not installed: .ci/run installs it (or set ${name.toUpperCase()}_BIN)`);
  }
}
