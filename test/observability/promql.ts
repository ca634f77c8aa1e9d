/** PromQL syntax checks for tests, with the Prometheus project's own Lezer grammar. */
import { parser } from '@prometheus-io/lezer-promql';

/** Where the grammar found a syntax error in `expr` (`[]` when it parses). */
export function promqlErrors(expr: string): string[] {
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`at ${node.from}: ${JSON.stringify(expr.slice(node.from, node.from + 20))}`);
    },
  });
  return errors;
}
