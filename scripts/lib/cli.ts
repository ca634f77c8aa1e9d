/** Small helpers shared by the command-line tools: argument parsing with usage errors, exit codes. */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';

/** Exit code for usage errors (bad flags, missing input). */
export const EXIT_USAGE = 2;

/** Thrown for a usage error; the CLI prints the message and the usage and exits with {@link EXIT_USAGE}. */
export class UsageError extends Error {}

/** `parseArgs` that turns Node's argument errors into {@link UsageError}s. */
export function parseCliArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: T,
  allowPositionals = false,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: boolean; strict: true }>> {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** Runs a CLI main function: prints usage errors and unexpected errors, and sets the exit code. */
export function runCli(usage: string, main: () => number): void {
  try {
    process.exitCode = main();
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n\n${usage}\n`);
      process.exitCode = EXIT_USAGE;
    } else {
      process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = EXIT_USAGE;
    }
  }
}
