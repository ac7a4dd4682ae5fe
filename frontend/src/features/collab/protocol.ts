/**
 * The co-editing protocol of `/ws/pipelines/<id>/` (designer/collab/consumers.py), as types.
 * Op shapes follow designer/engine/ops.py field for field.
 */
import type { DocNode, PipelineDocument, PortRef } from "../../api/types";

export interface Person {
  id: number;
  username: string;
  colour: string;
}

export type Op =
  | { kind: "add_node"; node: DocNode; position?: { x: number; y: number } }
  | { kind: "remove_node"; node: string }
  | { kind: "set_param"; node: string; param: string; value?: unknown; reset?: boolean }
  | { kind: "set_params"; node: string; params: Record<string, unknown> }
  | { kind: "set_regenerate"; node: string; value: boolean }
  | { kind: "set_compute"; node: string; value: string | null }
  | { kind: "set_component_version"; node: string; version: number; link?: "latest" | "pinned" }
  | { kind: "move_node"; node: string; x: number; y: number }
  | { kind: "set_comment"; node: string; comment: string }
  | { kind: "add_edge"; source: PortRef; target: PortRef }
  | { kind: "remove_edge"; source: PortRef; target: PortRef }
  | { kind: "add_parameter"; name: string; parameter: Record<string, unknown> }
  | { kind: "update_parameter"; name: string; changes: Record<string, unknown>; remove_default?: boolean }
  | { kind: "remove_parameter"; name: string };

export interface SnapshotMessage {
  type: "snapshot";
  seq: number;
  document: PipelineDocument;
  base_version: number | null;
  you: Person;
  can_edit: boolean;
}

export interface OpMessage {
  type: "op";
  seq: number;
  op: Op;
  author: Person | null;
  client_id: string | null;
  touches?: string[];
}

export interface PresenceMessage {
  type: "presence";
  event: "join" | "select" | "here" | "leave";
  who: Person;
  nodes: string[];
}

export interface RefusedMessage {
  type: "op_refused";
  client_id: string | null;
  detail: string;
}

export interface ErrorMessage {
  type: "error";
  detail: string;
}

export type ServerMessage = SnapshotMessage | OpMessage | PresenceMessage | RefusedMessage | ErrorMessage;

export type ClientMessage =
  | { type: "op"; op: Op; client_id: string }
  | { type: "select" | "here"; nodes: string[] }
  | { type: "resync"; after: number };

/** Close codes after which reconnecting cannot help: signed out, or not a member / no such pipeline. */
export const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([4401, 4403, 4404]);

export function socketUrl(pipelineId: number): string {
  const proto = window.location.protocol === "https:" ? "wss" : "ws";
  return `${proto}://${window.location.host}/ws/pipelines/${pipelineId}/`;
}

export function parseMessage(raw: unknown): ServerMessage | null {
  try {
    const data: unknown = JSON.parse(String(raw));
    if (data && typeof data === "object" && typeof (data as { type?: unknown }).type === "string") return data as ServerMessage;
  } catch {
    /* not JSON: ignored */
  }
  return null;
}
