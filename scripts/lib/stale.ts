/** The stale-manifest check: a fresh synth of the project compared with its committed manifests folder. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { diffManifests, hasDifferences } from './diff';
import type { ManifestsDiff } from './diff';
import { readManifestTexts, runSynth } from './sources';

/** Result of {@link checkStale}. */
export interface StaleCheck {
  /** Whether the committed folder differs from a fresh synth. */
  readonly stale: boolean;
  /** Committed (before) against fresh (after), object by object. */
  readonly diff: ManifestsDiff;
}

/** Thrown when the project's synth fails; the message carries its output. */
export class SynthError extends Error {}

/**
 * Synthesizes the project in `root` (the `app` of its `cdk8s.yaml`) into a temporary folder and compares it with
 * `chartsDir`.
 * @param chartsDir the committed manifests folder, relative to `root`
 * @param root the project's root (holding `cdk8s.yaml`); default: the working directory
 * @param command a program and its arguments to run instead of the `cdk8s.yaml` app (given `--out <dir>`)
 * @throws SynthError when the synth fails
 */
export function checkStale(
  chartsDir = 'charts-out',
  root: string = process.cwd(),
  command?: readonly string[],
): StaleCheck {
  const out = mkdtempSync(join(tmpdir(), 'platform-synth-'));
  try {
    const synth = runSynth(out, root, command);
    if (!synth.ok) throw new SynthError(`synth failed:\n${synth.output}`);
    const diff = diffManifests(readManifestTexts(resolve(root, chartsDir)), readManifestTexts(out));
    return { stale: hasDifferences(diff), diff };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
