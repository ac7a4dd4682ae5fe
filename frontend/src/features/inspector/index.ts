/** The output inspector: tables, metrics and models a run produced, with Plotly charts loaded on demand. */
export { OutputInspector, type OutputInspectorProps } from "./OutputInspector";
