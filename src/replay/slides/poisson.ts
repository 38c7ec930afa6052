/**
 * Poisson counting errors for the time-slide comparison (docs/time-slides.md).
 *
 *   P(N ≤ k | μ) = Σ_{i≤k} e^(−μ) μ^i / i!
 * Central interval of a count k at confidence CL (Garwood 1936, the "exact" interval; Gehrels 1986
 * Tables 1–2; above k = 1000 at 1σ his approximations, eqs. 10 and 14): μ_low solves P(N ≥ k | μ_low) = (1 − CL)/2 (0 for k = 0), μ_high solves
 * P(N ≤ k | μ_high) = (1 − CL)/2. CL = 0.6827 gives the 1σ error bars drawn on the plot.
 * Written by hand: a few lines of bisection on the CDF (as background-rate.ts's upper limit), not
 * worth a statistics dependency.
 */

/** P(N ≤ k | μ), by summing the series in log space (k up to ~10⁶, μ up to ~10⁶). */
export function poissonCdf(k: number, mu: number): number {
  if (k < 0) return 0;
  if (mu <= 0) return 1;
  // Sum from the largest term down for stability: terms e^(−μ) μ^i / i! in log form.
  const logTerm = (i: number): number => -mu + i * Math.log(mu) - logFactorial(i);
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    const t = logTerm(i);
    if (t > -745) sum += Math.exp(t);
  }
  return Math.min(1, sum);
}

const LOG_FACTORIALS: number[] = [0];
function logFactorial(n: number): number {
  for (let i = LOG_FACTORIALS.length; i <= n; i++)
    LOG_FACTORIALS[i] = (LOG_FACTORIALS[i - 1] as number) + Math.log(i);
  return LOG_FACTORIALS[n] as number;
}

/** P(N ≥ k | μ). */
export function poissonUpperTail(k: number, mu: number): number {
  return k <= 0 ? 1 : 1 - poissonCdf(k - 1, mu);
}

function bisect(f: (mu: number) => boolean, lo: number, hi: number): number {
  for (let i = 0; i < 80; i++) {
    const mid = 0.5 * (lo + hi);
    if (f(mid)) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** The central Poisson interval [μ_low, μ_high] of a count k at confidence `level` (default 1σ). */
export function poissonInterval(k: number, level = 0.6827): { low: number; high: number } {
  if (k > 1000 && Math.abs(level - 0.6827) < 1e-3) {
    // Gehrels 1986 eqs. 10 and 14 with S = 1 (1σ), better than 0.1 % at these counts.
    return { low: k * (1 - 1 / (9 * k) - 1 / (3 * Math.sqrt(k))) ** 3, high: k + Math.sqrt(k + 0.75) + 1 };
  }
  const alpha = (1 - level) / 2;
  const top = k + 20 + 20 * Math.sqrt(k + 1);
  const high = bisect((mu) => poissonCdf(k, mu) > alpha, 0, top);
  const low = k === 0 ? 0 : bisect((mu) => poissonUpperTail(k, mu) < alpha, 0, top);
  return { low, high };
}

/**
 * How a count k compares with its expectation μ: z = (k − μ)/√μ, the smaller one-sided tail
 * probability (P(N ≤ k) when k < μ, else P(N ≥ k)), and `agrees` when that tail is at least
 * `tail` (default 0.02275, i.e. within 2σ either way).
 */
export function compareCount(
  k: number,
  mu: number,
  tail = 0.02275,
): { z: number; tailProbability: number; agrees: boolean } {
  const z = mu > 0 ? (k - mu) / Math.sqrt(mu) : k > 0 ? Number.POSITIVE_INFINITY : 0;
  const tailProbability = k < mu ? poissonCdf(k, mu) : poissonUpperTail(k, mu);
  return { z, tailProbability, agrees: tailProbability >= tail };
}
