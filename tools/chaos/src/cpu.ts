import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on Linux everywhere). */
const CLK_TCK = 100;

interface Stat {
  ppid: number;
  ticks: number;
  childTicks: number;
}

function readStat(pid: number | string): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: split after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), childTicks: Number(fields[13]) + Number(fields[14]) };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds (user + system) used so far by a process, its reaped children and its live
 * descendants (PostgreSQL's backends, nginx's workers), from /proc (Linux).
 */
export function cpuSeconds(rootPid: number | undefined): number {
  if (!rootPid) return 0;
  const root = readStat(rootPid);
  if (!root) return 0;
  let ticks = root.ticks + root.childTicks;
  const children = new Map<number, Array<{ pid: number; st: Stat }>>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readStat(name);
    if (!st) continue;
    const list = children.get(st.ppid) ?? [];
    list.push({ pid: Number(name), st });
    children.set(st.ppid, list);
  }
  const queue = [rootPid];
  while (queue.length) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      ticks += child.st.ticks;
      queue.push(child.pid);
    }
  }
  return ticks / CLK_TCK;
}
