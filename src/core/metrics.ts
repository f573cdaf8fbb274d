/**
 * Prometheus metrics (prom-client), one registry per bridge instance so tests can run several.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The bridge's metrics. Label values are bounded sets (platform, event type, outcome). */
export class Metrics {
  readonly registry = new Registry();

  /** Events received, by platform (`slack`, `teams`, `ultimate`, ...) and type. */
  readonly eventsIn = new Counter({ name: 'bridge_events_in_total', help: 'Events received by platform and type', labelNames: ['platform', 'type'], registers: [this.registry] });
  /** Events sent, by platform and type. */
  readonly eventsOut = new Counter({ name: 'bridge_events_out_total', help: 'Events sent by platform and type', labelNames: ['platform', 'type'], registers: [this.registry] });
  /** Time from an outbox entry being queued to its delivery. */
  readonly deliveryLatency = new Histogram({
    name: 'bridge_delivery_latency_seconds',
    help: 'Seconds from queueing an outbox entry to its delivery, by destination',
    labelNames: ['destination'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  /** Delivery attempts that failed and will be retried. */
  readonly deliveryRetries = new Counter({ name: 'bridge_delivery_retries_total', help: 'Delivery attempts retried, by destination', labelNames: ['destination'], registers: [this.registry] });
  /** Entries that finally failed and went to the dead letters. */
  readonly deadLetters = new Counter({ name: 'bridge_dead_letters_total', help: 'Outbox entries dead-lettered, by destination', labelNames: ['destination'], registers: [this.registry] });
  /** Pending outbox entries (refreshed by the sweep). */
  readonly outboxDepth = new Gauge({ name: 'bridge_outbox_depth', help: 'Pending outbox entries, by destination', labelNames: ['destination'], registers: [this.registry] });
  /** Age of the oldest pending outbox entry (refreshed by the sweep). */
  readonly outboxOldestAge = new Gauge({ name: 'bridge_outbox_oldest_age_seconds', help: 'Age of the oldest pending outbox entry, by destination', labelNames: ['destination'], registers: [this.registry] });
  /** Answers of 429 (or a Retry-After) from a platform or the bot. */
  readonly rateLimited = new Counter({ name: 'bridge_rate_limited_total', help: 'Rate-limited calls, by platform', labelNames: ['platform'], registers: [this.registry] });
  /** Calls to the bot API by outcome. */
  readonly botRequests = new Counter({ name: 'bridge_bot_requests_total', help: 'Requests to the bot API', labelNames: ['outcome'], registers: [this.registry] });
  /** Tickets currently in each state. */
  readonly ticketsByState = new Gauge({ name: 'bridge_tickets', help: 'Tickets by state', labelNames: ['state'], registers: [this.registry] });
  /** Seconds from a ticket being opened to its claim. */
  readonly timeToClaim = new Histogram({ name: 'bridge_ticket_time_to_claim_seconds', help: 'Seconds from ticket opened to claimed, by desk', labelNames: ['desk'], buckets: [10, 30, 60, 120, 300, 600, 1800, 3600], registers: [this.registry] });
  /** Seconds from a ticket being opened to the first agent reply relayed to the requester. */
  readonly firstResponse = new Histogram({
    name: 'bridge_ticket_first_response_seconds',
    help: 'Seconds from ticket opened to the first agent reply, by desk',
    labelNames: ['desk'],
    buckets: [30, 60, 120, 300, 600, 1800, 3600, 14400],
    registers: [this.registry],
  });
  /** First-response SLA breaches (one per ticket at most). */
  readonly slaBreaches = new Counter({ name: 'bridge_sla_breaches_total', help: 'First-response SLA breaches, by desk', labelNames: ['desk'], registers: [this.registry] });
  /** Requesters' ratings after a resolve; `score` is 1 to 5. */
  readonly csatResponses = new Counter({ name: 'bridge_csat_responses_total', help: 'CSAT answers, by desk and score', labelNames: ['desk', 'score'], registers: [this.registry] });
  /** Seconds from a ticket being opened to its resolution. */
  readonly timeToResolve = new Histogram({ name: 'bridge_ticket_time_to_resolve_seconds', help: 'Seconds from ticket opened to resolved, by desk', labelNames: ['desk'], buckets: [60, 300, 600, 1800, 3600, 7200, 14400, 86400], registers: [this.registry] });
  /** Presence answers by whether the cache had them. */
  readonly presenceLookups = new Counter({ name: 'bridge_presence_cache_total', help: 'isTeamOnline answers by cache result', labelNames: ['result'], registers: [this.registry] });
  /** HTTP requests by route and status. */
  readonly httpRequests = new Histogram({
    name: 'bridge_http_request_duration_seconds',
    help: 'Inbound HTTP request duration',
    labelNames: ['route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 3],
    registers: [this.registry],
  });

  constructor(options: { collectDefaults?: boolean } = {}) {
    if (options.collectDefaults) collectDefaultMetrics({ register: this.registry });
  }
}
