/**
 * Pages and panels owned by other features that may not be in this checkout yet. Each is found by
 * one path with import.meta.glob, so the build works before and after the folder lands, and the
 * code (with Plotly behind it) is loaded only when first shown.
 */
import { lazy, type ComponentType } from "react";

export interface OutputInspectorProps {
  runId: number;
  nodeId: string;
  port: string;
  portType: string;
}

type Loader = () => Promise<Record<string, unknown>>;

function lazyExport<P extends object>(found: Record<string, Loader>, name: string): ComponentType<P> | null {
  const load = Object.values(found)[0];
  if (!load) return null;
  return lazy(async () => {
    const mod = await load();
    const component = mod[name] as ComponentType<P> | undefined;
    if (!component) throw new Error(`${name} is missing from its feature's index.`);
    return { default: component };
  });
}

export const OutputInspector = lazyExport<OutputInspectorProps>(
  import.meta.glob<Record<string, unknown>>("../features/inspector/index.{ts,tsx}"),
  "OutputInspector",
);

export const DatasetsPage = lazyExport<Record<string, never>>(
  import.meta.glob<Record<string, unknown>>("../features/datasets/index.{ts,tsx}"),
  "DatasetsPage",
);
