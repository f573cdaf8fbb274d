/** Awaits a promise that must reject, and returns what it rejected with, checked against a class. */
import { expect } from 'vitest';

/** The error `promise` rejects with; fails the test when it resolves or rejects with another kind. */
export async function rejectionOf<E extends Error>(promise: Promise<unknown>, kind: abstract new (...args: never[]) => E): Promise<E> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(kind);
  return error as E;
}
