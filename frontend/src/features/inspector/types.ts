/**
 * Shapes of run outputs as the inspector reads them. The OpenAPI schema types these bodies as free-form
 * objects (their contents depend on the port type), so they are written out here, field for field,
 * from designer/runs/views.py and designer/engine/profile.py.
 */

export interface TableColumn {
  name: string;
  type: string;
}

/** GET …/outputs/{port}/?offset=&limit= (table) and GET /api/datasets/{id}/versions/{n}/preview/. */
export interface TablePage {
  total: number;
  offset: number;
  limit: number;
  columns: TableColumn[];
  rows: unknown[][];
}

export interface Histogram {
  edges: (number | null)[];
  counts: number[];
}

export interface TopValue {
  value: unknown;
  count: number;
}

/** One column of a profile: numbers carry min/max/mean/std and a histogram, the rest their commonest values. */
export interface ColumnProfile {
  name: string;
  type: string;
  missing: number;
  distinct: number;
  min?: number | string | null;
  max?: number | string | null;
  mean?: number | null;
  std?: number | null;
  histogram?: Histogram;
  top?: TopValue[];
}

export interface TableProfile {
  rows: number;
  columns: ColumnProfile[];
  /** Set when distinct counts, top values and histograms come from this many rows spread over a larger table. */
  sampled_rows?: number;
}

/** One file of a zip: its path inside the archive and its unpacked size in bytes. */
export interface ZipMember {
  name: string;
  size: number;
}

/**
 * What is inside a zip: the profile of a file dataset version (GET /api/datasets/{id}/versions/{n}/)
 * and the summary of a zip_file output (modules/sdk/ports.py ZipFile.summary, which lists the first
 * 1,000 members; the counts cover them all).
 */
export interface ZipContents {
  files: number;
  bytes: number;
  members: ZipMember[];
}

export function isZipContents(value: unknown): value is ZipContents {
  const v = value as Partial<ZipContents> | null;
  return !!v && typeof v === "object" && typeof v.files === "number" && Array.isArray(v.members);
}

export interface MetricsBody {
  values: Record<string, number | string | null>;
  task: string;
  detail: Record<string, unknown>;
}

/** A model an Evaluate Model output measured, named by its learner (designer/runs/evaluations.py). */
export interface EvaluatedModel {
  input: string;
  label: string;
  learner_node: string | null;
}

export interface OutputBody {
  node: string;
  port: string;
  type: string;
  size: number;
  table?: TablePage;
  meta?: Record<string, unknown>;
  metrics?: MetricsBody;
  /** Metrics only: the first model, then the compared one when Evaluate Model had two inputs. */
  models?: EvaluatedModel[];
  summary?: Record<string, unknown>;
}

/** A Plotly figure as the server builds it (designer/engine/figures.py): plain JSON, drawn as is. */
export interface FigureSpec {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}
