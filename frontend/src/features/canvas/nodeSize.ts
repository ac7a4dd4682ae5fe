/**
 * A module card's size and port positions worked out before it is drawn, so that a pipeline opens in
 * one frame: React Flow shows a node only once it knows its size and draws an edge only once it knows
 * its ports, which otherwise means rendering every card hidden, measuring all of them, and rendering
 * again (about half a second for 500 modules). React Flow still measures each card afterwards; a card
 * whose size differs from the estimate is re-measured, ports included (graphStore drops the estimated
 * ports then), so a wrong estimate costs that pass again and nothing else.
 *
 * The figures mirror canvas.css (.mnode, .mnode__body, .mnode__title, .mnode__sub, .react-flow__handle.port).
 */
import { Position, type NodeHandle } from "@xyflow/react";
import type { Dataset, Module } from "../../api/types";
import { referenceOf } from "../parameters/model";
import { datasetIdOf, type JsonSchema } from "../params";
import { moduleKey } from "./catalogueStore";
import type { DesignerNode } from "./document";

/** Every module card is this wide (canvas.css sizes the card's text for it). */
export const NODE_WIDTH = 232;

const BORDER_CSS = 1.5; // Chrome draws it in whole device pixels: 1 px at a device pixel ratio of 1
const BODY_PADDING = 17 + 17;
const TEXT_BESIDE = 10 + 12 + 30 + 10; // body padding left and right, icon, gap
const ICON = 30;
const TITLE_LINE = 13 * 1.25; // .mnode__title: 13 px, line-height 1.25, at most 2 lines
const SUB_LINE = 11.5 * 1.45; // .mnode__sub: 11.5 px, the body's line-height
const BOUND_LINE = 11 * 1.45; // .mnode__bound
const HANDLE = 11;

export interface NodeSize {
  measured: { width: number; height: number };
  handles: NodeHandle[];
}

export interface SizeContext {
  modules: ReadonlyMap<string, Module>;
  datasets: ReadonlyMap<number, Dataset>;
  /** Width of a card title's text in px (13 px semibold); undefined where text cannot be measured. */
  textWidth(text: string): number | undefined;
  devicePixelRatio: number;
}

/** The card's size and handles as ModuleNode draws it with no run status and no problems, or undefined. */
export function estimateNodeSize(node: DesignerNode, ctx: SizeContext): NodeSize | undefined {
  const module = ctx.modules.get(moduleKey(node.data.module, node.data.version));
  if (!module) return undefined; // drawn with a notice of its own
  const datasetId = datasetIdOf(module.params_schema as JsonSchema, node.data.params);
  const datasetName = datasetId !== undefined ? (ctx.datasets.get(datasetId)?.name ?? `Dataset #${datasetId}`) : undefined;
  const title = datasetName ?? module.name;
  const width = ctx.textWidth(title);
  if (width === undefined) return undefined;
  const border = Math.floor(BORDER_CSS * ctx.devicePixelRatio) / ctx.devicePixelRatio;
  const lines = width > NODE_WIDTH - 2 * border - TEXT_BESIDE ? 2 : 1;
  const bound = Object.values(node.data.params).some((v) => referenceOf(v) !== undefined);
  const text = lines * TITLE_LINE + SUB_LINE + (bound ? BOUND_LINE : 0);
  const height = 2 * border + BODY_PADDING + Math.max(ICON, text);
  const inner = NODE_WIDTH - 2 * border;
  const place = (ports: Module["inputs"], type: "source" | "target"): NodeHandle[] =>
    ports.map((p, i) => ({
      id: p.name,
      type,
      position: type === "target" ? Position.Top : Position.Bottom,
      x: border + ((i + 0.5) / ports.length) * inner - HANDLE / 2,
      y: type === "target" ? border - HANDLE / 2 : height - border - HANDLE / 2,
      width: HANDLE,
      height: HANDLE,
    }));
  return {
    // offsetWidth/offsetHeight, what React Flow measures, are whole pixels
    measured: { width: NODE_WIDTH, height: Math.round(height) },
    handles: [...place(module.inputs, "target"), ...place(module.outputs, "source")],
  };
}

/** Text widths in the cards' title font, measured on a canvas; undefined where there is no 2D canvas (tests). */
export function titleMeasurer(): (text: string) => number | undefined {
  let context: CanvasRenderingContext2D | null = null;
  try {
    context = document.createElement("canvas").getContext("2d");
  } catch {
    context = null;
  }
  if (!context) return () => undefined;
  context.font = `600 13px ${getComputedStyle(document.body).fontFamily}`;
  const ctx = context;
  return (text) => ctx.measureText(text).width;
}
