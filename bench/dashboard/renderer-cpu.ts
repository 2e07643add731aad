// CPU time of Chromium's renderer threads from /proc (Linux): unlike wall-clock task durations, it
// does not grow when other processes on the machine take the CPU away.
import { readFileSync, readdirSync } from 'node:fs';

/** CPU ms of every chromium renderer process, split into main threads, dedicated workers, the rest. */
export function rendererCpu(): { main: number; workers: number; other: number } {
  const tick = 1000 / 100; // USER_HZ
  const sum = { main: 0, workers: 0, other: 0 };
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (!cmd.includes('--type=renderer')) continue;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const ms = (Number(f[11]) + Number(f[12])) * tick;
        if (tid === pid) sum.main += ms;
        else if (comm.startsWith('DedicatedWorker')) sum.workers += ms;
        else sum.other += ms;
      } catch {
        // thread ended meanwhile
      }
    }
  }
  return sum;
}

