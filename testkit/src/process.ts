// Child processes for tests and the dev stack: start one with its output kept, wait for something
// to come up, and stop it by its PID (SIGTERM, then SIGKILL after a grace period).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import type { Writable } from "node:stream";

/** A TCP port nobody listens on now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether `port` can be listened on at 127.0.0.1. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

export type StartedProcess = {
  child: ChildProcess;
  /** The last 20 kB of the process's stdout and stderr. */
  output: () => string;
};

/** Spawns `cmd` with piped output; `log`, when given, receives all of it. */
export function startProcess(
  cmd: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string>; log?: Writable },
): StartedProcess {
  const child = spawn(cmd, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (d: Buffer | string) => (output = (output + String(d)).slice(-20_000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  if (options.log) {
    child.stdout!.pipe(options.log, { end: false });
    child.stderr!.pipe(options.log, { end: false });
  }
  return { child, output: () => output };
}

/** Whether `child` has exited (or was killed). */
export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Stops `child` by its PID: SIGTERM, then SIGKILL when it is still running after `graceMs`. */
export function stopProcess(child: ChildProcess, graceMs = 5_000): Promise<void> {
  return new Promise((resolve) => {
    if (exited(child)) return resolve();
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/**
 * Polls `probe` (a rejection counts as "not yet") until it returns true; throws after `timeoutMs`,
 * or as soon as `child` exits, with `log()` in the message.
 */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  options: { child?: ChildProcess; log?: () => string; intervalMs?: number } = {},
): Promise<void> {
  const { child, log, intervalMs = 250 } = options;
  const started = Date.now();
  for (;;) {
    if (child && child.exitCode !== null)
      throw new Error(`${what}: the process exited (${child.exitCode})\n${log?.() ?? ""}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}\n${log?.() ?? ""}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Whether a JSON-RPC node answers `eth_chainId` at `url`. */
export async function rpcUp(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    return res.ok;
  } catch {
    return false;
  }
}

/** Whether `url` answers a GET with a 2xx status. */
export async function httpUp(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

/** The live processes whose parent is `ppid`, with their command lines, from `ps`. */
export function childProcesses(ppid: number): { pid: number; command: string }[] {
  return execFileSync("ps", ["-e", "-o", "pid=,ppid=,args="], { encoding: "utf8" })
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && Number(m[2]) === ppid)
    .map((m) => ({ pid: Number(m[1]), command: m[3]! }));
}

/** Whether a command line is an esbuild service (what tsx's loader starts to transpile TypeScript). */
export const isEsbuildService = (command: string) => /esbuild\S*\s.*--service=/.test(command);

/**
 * Ends the esbuild services started by the processes `parents` (by PID, SIGTERM). tsx's loader
 * starts one in each process that loads TypeScript and leaves it running until that process exits;
 * once everything is loaded it is idle, and the loader in the parent simply marks it stopped.
 * Returns the PIDs it signalled.
 */
export function stopEsbuildServices(...parents: number[]): number[] {
  const stopped: number[] = [];
  for (const parent of parents) {
    for (const { pid, command } of childProcesses(parent)) {
      if (!isEsbuildService(command)) continue;
      try {
        process.kill(pid, "SIGTERM");
        stopped.push(pid);
      } catch {
        // Already gone.
      }
    }
  }
  return stopped;
}
