// A peer that runs in its own process (jax-js with a worker pool, PyTorch) and is timed on
// request, so that its rounds interleave with fingrad's in the parent: the parent writes one JSON
// request per line, the child measures and answers one JSON line `{ "ms": median }` (or
// `{ "error": … }`). Between requests the child is idle, so the two never compete for the cores.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Where PyTorch is looked for (Debian's python3-torch installs for /usr/bin/python3, which may
 * not be the first python3 on PATH), and the environment it runs in: OpenBLAS pinned to one
 * thread, since torch.set_num_threads(1) alone leaves Debian's OpenBLAS GEMM on two cores.
 */
export const TORCH_PYTHONS = ['/usr/bin/python3', 'python3'];
export const TORCH_ENV = { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
/** The same with two threads everywhere: the native scaling the threads table sets beside fingrad's. */
export const TORCH_ENV_2T = { OPENBLAS_NUM_THREADS: '2', OMP_NUM_THREADS: '2', MKL_NUM_THREADS: '2', FINGRAD_TORCH_THREADS: '2' };

export class PeerChild {
  private readonly waiting: Array<(line: string) => void> = [];

  private constructor(private readonly child: ChildProcess, readonly name: string) {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return; // the peer's own chatter
      this.waiting.shift()?.(line);
    });
    child.on('exit', () => {
      for (const w of this.waiting.splice(0)) w(JSON.stringify({ error: `${name} exited` }));
    });
  }

  /** Starts `command`; resolves once it answers `{ "op": "ping" }`, or null if it cannot. */
  static async start(name: string, command: string, args: string[], env: Record<string, string> = {}): Promise<PeerChild | null> {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => void (stderr += d.toString()));
    const started = await new Promise<boolean>((resolve) => {
      child.once('error', () => resolve(false));
      child.once('spawn', () => resolve(true));
    });
    if (!started) {
      console.log(`${name} unavailable: ${command} did not start`);
      return null;
    }
    const peer = new PeerChild(child, name);
    const pong = await peer.ask({ op: 'ping' }).catch((e: unknown) => ({ error: String(e) }));
    if ('error' in pong) {
      console.log(`${name} unavailable: ${String(pong.error)} ${stderr.split('\n').filter(Boolean).slice(-1)[0] ?? ''}`);
      peer.close();
      return null;
    }
    return peer;
  }

  ask(request: Record<string, unknown>): Promise<Record<string, number | string>> {
    return new Promise((resolve) => {
      this.waiting.push((line) => resolve(JSON.parse(line) as Record<string, number | string>));
      this.child.stdin!.write(`${JSON.stringify(request)}\n`);
    });
  }

  /** Median ms of the request's operation, measured in the child; throws on an error answer. */
  async time(request: Record<string, unknown>): Promise<number> {
    const answer = await this.ask(request);
    if (typeof answer.ms !== 'number') throw new Error(`${this.name}: ${String(answer.error)}`);
    return answer.ms;
  }

  close(): void {
    this.child.stdin!.end();
    this.child.kill();
  }
}
