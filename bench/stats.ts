export function median(values: number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile; NaN for an empty list (printed as "n/a", never as a fake zero). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}
