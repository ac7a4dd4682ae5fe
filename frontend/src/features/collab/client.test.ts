import { act, render, screen } from "@testing-library/react";
import { createElement } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PipelineDocument } from "../../api/types";
import { useToasts } from "../../app/toasts";
import { useGraph } from "../canvas/graphStore";
import { useSession } from "../canvas/sessionStore";
import { CollabClient, type SocketLike } from "./client";
import { useCollab } from "./collabStore";
import { Presence } from "./Presence";
import type { ClientMessage, Op, Person } from "./protocol";

class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: ClientMessage[] = [];
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data) as ClientMessage);
  }
  close(code = 1000) {
    this.drop(code);
  }
  // What the server does:
  accept() {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
  }
  receive(message: object) {
    this.onmessage?.(new MessageEvent("message", { data: JSON.stringify(message) }));
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code } as CloseEvent);
  }
  ops() {
    return this.sent.flatMap((m) => (m.type === "op" ? [m] : []));
  }
}

const ann: Person = { id: 1, username: "ann", colour: "#d9480f" };
const ben: Person = { id: 2, username: "ben", colour: "#1971c2" };

const doc: PipelineDocument = {
  schema_version: 1,
  nodes: [
    { id: "a", module: "test_sleep", version: 1, params: { seconds: 0 }, regenerate: false },
    { id: "b", module: "test_sleep", version: 1, params: { seconds: 0 }, regenerate: false },
  ],
  edges: [{ source: { node: "a", port: "result" }, target: { node: "b", port: "dataset" } }],
  parameters: {},
  layout: { a: { x: 0, y: 0 }, b: { x: 0, y: 160 } },
};

const g = () => useGraph.getState();
const params = (id: string) => g().nodes.find((n) => n.id === id)?.data.params;
const toasts = () => useToasts.getState().toasts.map((t) => t.text);

let client: CollabClient;
let socket: FakeSocket;
let seq = 0;

function connect(canEdit = true, you: Person = ann) {
  client = new CollabClient(7, { socket: (url) => new FakeSocket(url), gapMs: 2000 });
  client.start();
  socket = FakeSocket.all.at(-1) as FakeSocket;
  socket.accept();
  socket.receive({ type: "snapshot", seq: 0, document: doc, base_version: 1, you, can_edit: canEdit });
}

/** The server numbering an op and sending it to everyone. */
function broadcast(op: Op, author: Person, clientId: string | null = null, at = ++seq) {
  socket.receive({ type: "op", seq: at, op, author, client_id: clientId, touches: [] });
}

function setSeconds(node: string, seconds: number) {
  g().updateNodeData(node, { params: { seconds } }, "param:seconds");
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
  seq = 0;
  useToasts.setState({ toasts: [] });
  useSession.getState().start(7, 1, false);
  g().load({ schema_version: 1, nodes: [], edges: [] });
});

afterEach(() => {
  act(() => client.stop());
  vi.useRealTimers();
});

describe("joining", () => {
  it("connects to the pipeline's socket and shows the snapshot's document", () => {
    connect();

    expect(socket.url).toMatch(/\/ws\/pipelines\/7\/$/);
    expect(g().nodes.map((n) => n.id)).toEqual(["a", "b"]);
    expect(g().readOnly).toBe(false);
    expect(useCollab.getState()).toMatchObject({ mode: "live", connected: true, you: ann, seq: 0 });
    expect(socket.sent).toEqual([]);
  });

  it("falls back to saving the draft itself when no connection can be made", () => {
    client = new CollabClient(7, { socket: (url) => new FakeSocket(url) });
    client.start();
    (FakeSocket.all[0] as FakeSocket).drop();
    vi.advanceTimersByTime(1000);
    (FakeSocket.all[1] as FakeSocket).drop();

    expect(useCollab.getState().mode).toBe("off");
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.all).toHaveLength(2);
  });
});

describe("applying ops in order", () => {
  it("applies a teammate's op to the canvas without counting it as a local edit", () => {
    connect();
    const revision = g().revision;

    broadcast({ kind: "set_param", node: "a", param: "seconds", value: 4 }, ben);
    broadcast({ kind: "move_node", node: "b", x: 320, y: 48 }, ben);

    expect(params("a")).toEqual({ seconds: 4 });
    expect(g().nodes.find((n) => n.id === "b")?.position).toEqual({ x: 320, y: 48 });
    expect(g().revision).toBe(revision);
    expect(socket.ops()).toEqual([]);
    expect(useCollab.getState().seq).toBe(2);
  });

  it("holds an op that arrives early until the ones before it are in, so the later one wins", () => {
    connect();

    broadcast({ kind: "set_param", node: "a", param: "seconds", value: 9 }, ben, null, 2);
    expect(params("a")).toEqual({ seconds: 0 });
    broadcast({ kind: "set_param", node: "a", param: "seconds", value: 5 }, ben, null, 1);

    expect(params("a")).toEqual({ seconds: 9 });
    expect(useCollab.getState().seq).toBe(2);
  });

  it("asks for a resync when a gap outlives two seconds, and ignores what it already applied", () => {
    connect();
    broadcast({ kind: "set_param", node: "a", param: "seconds", value: 1 }, ben, null, 1);
    broadcast({ kind: "set_param", node: "b", param: "seconds", value: 3 }, ben, null, 3);

    vi.advanceTimersByTime(1900);
    expect(socket.sent.filter((m) => m.type === "resync")).toEqual([]);
    vi.advanceTimersByTime(200);
    expect(socket.sent.filter((m) => m.type === "resync")).toEqual([{ type: "resync", after: 1 }]);

    broadcast({ kind: "set_param", node: "a", param: "seconds", value: 1 }, ben, null, 1); // replayed
    broadcast({ kind: "remove_edge", source: { node: "a", port: "result" }, target: { node: "b", port: "dataset" } }, ben, null, 2);
    broadcast({ kind: "set_param", node: "b", param: "seconds", value: 3 }, ben, null, 3); // replayed

    expect(params("a")).toEqual({ seconds: 1 });
    expect(params("b")).toEqual({ seconds: 3 });
    expect(g().edges).toEqual([]);
    vi.advanceTimersByTime(5000);
    expect(socket.sent.filter((m) => m.type === "resync")).toHaveLength(1);
  });
});

describe("your own edits", () => {
  it("sends an edit as small ops and takes its echo as the acknowledgement, not a second edit", () => {
    connect();
    setSeconds("a", 2);
    const [sent] = socket.ops();
    expect(sent).toMatchObject({ op: { kind: "set_param", node: "a", param: "seconds", value: 2 } });
    expect(useSession.getState().save).toBe("dirty");

    g().undo(); // would show up if the echo were applied again
    broadcast(sent!.op, ann, sent!.client_id);

    expect(params("a")).toEqual({ seconds: 0 });
    expect(useCollab.getState().pending).toBe(1); // the undo is on its way
    broadcast(socket.ops()[1]!.op, ann, socket.ops()[1]!.client_id);
    expect(useCollab.getState().pending).toBe(0);
    expect(useSession.getState().save).toBe("saved");
  });

  it("translates adding, connecting, moving and deleting into ops", () => {
    connect();
    const id = g().addNode({ id: "test_sleep", version: 1 }, { x: 40, y: 320 });
    g().connect({ source: "b", sourceHandle: "result", target: id, targetHandle: "dataset" });
    g().onNodesChange([{ type: "position", id, position: { x: 80, y: 400 }, dragging: true }]);
    expect(socket.ops()).toHaveLength(2); // nothing sent while dragging
    g().onNodesChange([{ type: "position", id, position: { x: 80, y: 400 }, dragging: false }]);
    g().removeNodes(["a"]);

    expect(socket.ops().map((m) => m.op)).toEqual([
      { kind: "add_node", node: { id, module: "test_sleep", version: 1, params: {}, regenerate: false }, position: { x: 40, y: 320 } },
      { kind: "add_edge", source: { node: "b", port: "result" }, target: { node: id, port: "dataset" } },
      { kind: "move_node", node: id, x: 80, y: 400 },
      { kind: "remove_node", node: "a" },
    ]);
  });

  it("keeps your pending value over a teammate's earlier one, since yours is numbered later", () => {
    connect();
    setSeconds("a", 2);
    const [mine] = socket.ops();

    broadcast({ kind: "set_param", node: "a", param: "seconds", value: 7 }, ben); // seq 1, before mine
    expect(params("a")).toEqual({ seconds: 2 });
    broadcast(mine!.op, ann, mine!.client_id); // seq 2

    expect(params("a")).toEqual({ seconds: 2 });
    expect(toasts()).toEqual([]);
  });

  it("shows the teammate's value and who changed it when their later op overwrites yours", () => {
    connect();
    setSeconds("a", 2);
    const [mine] = socket.ops();
    broadcast(mine!.op, ann, mine!.client_id);

    broadcast({ kind: "set_param", node: "a", param: "seconds", value: 7 }, ben);

    expect(params("a")).toEqual({ seconds: 7 });
    expect(toasts()).toEqual(["ben changed seconds on a"]);
  });

  it("reverts a refused op and says why", () => {
    connect();
    g().removeNodes(["b"]);
    setSeconds("a", 3);
    const [removal, param] = socket.ops();
    expect(g().nodes.map((n) => n.id)).toEqual(["a"]);

    socket.receive({ type: "op_refused", client_id: removal!.client_id, detail: "Only editors and owners can change this pipeline." });

    expect(g().nodes.map((n) => n.id)).toEqual(["a", "b"]);
    expect(g().edges).toHaveLength(1);
    expect(params("a")).toEqual({ seconds: 3 }); // the other pending edit stays
    expect(param).toBeDefined();
    expect(toasts()).toEqual(["Your change was undone: Only editors and owners can change this pipeline."]);
  });

  it("undo takes back your own edit and leaves a teammate's alone", () => {
    connect();
    setSeconds("a", 2);
    broadcast(socket.ops()[0]!.op, ann, socket.ops()[0]!.client_id);
    broadcast({ kind: "set_param", node: "b", param: "seconds", value: 8 }, ben);

    g().undo();

    expect(params("a")).toEqual({ seconds: 0 });
    expect(params("b")).toEqual({ seconds: 8 });
    expect(socket.ops().at(-1)?.op).toEqual({ kind: "set_param", node: "a", param: "seconds", value: 0 });
  });

  it("after a dropped connection, sends again the edits that had not arrived", () => {
    connect();
    setSeconds("a", 2);
    const first = socket;
    first.drop();
    setSeconds("b", 6); // made while offline
    expect(useCollab.getState().connected).toBe(false);

    vi.advanceTimersByTime(1000);
    socket = FakeSocket.all.at(-1) as FakeSocket;
    expect(socket).not.toBe(first);
    socket.accept();
    const applied = { ...doc, nodes: doc.nodes.map((n) => (n.id === "a" ? { ...n, params: { seconds: 2 } } : n)) };
    socket.receive({ type: "snapshot", seq: 1, document: applied, base_version: 1, you: ann, can_edit: true });

    expect(socket.ops().map((m) => m.op)).toEqual([{ kind: "set_param", node: "b", param: "seconds", value: 6 }]);
    expect(params("a")).toEqual({ seconds: 2 });
    expect(params("b")).toEqual({ seconds: 6 });
  });
});

describe("staying connected", () => {
  it("keeps reconnecting through an outage and resumes from the new snapshot, applying later ops once", () => {
    connect();
    broadcast({ kind: "set_param", node: "a", param: "seconds", value: 1 }, ben);
    socket.drop(4503); // the server's channel layer failed (a Redis restart): try again
    for (let attempt = 0; attempt < 6; attempt += 1) {
      vi.advanceTimersByTime(5000);
      (FakeSocket.all.at(-1) as FakeSocket).drop(1006); // the server is still down
    }
    vi.advanceTimersByTime(5000);
    socket = FakeSocket.all.at(-1) as FakeSocket;
    socket.accept();
    const now = { ...doc, nodes: doc.nodes.map((n) => ({ ...n, params: { seconds: n.id === "a" ? 1 : 2 } })) };
    socket.receive({ type: "snapshot", seq: 2, document: now, base_version: 1, you: ann, can_edit: true });
    broadcast({ kind: "set_param", node: "b", param: "seconds", value: 2 }, ben, null, 2); // also in the snapshot
    broadcast({ kind: "set_param", node: "b", param: "seconds", value: 3 }, ben, null, 3);

    expect(FakeSocket.all).toHaveLength(8);
    expect(useCollab.getState()).toMatchObject({ mode: "live", connected: true, seq: 3 });
    expect(params("a")).toEqual({ seconds: 1 });
    expect(params("b")).toEqual({ seconds: 3 });
    expect(socket.ops()).toEqual([]);
  });
});

describe("viewers", () => {
  it("see live changes on a read-only canvas and send no ops", () => {
    connect(false);
    g().removeNodes(["a"]);
    broadcast({ kind: "set_param", node: "a", param: "seconds", value: 4 }, ben);

    expect(g().readOnly).toBe(true);
    expect(g().nodes).toHaveLength(2);
    expect(params("a")).toEqual({ seconds: 4 });
    expect(socket.ops()).toEqual([]);
  });
});

describe("presence", () => {
  it("lists teammates, answers a join with your selection and outlines what they select", () => {
    connect();
    g().selectOnly(["b"]);
    socket.receive({ type: "presence", event: "join", who: ben, nodes: [] });
    expect(socket.sent.at(-1)).toEqual({ type: "here", nodes: ["b"] });

    socket.receive({ type: "presence", event: "select", who: ben, nodes: ["a"] });
    render(createElement(Presence));

    expect(screen.getByTitle("ann (you)")).toHaveTextContent("A");
    expect(screen.getByTitle("ben · 1 selected")).toHaveStyle({ background: "#1971c2" });
    expect(screen.getByTestId("teammate-selection").textContent).toContain('.react-flow .react-flow__node[data-id="a"]{outline:2px solid #1971c2');

    act(() => socket.receive({ type: "presence", event: "leave", who: ben, nodes: [] }));
    expect(screen.queryByTitle(/ben/)).toBeNull();
    expect(screen.queryByTestId("teammate-selection")).toBeNull();
  });

  it("tells the others when your selection changes, once", () => {
    connect();
    g().selectOnly(["a"]);
    g().selectOnly(["a"]);
    vi.advanceTimersByTime(100);
    g().selectOnly([]);
    vi.advanceTimersByTime(100);

    expect(socket.sent.filter((m) => m.type === "select")).toEqual([
      { type: "select", nodes: ["a"] },
      { type: "select", nodes: [] },
    ]);
  });
});

describe("pipeline parameters", () => {
  it("sends a promotion as a declaration then a binding, and shows a teammate's removal with the default left behind", () => {
    connect();
    g().addParameter("pause", { type: "number", default: 1, description: "" }, { node: "a", field: "seconds" });

    const sent = socket.ops();
    expect(sent.map((m) => m.op)).toEqual([
      { kind: "add_parameter", name: "pause", parameter: { type: "number", default: 1, description: "" } },
      { kind: "set_param", node: "a", param: "seconds", value: { $param: "pause" } },
    ]);
    broadcast(sent[0]!.op, ann, sent[0]!.client_id);
    broadcast(sent[1]!.op, ann, sent[1]!.client_id);
    broadcast({ kind: "remove_parameter", name: "pause" }, ben);

    expect(g().parameters).toEqual({});
    expect(params("a")).toEqual({ seconds: 1 });
    act(() => g().undo()); // your own step comes back, rewritten by ben's removal: nothing to bind to
    expect(g().parameters).toEqual({});
  });

  it("reverts a binding the server refused because the parameter was removed meanwhile", () => {
    connect();
    broadcast({ kind: "add_parameter", name: "pause", parameter: { type: "number", default: 2, description: "" } }, ben);
    g().bindField("b", "seconds", "pause");
    const [bind] = socket.ops();
    broadcast({ kind: "remove_parameter", name: "pause" }, ben);
    socket.receive({ type: "op_refused", client_id: bind!.client_id, detail: "there is no pipeline parameter 'pause' to bind to" });

    expect(params("b")).toEqual({ seconds: 0 });
    expect(g().parameters).toEqual({});
    expect(toasts()).toEqual(["Your change was undone: there is no pipeline parameter 'pause' to bind to"]);
  });
});
