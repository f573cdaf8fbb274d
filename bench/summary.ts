/**
 * Rounds folded into figures: every measurement is taken once per round, and a figure is the
 * median over the rounds with its spread (min-max). Ratios are taken per round first (the
 * bridge against a baseline measured minutes apart in the same round, so both saw the same
 * machine) and then summarised the same way. Pure.
 */

/** A figure over the rounds. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  /** The per-round values, in round order (NaN where a round had none). */
  values: number[];
}

/** Median and min-max of the finite values; NaN everywhere when there are none. */
export function spreadOf(values: readonly number[]): Spread {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, values: [...values] };
  const middle = Math.floor(finite.length / 2);
  const median = finite.length % 2 === 1 ? finite[middle]! : (finite[middle - 1]! + finite[middle]!) / 2;
  return { median, min: finite[0]!, max: finite.at(-1)!, values: [...values] };
}

/** Per-round quotients `top[i] / bottom[i]`, summarised. */
export function ratioSpread(top: readonly number[], bottom: readonly number[]): Spread {
  return spreadOf(top.map((value, index) => value / (bottom[index] ?? Number.NaN)));
}
