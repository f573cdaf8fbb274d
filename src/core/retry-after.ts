/**
 * The one `Retry-After` parser of the bridge (RFC 9110 section 10.2.3): bot clients, the widget
 * API client and the platform adapters read the header through it, so a value means the same
 * wait everywhere. The clock is a parameter because an HTTP date is relative to "now".
 */

/**
 * `Retry-After` in milliseconds: delay-seconds (`"7"` → 7000; fractions are accepted although the
 * RFC allows only integers) or an HTTP date (its distance from `nowMs`, never negative). Undefined
 * when the header is absent or unreadable, so the caller falls back to its own backoff.
 */
export function parseRetryAfterMs(value: unknown, nowMs: number = Date.now()): number | undefined {
  // Node gives a repeated header as an array; the first value is the one a client would act on.
  const raw = Array.isArray(value) ? value[0] : value;
  if (typeof raw !== 'string') return undefined;
  const trimmed = raw.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // Every HTTP date form names its month; without one, V8's lenient Date.parse would read "-1" as a year.
  if (!/[A-Za-z]{3}/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
