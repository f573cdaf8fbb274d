/**
 * A deadline for work that offers no timeout of its own (readiness checks, MSAL token requests,
 * a proactive Teams turn as a whole, waits at shutdown): the promise rejects when the time is up.
 */

/** Resolve with `work`, or reject after `ms` with an error named `name` that says what took too long. */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string, name = 'Error'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`Timed out after ${ms} ms ${what}`);
      error.name = name;
      reject(error);
    }, ms);
    timer.unref();
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
