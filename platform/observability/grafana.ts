/**
 * A typed subset of Grafana's classic dashboard JSON model (the one Grafana's file provisioning, and so the
 * kube-prometheus-stack dashboard sidecar, loads), and a builder that lays panels out in rows on the 24-column grid.
 */

/** Dashboard schema version written (Grafana 10.4/11.x migrate it forward on load). */
export const GRAFANA_SCHEMA_VERSION = 39;
/** Width of Grafana's grid. */
export const GRID_COLUMNS = 24;
/** Height of a panel, in grid units (30 px each). */
export const PANEL_HEIGHT = 8;
/** Longest dashboard uid Grafana accepts. */
export const MAX_DASHBOARD_UID = 40;
/** Name of the dashboard's data source variable; panels query `${datasource}`. */
export const DATASOURCE_VARIABLE = 'datasource';

/** Position and size of a panel on the grid. */
export interface GridPos {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** A reference to a data source. */
export interface DataSourceRef {
  readonly type: 'prometheus';
  readonly uid: string;
}

/** Units of panel values (Grafana unit ids). */
export type GrafanaUnit = 'reqps' | 'ops' | 'percentunit' | 'ms' | 's' | 'short' | 'none';

/** One Prometheus query of a panel. */
export interface PrometheusTarget {
  readonly refId: string;
  readonly datasource: DataSourceRef;
  readonly expr: string;
  readonly legendFormat: string;
  readonly range: boolean;
  readonly instant: boolean;
}

/** Maps a raw value to a text and colour (`{ "0": { text: "down", color: "red" } }`). */
export interface ValueMapping {
  readonly type: 'value';
  readonly options: Readonly<Record<string, { readonly text: string; readonly color: string; readonly index: number }>>;
}

/** A colour from a value up (the first step's value is `null`: from minus infinity). */
export interface ThresholdStep {
  readonly color: string;
  readonly value: number | null;
}

/** Field defaults of a panel. */
export interface FieldConfig {
  readonly defaults: {
    readonly unit: GrafanaUnit;
    readonly min?: number;
    readonly max?: number;
    readonly mappings?: readonly ValueMapping[];
    readonly thresholds?: { readonly mode: 'absolute'; readonly steps: readonly ThresholdStep[] };
  };
  readonly overrides: readonly never[];
}

/** A `timeseries` or `stat` panel. */
export interface QueryPanel {
  readonly id: number;
  readonly type: 'timeseries' | 'stat';
  readonly title: string;
  readonly description?: string;
  readonly gridPos: GridPos;
  readonly datasource: DataSourceRef;
  readonly targets: readonly PrometheusTarget[];
  readonly fieldConfig: FieldConfig;
  readonly options: Readonly<Record<string, unknown>>;
}

/** A row header; the panels below it, up to the next row, belong to it. */
export interface RowPanel {
  readonly id: number;
  readonly type: 'row';
  readonly title: string;
  readonly gridPos: GridPos;
  readonly collapsed: false;
  readonly panels: readonly never[];
}

/** A panel of the dashboard. */
export type Panel = QueryPanel | RowPanel;

/** The data source picker of the dashboard. */
export interface DataSourceVariable {
  readonly type: 'datasource';
  readonly name: string;
  readonly label: string;
  readonly query: 'prometheus';
  readonly hide: 0;
  readonly refresh: 1;
  readonly current: Readonly<Record<string, never>>;
}

/** A whole dashboard. */
export interface GrafanaDashboard {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly timezone: 'browser';
  readonly editable: boolean;
  /** 1: shared crosshair across panels. */
  readonly graphTooltip: 1;
  readonly refresh: string;
  readonly time: { readonly from: string; readonly to: string };
  readonly schemaVersion: number;
  readonly version: number;
  readonly templating: { readonly list: readonly DataSourceVariable[] };
  readonly annotations: { readonly list: readonly never[] };
  readonly panels: readonly Panel[];
}

/** A query of a panel spec. */
export interface PanelQuery {
  readonly expr: string;
  /** Legend of the series (may use `{{label}}`). */
  readonly legend: string;
}

/** What a panel shows; the builder places it. */
export interface PanelSpec {
  readonly title: string;
  /**
   * `timeseries` for a graph over time, `stat` for the latest value.
   * @default 'timeseries'
   */
  readonly type?: 'timeseries' | 'stat';
  readonly description?: string;
  readonly unit: GrafanaUnit;
  readonly queries: readonly PanelQuery[];
  /** Axis or value range. */
  readonly min?: number;
  readonly max?: number;
  /** Value mappings (stat panels). */
  readonly mappings?: readonly ValueMapping[];
  /** Colours by value (stat panels), from the lowest step up. */
  readonly thresholds?: readonly ThresholdStep[];
  /**
   * Width in grid columns (1 to 24).
   * @default 8
   */
  readonly width?: number;
}

/** Default width of a panel: three side by side. */
export const DEFAULT_PANEL_WIDTH = 8;

/** The dashboard's properties besides its panels. */
export interface DashboardOptions {
  /** Unique id in the Grafana instance: at most {@link MAX_DASHBOARD_UID} characters. */
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
}

/** Builds a dashboard row by row; panels wrap onto new lines of the grid when a line is full. */
export class DashboardBuilder {
  private readonly panels: Panel[] = [];
  private nextId = 1;
  private y = 0;

  constructor(private readonly options: DashboardOptions) {
    if (options.uid.length > MAX_DASHBOARD_UID) {
      throw new Error(`dashboard uid "${options.uid}" is longer than ${MAX_DASHBOARD_UID} characters`);
    }
  }

  /** Adds a row header and its panels, left to right. */
  row(title: string, specs: readonly PanelSpec[]): this {
    this.panels.push({
      id: this.nextId++,
      type: 'row',
      title,
      gridPos: { x: 0, y: this.y, w: GRID_COLUMNS, h: 1 },
      collapsed: false,
      panels: [],
    });
    this.y += 1;
    let x = 0;
    for (const spec of specs) {
      const w = spec.width ?? DEFAULT_PANEL_WIDTH;
      if (!Number.isInteger(w) || w < 1 || w > GRID_COLUMNS) throw new Error(`panel "${spec.title}" width ${w}`);
      if (x + w > GRID_COLUMNS) {
        x = 0;
        this.y += PANEL_HEIGHT;
      }
      this.panels.push(this.panel(spec, { x, y: this.y, w, h: PANEL_HEIGHT }));
      x += w;
    }
    if (specs.length > 0) this.y += PANEL_HEIGHT;
    return this;
  }

  /** The dashboard. */
  build(): GrafanaDashboard {
    return {
      uid: this.options.uid,
      title: this.options.title,
      description: this.options.description,
      tags: this.options.tags,
      timezone: 'browser',
      editable: true,
      graphTooltip: 1,
      refresh: '30s',
      time: { from: 'now-1h', to: 'now' },
      schemaVersion: GRAFANA_SCHEMA_VERSION,
      version: 1,
      templating: {
        list: [
          {
            type: 'datasource',
            name: DATASOURCE_VARIABLE,
            label: 'Data source',
            query: 'prometheus',
            hide: 0,
            refresh: 1,
            current: {},
          },
        ],
      },
      annotations: { list: [] },
      panels: this.panels,
    };
  }

  private panel(spec: PanelSpec, gridPos: GridPos): QueryPanel {
    const datasource: DataSourceRef = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };
    const type = spec.type ?? 'timeseries';
    return {
      id: this.nextId++,
      type,
      title: spec.title,
      description: spec.description,
      gridPos,
      datasource,
      targets: spec.queries.map((q, i) => ({
        refId: String.fromCharCode(65 + i),
        datasource,
        expr: q.expr,
        legendFormat: q.legend,
        range: true,
        instant: false,
      })),
      fieldConfig: {
        defaults: {
          unit: spec.unit,
          min: spec.min,
          max: spec.max,
          mappings: spec.mappings,
          ...(spec.thresholds ? { thresholds: { mode: 'absolute', steps: spec.thresholds } } : {}),
        },
        overrides: [],
      },
      options:
        type === 'stat'
          ? {
              reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
              colorMode: 'background',
              graphMode: 'none',
              textMode: 'auto',
            }
          : {
              legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
              tooltip: { mode: 'multi', sort: 'none' },
            },
    };
  }
}

/**
 * JSON with object keys sorted at every level and two-space indentation, so that the same dashboard always
 * serializes to the same bytes; `undefined` properties are left out.
 */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
