/**
 * Poll with a deadline: waits for a condition that asynchronous work (after Slack's ack) makes
 * true, without fixed sleeps.
 */

/** Resolve with the value once `probe` returns something other than undefined; reject after `timeoutMs`. */
export async function waitUntil<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
