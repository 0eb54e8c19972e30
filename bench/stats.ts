/** Percentiles over raw samples: the benchmark keeps every sample and summarises only at the end. */

/** The q-quantile (0..1) by linear interpolation between closest ranks; NaN for no samples. */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = q * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (rank - low);
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 0.5);
}

/** Rounds for display and JSON: `digits` decimals, NaN kept as null. */
export function round(value: number, digits = 3): number | null {
  if (!Number.isFinite(value)) return null;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
