/** A program run without blocking the event loop (many at once: probes, image imports, restores). */
import { spawn } from 'node:child_process';

/** How a program ended: its exit code (-1 when it could not start) and what it wrote. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `cmd` with `args`, feeding it `input` (if any); resolves when it exits, whatever its code. */
export function runAsync(
  cmd: string,
  args: readonly string[],
  options: { readonly input?: string; readonly cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e) => resolve({ code: -1, stdout, stderr: stderr + e.message }));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
