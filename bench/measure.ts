/**
 * One measurement of one path on one system under test: drive the load, wait for the sinks to
 * see what was sent, and turn traces into throughput, added latency and CPU cost per event.
 *   (a) signed Slack DM event → Converse request at the fake Chat API
 *   (b) Ultimate sendMessage webhook → chat.postMessage at the fake Slack API
 *   (a-new) the same, but every event is the first message of a new DM: the system looks up the
 *       requester's profile (users.info at the fake Slack API) and creates the conversation
 *   (c) isTeamOnline webhook → its answer (response latency, no sink involved)
 */
import { msBetween, nowNs, summarize, type LatencySummary, type RunTrace, type TraceBook } from './correlation.js';
import { runLoad, type LoadResult, type LoadShape } from './load.js';
import { isTeamOnlineBody, requester, sendMessageBody, signedDmEvent, webhookHeaders } from './payloads.js';
import type { SutProcess } from './sut-process.js';
import type { ChildStats } from './sut/child-probes.js';

/** The paths. */
export type PathName = 'a' | 'a-new' | 'b' | 'c';

/** What one measurement found. */
export interface PathMeasurement extends LatencySummary {
  system: string;
  path: PathName;
  shape: LoadShape;
  /** Events delivered to the sink per second inside the window (for (c): answers per second). */
  eventsPerS: number;
  /** 2xx answers per second inside the window. */
  acksPerS: number;
  /** Sent inside the window, answered 2xx or not, never seen at the sink. */
  missing: number;
  non2xx: number;
  errors: number;
  firstRejection?: string;
  /** CPU time of the system under test per delivered event, microseconds. */
  cpuUsPerEvent: number;
  /** CPU use of this (load generator + sinks) process during the load, % of one core. */
  driverCpuPercent: number;
  /** New TCP connections the sinks accepted during the run (a client without keep-alive opens one per call). */
  sinkConnections: number;
  /** Garbage collection in the system under test during the run: share of wall time, and the longest pause. */
  gcPercent: number;
  gcMaxPauseMs: number;
}

/** Everything a measurement needs. */
export interface MeasureContext {
  book: TraceBook;
  durationS: number;
  warmupS: number;
  /** How long to wait after the load for stragglers to reach the sinks. */
  drainMs: number;
  /** Connections the sinks have accepted so far. */
  sinkConnections: () => number;
}

/** (a): DM events round-robin over `channels` (indexes of `requester`). */
export function measureSlackEvents(sut: SutProcess, shape: LoadShape, channels: number, context: MeasureContext): Promise<PathMeasurement> {
  const trace = context.book.open();
  let next = 0;
  const build = () => {
    const who = requester(next++ % channels);
    return signedDmEvent({ ...who, text: `Where is my order ${trace.send(who.channel)}?` });
  };
  return measureWithTrace(sut, 'a', shape, context, trace, { path: '/slack/events', build });
}

/**
 * (a-new): DM events each from a requester never seen before, numbered from `cursor.next`
 * (advanced past every requester used, so the next run starts fresh again).
 */
export function measureNewConversations(sut: SutProcess, shape: LoadShape, cursor: { next: number }, context: MeasureContext): Promise<PathMeasurement> {
  const trace = context.book.open();
  const build = () => {
    const who = requester(cursor.next++);
    return signedDmEvent({ ...who, text: `Hello, first time here ${trace.send(who.channel)}` });
  };
  return measureWithTrace(sut, 'a-new', shape, context, trace, { path: '/slack/events', build });
}

/**
 * Wait until every token sent so far, in any run, has reached a sink (a system that acks before
 * it delivers may still work through a backlog), so one measurement's backlog does not slow the
 * next. Returns how many are still pending at the deadline.
 */
export async function quiesce(book: TraceBook, deadlineMs: number): Promise<number> {
  const deadline = Date.now() + deadlineMs;
  while (book.pending() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  const left = book.pending();
  // What did not arrive by now never will, or only as a trickle: do not wait for it again.
  book.waitedForAll();
  return left;
}

/** (b): sendMessage webhooks round-robin over existing conversations. */
export function measureSendMessage(sut: SutProcess, shape: LoadShape, conversationIds: readonly string[], context: MeasureContext): Promise<PathMeasurement> {
  if (conversationIds.length === 0) throw new Error(`${sut.name}: no conversations to send to`);
  const trace = context.book.open();
  let next = 0;
  const build = () => ({
    body: sendMessageBody(conversationIds[next++ % conversationIds.length]!, `Your order ${trace.send()} ships today.`),
    headers: webhookHeaders,
  });
  return measureWithTrace(sut, 'b', shape, context, trace, { path: '/converse-webhook', build });
}

/** (c): isTeamOnline webhooks; latency is the answer's. */
export async function measureTeamOnline(sut: SutProcess, shape: LoadShape, context: MeasureContext): Promise<PathMeasurement> {
  const body = isTeamOnlineBody();
  const before = await sut.stats();
  const connectionsBefore = context.sinkConnections();
  const driver = driverMeter();
  const load = await runLoad({ url: sut.url, path: '/converse-webhook', shape, durationS: context.durationS, warmupS: context.warmupS, build: () => ({ body, headers: webhookHeaders }) });
  const driverCpuPercent = driver();
  const after = await sut.stats();
  return {
    system: sut.name,
    path: 'c',
    shape,
    ...summarize(load.responseMs),
    eventsPerS: load.okInWindow / load.windowS,
    acksPerS: load.okInWindow / load.windowS,
    missing: 0,
    ...failures(load),
    cpuUsPerEvent: (after.cpuUs - before.cpuUs) / Math.max(1, load.okTotal),
    driverCpuPercent,
    sinkConnections: context.sinkConnections() - connectionsBefore,
    ...gcDuring(before, after),
  };
}

/**
 * Create `count` conversations through path (a), one DM each (requesters `first` onwards), and
 * return the platformConversationId the fake Chat API saw for each, in requester order.
 */
export async function warmUpConversations(sut: SutProcess, count: number, book: TraceBook, first = 0): Promise<string[]> {
  const trace = await sendAll(sut, 'warm-up conversations', '/slack/events', count, book, (runTrace, index) => {
    const who = requester(first + index);
    return signedDmEvent({ ...who, text: `Hello ${runTrace.send(who.channel)}` });
  });
  const seen = trace.seenByLabel();
  return Array.from({ length: count }, (_, index) => {
    const id = seen.get(requester(first + index).channel);
    if (id === undefined) throw new Error(`${sut.name}: warm-up conversation ${first + index} reached the Chat API without its platformConversationId`);
    return id;
  });
}

/** Send `count` more messages, over 8 connections, to the DMs of the first `conversations` requesters, each until it reached the Chat API. */
export async function followUpMessages(sut: SutProcess, count: number, conversations: number, book: TraceBook): Promise<void> {
  await sendAll(sut, 'follow-up messages', '/slack/events', count, book, (trace, index) => {
    const who = requester(index % conversations);
    return signedDmEvent({ ...who, text: `And one more thing ${trace.send(who.channel)}` });
  });
}

/** A bot answer (sendMessage webhook) to each conversation, each until it reached chat.postMessage. */
export async function answerConversations(sut: SutProcess, conversationIds: readonly string[], book: TraceBook): Promise<void> {
  await sendAll(sut, 'bot answers', '/converse-webhook', conversationIds.length, book, (trace, index) => ({
    body: sendMessageBody(conversationIds[index]!, `Your order ${trace.send()} ships today.`),
    headers: webhookHeaders,
  }));
}

/** Send `count` requests over 8 connections and wait until every one reached its sink; throws if one did not. Returns their trace. */
async function sendAll(
  sut: SutProcess,
  what: string,
  path: string,
  count: number,
  book: TraceBook,
  request: (trace: RunTrace, index: number) => { body: string; headers: Record<string, string> },
): Promise<RunTrace> {
  const trace = book.open();
  let next = 0;
  const load = await runLoad({ url: sut.url, path, shape: { kind: 'amount', amount: count, connections: 8 }, durationS: 0, warmupS: 0, build: () => request(trace, next++) });
  await drain(trace, load, 10_000);
  const pending = trace.pendingBetween(load.windowFrom, load.windowTo);
  if (load.non2xx > 0 || load.errors > 0 || pending > 0) {
    throw new Error(`${sut.name}: ${what}: ${load.non2xx} non-2xx, ${load.errors} errors, ${pending} never reached the sink (first rejection: ${load.firstRejection ?? 'none'})`);
  }
  return trace;
}

async function measureWithTrace(
  sut: SutProcess,
  path: PathName,
  shape: LoadShape,
  context: MeasureContext,
  trace: RunTrace,
  request: { path: string; build: () => { body: string; headers: Record<string, string> } },
): Promise<PathMeasurement> {
  const before = await sut.stats();
  const connectionsBefore = context.sinkConnections();
  const driver = driverMeter();
  const load = await runLoad({ url: sut.url, path: request.path, shape, durationS: context.durationS, warmupS: context.warmupS, build: request.build });
  const driverCpuPercent = driver();
  await drain(trace, load, context.drainMs);
  const after = await sut.stats();
  const { latenciesMs, missing } = trace.latenciesBetween(load.windowFrom, load.windowTo);
  return {
    system: sut.name,
    path,
    shape,
    ...summarize(latenciesMs),
    eventsPerS: trace.arrivalsBetween(load.windowFrom, load.windowTo) / load.windowS,
    acksPerS: load.okInWindow / load.windowS,
    missing,
    ...failures(load),
    cpuUsPerEvent: (after.cpuUs - before.cpuUs) / Math.max(1, trace.arrived),
    driverCpuPercent,
    sinkConnections: context.sinkConnections() - connectionsBefore,
    ...gcDuring(before, after),
  };
}

/** Wait (polling, with a deadline) until everything sent in the window has reached a sink. */
async function drain(trace: RunTrace, load: LoadResult, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (trace.pendingBetween(load.windowFrom, load.windowTo) > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function failures(load: LoadResult): { non2xx: number; errors: number; firstRejection?: string } {
  return load.firstRejection === undefined ? { non2xx: load.non2xx, errors: load.errors } : { non2xx: load.non2xx, errors: load.errors, firstRejection: load.firstRejection };
}

/** GC share and longest pause between two readings (the first reading reset the longest pause). */
function gcDuring(before: ChildStats, after: ChildStats): { gcPercent: number; gcMaxPauseMs: number } {
  return { gcPercent: (100 * (after.gcPauseMs - before.gcPauseMs)) / Math.max(1, after.wallMs - before.wallMs), gcMaxPauseMs: after.gcMaxPauseMs };
}

/** Starts measuring this process's CPU; the returned function gives % of one core since then. */
function driverMeter(): () => number {
  const cpuBefore = process.cpuUsage();
  const wallBefore = nowNs();
  return () => {
    const cpu = process.cpuUsage(cpuBefore);
    return (100 * (cpu.user + cpu.system)) / Math.max(1, msBetween(wallBefore, nowNs()) * 1000);
  };
}
