// Order statistics for the benchmarks: medians over rounds, nearest-rank percentiles over samples.

/** The median of the finite values in `xs` (NaN when there are none). */
export const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The p-th percentile (nearest rank) of an ascending array; NaN when it is empty. */
export const pct = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;

export const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** Count, min, p50, p90, p99, max and mean of `xs` (NaN where there are no samples). */
export const stats = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  return {
    n: s.length,
    min: s[0] ?? NaN,
    p50: pct(s, 50),
    p90: pct(s, 90),
    p99: pct(s, 99),
    max: s.at(-1) ?? NaN,
    mean: mean(s),
  };
};
