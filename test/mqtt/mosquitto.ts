// Test harness: a private Debian mosquitto on a free loopback port, with persistence in a temp
// dir so a stop/start keeps persistent sessions and their queued QoS 1 messages.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, writeFile, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const mosquittoPath = process.env.MOSQUITTO ?? '/usr/sbin/mosquitto';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, proc: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) throw new Error(`mosquitto exited with ${proc.exitCode}: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`mosquitto did not listen on ${port}: ${log()}`);
}

export interface Mosquitto {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** SIGTERM (mosquitto saves its persistence file) or SIGKILL */
  stop(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
  /** stop and remove the temp dir */
  dispose(): Promise<void>;
}

export async function startMosquitto(): Promise<Mosquitto> {
  const dir = await mkdtemp(join(tmpdir(), 's7rt-mosquitto-'));
  // Started as root, mosquitto drops to its own user: it must still be able to save its database.
  await chmod(dir, 0o777);
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  await writeFile(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence true',
      `persistence_location ${dir}/`,
      // s7rt holds acks until its snapshot covers a sample: allow a window of samples in flight,
      // and queue everything for a persistent session while s7rt is down.
      'max_inflight_messages 0',
      'max_queued_messages 0',
      'max_packet_size 20000000',
      'set_tcp_nodelay true',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
    ].join('\n') + '\n',
  );
  let proc: ChildProcess | undefined;
  let stderr = '';
  const m: Mosquitto = {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    dir,
    async start() {
      stderr = '';
      proc = spawn(mosquittoPath, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
      proc.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      await waitForPort(port, proc, () => stderr);
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      const p = proc;
      if (!p || p.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        p.once('exit', () => resolve());
        p.kill(signal);
      });
    },
    async dispose() {
      await m.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await m.start();
  return m;
}
