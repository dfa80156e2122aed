import { performance } from "node:perf_hooks";

export interface Timing {
  p50: number;
  p99: number;
  mean: number;
}

/** Runs `operation` `iterations` times, one after another, and returns latency percentiles in ms. */
export async function measure(iterations: number, operation: (index: number) => Promise<unknown>): Promise<Timing> {
  const samples = new Float64Array(iterations);
  for (let index = 0; index < iterations; index += 1) {
    const started = performance.now();
    await operation(index);
    samples[index] = performance.now() - started;
  }
  samples.sort();
  const at = (quantile: number) => samples[Math.min(iterations - 1, Math.floor(quantile * iterations))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), mean: samples.reduce((sum, value) => sum + value, 0) / iterations };
}

export const ms = (value: number) => `${value.toFixed(3)} ms`;
