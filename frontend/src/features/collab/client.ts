/**
 * The co-editing client of one open pipeline. It keeps two documents: `confirmed`, the shared draft
 * as of the last applied sequence number, and the canvas, which is `confirmed` plus this client's own
 * ops not yet acknowledged. Local edits (the graph store's `revision`) are diffed into ops and sent;
 * ops from the server are applied strictly in `seq` order (early ones wait in a buffer; a gap that
 * outlives GAP_MS asks for a resync); an echo of one's own op is an acknowledgement; a refused op is
 * dropped and the canvas is rebuilt from `confirmed` plus what is still pending, which reverts it.
 * Undo steps are rewritten by teammates' ops, so undo only takes back one's own edits.
 */
import type { PipelineDocument } from "../../api/types";
import { toast } from "../../app/toasts";
import { moduleKey, useCatalogue } from "../canvas/catalogueStore";
import { toDocument } from "../canvas/document";
import { useGraph, type Snapshot } from "../canvas/graphStore";
import { useSession } from "../canvas/sessionStore";
import { fieldsOf, type JsonSchema } from "../params";
import { insideComponent, outerGraph, type OuterGraph } from "../components/scopeStore";
import { useCollab, type Teammate } from "./collabStore";
import { applyAll, applyOp, diffOps, isSemantic, OpRefused, paramKey, same } from "./ops";
import {
  FINAL_CLOSE_CODES,
  parseMessage,
  socketUrl,
  type ClientMessage,
  type Op,
  type OpMessage,
  type PresenceMessage,
  type SnapshotMessage,
} from "./protocol";
import { prefetchedSocket } from "./prefetched";
import { reconcile } from "./reconcile";
import type { SocketLike } from "./socket";

/** The part of a WebSocket the client uses (a fake one in tests). */
export type { SocketLike } from "./socket";

export interface CollabOptions {
  socket?: (url: string) => SocketLike;
  /** How long an out-of-order op may wait for the ones before it before asking for a resync. */
  gapMs?: number;
  /** How recent your own edit of a parameter must be for a teammate's overwrite to be pointed out. */
  noticeMs?: number;
  /** How long the first connection may take before the page falls back to saving the draft itself. */
  connectTimeoutMs?: number;
}

interface Pending {
  clientId: string;
  op: Op;
}

const OPEN = 1;
const SELECT_DELAY_MS = 80;

let counter = 0;
const session = Math.random().toString(36).slice(2, 10);
const nextClientId = () => `${session}-${++counter}`;

const selectionOf = (nodes: Snapshot["nodes"]) => nodes.filter((n) => n.selected).map((n) => n.id);

export class CollabClient {
  private readonly pipelineId: number;
  private readonly makeSocket: (url: string) => SocketLike;
  private readonly gapMs: number;
  private readonly noticeMs: number;
  private readonly connectTimeoutMs: number;

  private socket: SocketLike | null = null;
  private stopped = false;
  private everLive = false;
  private failures = 0;
  private confirmed: PipelineDocument | null = null;
  private seq = 0;
  private pending: Pending[] = [];
  private readonly buffer = new Map<number, OpMessage>();
  private readonly recent = new Map<string, number>();
  private sentSelection = "";
  private quiet = false;
  private unsubscribe: (() => void) | null = null;
  private gapTimer: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private selectTimer: ReturnType<typeof setTimeout> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(pipelineId: number, options: CollabOptions = {}) {
    this.pipelineId = pipelineId;
    this.makeSocket = options.socket ?? ((url) => prefetchedSocket(url) ?? new WebSocket(url));
    this.gapMs = options.gapMs ?? 2000;
    this.noticeMs = options.noticeMs ?? 5000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 8000;
  }

  start(): void {
    useCollab.getState().reset("connecting");
    this.unsubscribe = useGraph.subscribe((state, previous) => {
      // A component open on the canvas shows its inner graph: that is not the pipeline, nothing to share.
      if (this.quiet || insideComponent()) return;
      if (state.revision !== previous.revision) this.localEdit();
      if (state.nodes !== previous.nodes) this.scheduleSelect();
    });
    this.connectTimer = setTimeout(() => !this.everLive && this.giveUp(), this.connectTimeoutMs);
    this.open();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    for (const timer of [this.gapTimer, this.retryTimer, this.selectTimer, this.connectTimer]) clearTimeout(timer);
    if (this.socket && this.socket.readyState <= OPEN) this.socket.close(1000);
    this.socket = null;
    useCollab.getState().reset();
  }

  // ---------- the connection ----------

  private open(): void {
    const ws = this.makeSocket(socketUrl(this.pipelineId));
    this.socket = ws;
    ws.onmessage = (event) => {
      if (ws === this.socket) this.receive(event.data);
    };
    ws.onclose = (event) => {
      if (ws === this.socket) this.closed(event.code);
    };
  }

  private closed(code: number): void {
    this.socket = null;
    useCollab.setState({ connected: false });
    if (this.stopped) return;
    if (FINAL_CLOSE_CODES.has(code) || (!this.everLive && this.failures >= 1)) {
      if (!this.everLive) this.giveUp();
      else toast.error("Live editing stopped: you no longer have access to this pipeline.");
      return;
    }
    this.failures += 1;
    if (this.everLive && this.pending.length) useSession.getState().setSave("error", "reconnecting to save your edits");
    this.retryTimer = setTimeout(() => this.open(), Math.min(400 * 2 ** this.failures, 5000));
  }

  /** The first connection failed: stop here, and let the page autosave the draft the old way. */
  private giveUp(): void {
    if (this.everLive || this.stopped) return;
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.retryTimer);
    if (this.socket && this.socket.readyState <= OPEN) this.socket.close(1000);
    this.socket = null;
    useCollab.getState().reset("off");
  }

  private send(message: ClientMessage): boolean {
    if (!this.socket || this.socket.readyState !== OPEN || !this.confirmed) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  private receive(raw: unknown): void {
    const message = parseMessage(raw);
    if (!message) return;
    switch (message.type) {
      case "snapshot":
        this.snapshot(message);
        break;
      case "op":
        this.op(message);
        break;
      case "op_refused":
        this.refused(message.client_id, message.detail);
        break;
      case "presence":
        this.presence(message);
        break;
      case "error":
        console.warn("co-editing:", message.detail);
        break;
    }
  }

  // ---------- the shared draft ----------

  /** What the canvas should show: the shared draft plus your own ops on their way. */
  private local(): PipelineDocument {
    return applyAll(this.confirmed as PipelineDocument, this.pending.map((p) => p.op));
  }

  private snapshot(message: SnapshotMessage): void {
    const first = !this.everLive;
    this.everLive = true;
    this.failures = 0;
    clearTimeout(this.connectTimer);
    clearTimeout(this.gapTimer);
    this.gapTimer = undefined;
    this.buffer.clear();
    this.confirmed = message.document;
    this.seq = message.seq;
    useCollab.setState({ mode: "live", connected: true, you: message.you, canEdit: message.can_edit, seq: message.seq, people: {} });
    useSession.setState({ baseVersion: message.base_version });
    if (first) {
      this.silently(() => useGraph.getState().load(message.document, { readOnly: !message.can_edit }));
      return;
    }
    // Back after a drop: what was on its way may or may not have arrived; send again what still changes something.
    this.pending = this.pending.filter((p) => {
      try {
        return !same(applyOp(message.document, p.op), message.document);
      } catch (error) {
        if (error instanceof OpRefused) return false;
        throw error;
      }
    });
    for (const p of this.pending) this.send({ type: "op", op: p.op, client_id: p.clientId });
    this.settleSaveState();
    this.refreshCanvas(null);
    this.sentSelection = "";
    this.scheduleSelect();
  }

  private op(message: OpMessage): void {
    if (!this.confirmed || message.seq <= this.seq) return; // already applied (a resync overlapping the live stream)
    this.buffer.set(message.seq, message);
    let next = this.buffer.get(this.seq + 1);
    while (next) {
      this.buffer.delete(next.seq);
      this.apply(next);
      next = this.buffer.get(this.seq + 1);
    }
    if (!this.buffer.size) {
      clearTimeout(this.gapTimer);
      this.gapTimer = undefined;
    } else if (this.gapTimer === undefined) {
      this.gapTimer = setTimeout(() => this.gapExpired(), this.gapMs);
    }
  }

  private gapExpired(): void {
    this.gapTimer = undefined;
    if (!this.buffer.size) return;
    this.send({ type: "resync", after: this.seq });
    this.gapTimer = setTimeout(() => this.gapExpired(), this.gapMs);
  }

  private apply(message: OpMessage): void {
    this.seq = message.seq;
    this.confirmed = applyAll(this.confirmed as PipelineDocument, [message.op]);
    useCollab.setState({ seq: message.seq });
    useSession.setState({ unsavedVersion: true });
    const you = useCollab.getState().you;
    // Your own op: echoed with your client id, or replayed by a resync (no client id) with you as author.
    const index = message.client_id
      ? this.pending.findIndex((p) => p.clientId === message.client_id)
      : message.author && you && message.author.id === you.id
        ? this.pending.findIndex((p) => same(p.op, message.op))
        : -1;
    if (index >= 0) {
      this.pending.splice(index, 1);
      this.settleSaveState();
      return; // already on the canvas
    }
    this.noticeOverwrite(message);
    this.refreshCanvas(message.op);
  }

  private refused(clientId: string | null, detail: string): void {
    const index = clientId ? this.pending.findIndex((p) => p.clientId === clientId) : -1;
    if (index >= 0) {
      this.pending.splice(index, 1);
      this.refreshCanvas(null);
      this.settleSaveState();
    }
    toast.error(`Your change was undone: ${detail}`);
  }

  /** Rebuild the canvas from the shared draft and what is pending; teammates' `op` also rewrites undo steps. */
  private refreshCanvas(op: Op | null): void {
    const graph = useGraph.getState();
    // While a component is open the pipeline waits behind it: teammates' ops go there.
    const outer = outerGraph() as OuterGraph<Snapshot> | null;
    const shown = outer ? outer.snapshot() : { nodes: graph.nodes, edges: graph.edges, parameters: graph.parameters };
    const current = reconcile(shown, this.local());
    const history = (step: Snapshot): Snapshot => {
      if (!op) return step;
      try {
        return reconcile(step, applyOp(toDocument(step.nodes, step.edges, step.parameters), op));
      } catch {
        return step; // the op does not fit this older state: leave it
      }
    };
    this.silently(() => (outer ?? graph).applyRemote(current, history, op ? isSemantic(op) : true));
  }

  private silently(change: () => void): void {
    this.quiet = true;
    try {
      change();
    } finally {
      this.quiet = false;
    }
  }

  // ---------- local edits ----------

  private localEdit(): void {
    if (!this.confirmed || !useCollab.getState().canEdit) return;
    const ops = diffOps(this.local(), useGraph.getState().document());
    if (!ops.length) return;
    const now = Date.now();
    for (const op of ops) {
      const pending = { clientId: nextClientId(), op };
      this.pending.push(pending);
      if (op.kind === "set_param") this.recent.set(paramKey(op.node, op.param), now);
      this.send({ type: "op", op, client_id: pending.clientId });
    }
    useSession.getState().markEdited();
    useCollab.setState({ pending: this.pending.length });
  }

  private settleSaveState(): void {
    useCollab.setState({ pending: this.pending.length });
    if (!this.pending.length) useSession.getState().setSave("saved");
    else useSession.getState().setSave("saving");
  }

  /** A teammate overwrote a parameter you set a moment ago: say who and what. */
  private noticeOverwrite(message: OpMessage): void {
    const op = message.op;
    if (op.kind !== "set_param" || !message.author) return;
    const key = paramKey(op.node, op.param);
    const at = this.recent.get(key);
    if (at === undefined || Date.now() - at > this.noticeMs) return;
    if (this.pending.some((p) => p.op.kind === "set_param" && paramKey(p.op.node, p.op.param) === key)) return; // yours comes later and wins
    this.recent.delete(key);
    const { node, param } = describeParam(this.confirmed as PipelineDocument, op.node, op.param);
    toast.info(`${message.author.username} changed ${param} on ${node}`);
  }

  // ---------- presence ----------

  private presence(message: PresenceMessage): void {
    const you = useCollab.getState().you;
    if (you && message.who.id === you.id) return; // your other tab
    const people = { ...useCollab.getState().people };
    if (message.event === "leave") {
      delete people[message.who.id];
    } else {
      const person: Teammate = { ...message.who, nodes: message.event === "join" ? [] : message.nodes };
      people[message.who.id] = person;
    }
    useCollab.setState({ people });
    if (message.event === "join") this.send({ type: "here", nodes: selectionOf(useGraph.getState().nodes) });
  }

  private scheduleSelect(): void {
    if (this.selectTimer !== undefined) return;
    this.selectTimer = setTimeout(() => {
      this.selectTimer = undefined;
      if (insideComponent()) return; // inner nodes are not the pipeline's
      const nodes = selectionOf(useGraph.getState().nodes);
      const key = nodes.join(",");
      if (key === this.sentSelection) return;
      if (this.send({ type: "select", nodes })) this.sentSelection = key;
    }, SELECT_DELAY_MS);
  }
}

/** A node and parameter as people read them: "Split Data" and the parameter's title. */
export function describeParam(doc: PipelineDocument, nodeId: string, param: string): { node: string; param: string } {
  const node = doc.nodes.find((n) => n.id === nodeId);
  const module = node ? useCatalogue.getState().modules.get(moduleKey(node.module, node.version)) : undefined;
  const field = module ? fieldsOf(module.params_schema as JsonSchema).find((f) => f.name === param) : undefined;
  return { node: module?.name ?? nodeId, param: field?.title ?? param };
}
