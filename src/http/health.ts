/**
 * The service's health, assembled from providers. `/healthz` shows anyone only whether the
 * service is up (`{"status":"ok"}` 200, or `{"status":"degraded"}` 503); a token with the
 * admin scope sees the detail: the base report's fields, and each registered provider's report
 * under its name. Subsystems add their figures with `register` (e.g. dead webhook deliveries,
 * a cluster's rebuild state); a provider that reports `status: "degraded"` degrades the whole.
 */
export interface HealthReport {
  status: 'ok' | 'degraded';
  [key: string]: unknown;
}

/** One subsystem's figures; `status` (optional) counts towards the overall status. */
export type HealthProvider = () => { status?: 'ok' | 'degraded'; [key: string]: unknown };

export interface HealthRegistry {
  /** Adds a provider whose report appears under `name` in the detailed view. */
  register(name: string, provider: HealthProvider): void;
  /** The overall status only (what an anonymous caller sees). */
  status(): 'ok' | 'degraded';
  /** The detailed report (admin). */
  report(): HealthReport;
}

export function createHealthRegistry(base: () => HealthReport): HealthRegistry {
  const providers = new Map<string, HealthProvider>();
  const report = (): HealthReport => {
    const result: HealthReport = { ...base() };
    for (const [name, provider] of providers) {
      const part = provider();
      if (part.status === 'degraded') result.status = 'degraded';
      result[name] = part;
    }
    return result;
  };
  return {
    register(name, provider) {
      if (providers.has(name) || name === 'status')
        throw new Error(`health provider ${name} registered twice`);
      providers.set(name, provider);
    },
    status: () => report().status,
    report,
  };
}
