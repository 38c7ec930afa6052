/**
 * Lowers the scheduling priority of the calling thread only (not of its process).
 *
 * Why: work done after an ack (normalising a stored event) competes for the same cores as the
 * ack path itself (accept, pre-scan, validation, commit, ack). Run at a higher nice value, it
 * takes whatever CPU the ack path leaves: the kernel serves the ack path first, and the deferred
 * work catches up when submissions pause. Nothing is skipped: the work is the same, only its
 * place in the CPU queue changes.
 *
 * How: on Linux a thread is a task with an id of its own, and setpriority(PRIO_PROCESS, tid)
 * (Node's os.setPriority) applies to that task alone; /proc/thread-self names the calling
 * thread's task ("<pid>/task/<tid>"). Elsewhere (no /proc), or when refused, nothing changes and
 * false is returned.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** Nice value of deferred work: below the ack path, above idle (19). */
export const DEFERRED_WORK_NICE = 10;

/** Sets the calling thread's nice value (higher = lower priority); false when it could not. */
export function setThreadNice(nice: number): boolean {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
