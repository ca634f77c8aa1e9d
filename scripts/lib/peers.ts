/**
 * The peer checkers users already run on manifests (kube-score, kubeconform, Checkov): their committed
 * configurations, which skip only what the platform deliberately does differently, each with a reason, and their
 * JSON outputs turned into findings. `scripts/check-peers.ts` runs the tools.
 */
import { parse } from 'yaml';

/** The peer tools. */
export const PEER_TOOLS = ['kubeconform', 'kube-score', 'checkov'] as const;
/** One peer tool. */
export type PeerTool = (typeof PEER_TOOLS)[number];

/** A check a tool's configuration skips, and why the platform does it differently. */
export interface PeerSkip {
  /** The tool's own id: a kube-score test, a Checkov check (`CKV_K8S_15`), a kubeconform kind. */
  readonly id: string;
  /** One line: what the platform does instead. */
  readonly reason: string;
}

/** One finding of a peer tool. */
export interface PeerFinding {
  readonly tool: PeerTool;
  /** Manifest file, as the tool names it. */
  readonly file: string;
  /** `Kind/namespace/name`. */
  readonly object: string;
  /** The tool's check id. */
  readonly check: string;
  readonly message: string;
}

/** Thrown for a configuration that skips a check without a reason, or is not in the expected shape. */
export class PeerConfigError extends Error {}

/**
 * Parses a tool configuration: `skip:` a list of `{ id, reason }`, each reason one non-empty line, no id twice.
 * @param file named in errors
 */
export function parsePeerConfig(text: string, file: string): PeerSkip[] {
  const doc: unknown = parse(text);
  const skip = (doc as { skip?: unknown } | null)?.skip;
  if (!Array.isArray(skip)) throw new PeerConfigError(`${file}: expected "skip:" with a list of { id, reason }`);
  const seen = new Set<string>();
  return skip.map((entry: unknown, i) => {
    const { id, reason } = (entry ?? {}) as { id?: unknown; reason?: unknown };
    if (typeof id !== 'string' || id === '') throw new PeerConfigError(`${file}: skip[${i}] has no id`);
    if (typeof reason !== 'string' || reason.trim() === '' || reason.includes('\n')) {
      throw new PeerConfigError(`${file}: skip[${i}] (${id}) needs a one-line reason`);
    }
    if (seen.has(id)) throw new PeerConfigError(`${file}: skip[${i}] repeats ${id}`);
    seen.add(id);
    return { id, reason: reason.trim() };
  });
}

const objectRef = (kind: string, namespace: string | undefined, name: string) =>
  namespace ? `${kind}/${namespace}/${name}` : `${kind}/${name}`;

/** kube-score grades at or below which a check is a finding (1 critical, 5 warning; 7 almost OK, 10 OK). */
const KUBE_SCORE_WARNING = 5;

interface KubeScoreObject {
  readonly object_name: string;
  readonly file_name?: string;
  readonly type_meta: { readonly kind: string };
  readonly object_meta: { readonly name: string; readonly namespace?: string };
  readonly checks: readonly {
    readonly check: { readonly id: string; readonly name: string };
    readonly grade: number;
    readonly skipped: boolean;
    readonly comments: readonly { readonly path?: string; readonly summary: string }[] | null;
  }[];
}

/** Findings of `kube-score score -o json`: every critical or warning comment of a check that ran. */
export function kubeScoreFindings(json: string): PeerFinding[] {
  const objects = JSON.parse(json) as KubeScoreObject[];
  return objects.flatMap((o) =>
    o.checks
      .filter((c) => !c.skipped && c.grade <= KUBE_SCORE_WARNING)
      .flatMap((c) =>
        (c.comments?.length ? c.comments : [{ summary: c.check.name }]).map((comment) => ({
          tool: 'kube-score' as const,
          file: o.file_name ?? '',
          object: objectRef(o.type_meta.kind, o.object_meta.namespace, o.object_meta.name),
          check: c.check.id,
          message: comment.path ? `(${comment.path}) ${comment.summary}` : comment.summary,
        })),
      ),
  );
}

interface KubeconformResult {
  readonly filename: string;
  readonly kind: string;
  readonly name: string;
  readonly status: string;
  readonly msg: string;
  readonly validationErrors?: readonly { readonly path: string; readonly msg: string }[];
}

/** Findings of `kubeconform -output json`: invalid objects, and objects it could not check (no schema...). */
export function kubeconformFindings(json: string): PeerFinding[] {
  const { resources = [] } = JSON.parse(json) as { resources?: readonly KubeconformResult[] };
  return resources
    .filter((r) => r.status === 'statusInvalid' || r.status === 'statusError')
    .flatMap((r) =>
      (r.validationErrors?.length ? r.validationErrors.map((e) => `${e.path}: ${e.msg}`) : [r.msg]).map((message) => ({
        tool: 'kubeconform' as const,
        file: r.filename,
        object: `${r.kind}/${r.name}`,
        check: r.status === 'statusInvalid' ? 'schema' : 'error',
        message,
      })),
    );
}

interface CheckovReport {
  readonly results?: {
    readonly failed_checks?: readonly {
      readonly check_id: string;
      readonly check_name: string;
      readonly file_path: string;
      readonly resource: string;
    }[];
  };
}

/** Findings of `checkov -o json`: its failed checks (`resource` reads `Kind.namespace.name`). */
export function checkovFindings(json: string): PeerFinding[] {
  const parsed = JSON.parse(json) as CheckovReport | readonly CheckovReport[];
  const reports: readonly CheckovReport[] = Array.isArray(parsed) ? parsed : [parsed as CheckovReport];
  return reports.flatMap((r: CheckovReport) =>
    (r.results?.failed_checks ?? []).map((f) => {
      const [kind, namespace, ...name] = f.resource.split('.');
      return {
        tool: 'checkov' as const,
        file: f.file_path.replace(/^\//, ''),
        object: name.length ? objectRef(kind, namespace, name.join('.')) : f.resource,
        check: f.check_id,
        message: f.check_name,
      };
    }),
  );
}

/** `<tool>: <file>: <object>: [<check>] <message>`. */
export function formatPeerFinding(f: PeerFinding): string {
  return `${f.tool}: ${f.file}: ${f.object}: [${f.check}] ${f.message}`;
}

/** Counts per tool and check, for the summary line. */
export function countPeerFindings(findings: readonly PeerFinding[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(`${f.tool} ${f.check}`, (counts.get(`${f.tool} ${f.check}`) ?? 0) + 1);
  return new Map([...counts].sort(([a], [b]) => a.localeCompare(b)));
}
