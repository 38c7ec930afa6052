/**
 * The IPC protocol between bench/e2e.ts and its client processes (bench/e2e-clients.ts), and
 * the clock both sides stamp with.
 *
 *   parent -> child                      child -> parent
 *   {cmd:'connect', url, token, count}   {ev:'subscribed', count}   once every client is live
 *   {cmd:'report'}                       {ev:'report', deliveries}  triggerId -> receive times
 *   {cmd:'close'}                        the child closes its clients and disconnects
 *   (any time)                           {ev:'error', message}
 */

export type ClientsCommand =
  { cmd: 'connect'; url: string; token: string; count: number } | { cmd: 'report' } | { cmd: 'close' };

export type ClientsEvent =
  | { ev: 'subscribed'; count: number }
  | { ev: 'report'; deliveries: Record<string, number[]> }
  | { ev: 'error'; message: string };

/**
 * Milliseconds on the machine's monotonic clock (process.hrtime is CLOCK_MONOTONIC, one clock
 * for every process on the machine), so the parent's and the children's stamps compare.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
