/**
 * Reads another process's memory and CPU from /proc (Linux), so every target
 * — Node or nginx — is measured the same way, from outside, at no cost to it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

/** Resident set size now and its peak since the process started (VmHWM), in bytes. */
export interface Memory {
  rss: number;
  peak: number;
}

export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

let ticksPerSecond: number | undefined;

/** User + system CPU time the process has used so far, in ms. */
export function cpuMsOf(pid: number): number {
  ticksPerSecond ??= clockTicks();
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces: utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** Direct children of a process (nginx's workers under its master). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Samples VmRSS every `everyMs` until stopped; returns the highest sample. */
export function sampleRss(pid: number, everyMs = 20): { stop(): number } {
  let highest = 0;
  const sample = () => {
    try {
      highest = Math.max(highest, memoryOf(pid).rss);
    } catch {
      // The process may be gone; the last good sample stands.
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return highest;
    },
  };
}

/** Resets VmHWM to the current RSS (`/proc/PID/clear_refs` ← 5, Linux ≥ 4.0); false when the kernel refuses. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * CPU time all processes on the machine have spent in user and kernel mode
 * since boot, in ms. Interrupt time is left out: loopback traffic is largely
 * handled there, and that is the benchmark's own.
 */
export function machineBusyMs(): number {
  ticksPerSecond ??= clockTicks();
  const [, user, nice, system] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).map(Number);
  return (((user ?? 0) + (nice ?? 0) + (system ?? 0)) * 1000) / ticksPerSecond;
}

/**
 * Measures how much CPU processes other than `ours()` used between start and
 * `stop()`, as % of one core: other work on a small machine skews every number.
 */
export function foreignCpu(ours: () => number[]): { stop(): number } {
  const total = (pids: number[]) => pids.reduce((sum, pid) => sum + safeCpuMs(pid), 0);
  const start = { machine: machineBusyMs(), ours: total(ours()), at: performance.now() };
  return {
    stop() {
      const foreign = machineBusyMs() - start.machine - (total(ours()) - start.ours);
      return (100 * Math.max(0, foreign)) / (performance.now() - start.at);
    },
  };
}

function safeCpuMs(pid: number): number {
  try {
    return cpuMsOf(pid);
  } catch {
    return 0;
  }
}
