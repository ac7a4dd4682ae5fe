import { act, render } from "@testing-library/react";
import { ReactFlow, ReactFlowProvider } from "@xyflow/react";
import { Profiler, type ComponentProps } from "react";
import { beforeAll, describe, expect, it } from "vitest";
import { modules, portTypes } from "../../test/fixtures";
import { mockReactFlow } from "../../test/reactflow";
import { useRunStatus } from "../runs/runStore";
import { useCatalogue } from "./catalogueStore";
import { useGraph } from "./graphStore";
import { useValidation } from "./validationStore";
import type { DesignerNode } from "./document";
import { ModuleNode } from "./ModuleNode";
import { nodeTypes } from "./types";

/** Renders of each node card, counted by a Profiler around it (its own store updates included). */
const renders = new Map<string, number>();
const countingTypes = {
  module: (props: ComponentProps<typeof ModuleNode>) => (
    <Profiler id={props.id} onRender={(id) => renders.set(id, (renders.get(id) ?? 0) + 1)}>
      <ModuleNode {...props} />
    </Profiler>
  ),
};

beforeAll(() => {
  mockReactFlow();
  useCatalogue.getState().setModules(modules);
  useCatalogue.getState().setPortTypes(portTypes);
});

const node = (id: string, module: string, x = 0): DesignerNode => ({
  id,
  type: "module",
  position: { x, y: 0 },
  data: { module, version: 1, params: {}, regenerate: false, comment: "" },
});

function Flow({ nodes, types = nodeTypes }: { nodes: DesignerNode[]; types?: typeof nodeTypes }) {
  return (
    <ReactFlowProvider>
      <div style={{ width: 1200, height: 800 }}>
        <ReactFlow nodes={nodes} edges={[]} nodeTypes={types} />
      </div>
    </ReactFlowProvider>
  );
}

describe("a module on the canvas", () => {
  it("has one handle per port, named after it: inputs on top, outputs at the bottom, in declaration order", () => {
    const { container } = render(<Flow nodes={[node("train", "train_model"), node("split", "split_data", 300)]} />);
    const handles = (id: string, kind: string) =>
      [...container.querySelectorAll(`.react-flow__node[data-id="${id}"] .react-flow__handle-${kind}`)].map((h) => ({
        id: h.getAttribute("data-handleid"),
        left: (h as HTMLElement).style.left,
        tip: h.getAttribute("data-tip"),
      }));
    expect(handles("train", "top")).toEqual([
      { id: "untrained_model", left: "25%", tip: "Untrained model · Untrained model" },
      { id: "dataset", left: "75%", tip: "Dataset · Data table" },
    ]);
    expect(handles("train", "bottom")).toEqual([{ id: "trained_model", left: "50%", tip: "Trained model · Trained model" }]);
    expect(handles("split", "bottom").map((h) => h.id)).toEqual(["results_dataset1", "results_dataset2"]);
    const labels = [...container.querySelectorAll('.react-flow__node[data-id="train"] .mnode__portlabel')].map((l) => l.textContent);
    expect(labels).toEqual(["Untrained model", "Dataset", "Trained model"]);
  });

  it("adds the columns that flow through a port to its tooltip once the validator knows them", () => {
    const columns = (names: string[]) => names.map((name) => ({ name, type: "number" as const }));
    act(() => {
      useGraph.setState({
        edges: [{ id: "e", source: "split", sourceHandle: "results_dataset1", target: "train", targetHandle: "dataset" }],
      });
      useValidation.setState({
        schemas: {
          split: {
            results_dataset1: { columns: [...columns(["age", "income"]), { name: "city", type: "string" }], meta: {} },
            results_dataset2: { columns: columns(Array.from({ length: 10 }, (_, i) => `c${i}`)), meta: {} },
          },
        },
      });
    });
    const { container } = render(<Flow nodes={[node("train", "train_model"), node("split", "split_data", 300)]} />);
    const tip = (id: string, port: string) => container.querySelector(`.react-flow__node[data-id="${id}"] [data-handleid="${port}"]`)?.getAttribute("data-tip");
    const label = (id: string, text: string) =>
      [...container.querySelectorAll(`.react-flow__node[data-id="${id}"] .mnode__portlabel`)].find((l) => l.textContent === text)?.getAttribute("title");

    expect(tip("split", "results_dataset1")).toBe("Results dataset1 · Data table\n3 columns: age (number), income (number), city (string)");
    expect(tip("split", "results_dataset2")).toBe(
      "Results dataset2 · Data table\n10 columns: c0 (number), c1 (number), c2 (number), c3 (number), c4 (number), c5 (number), c6 (number), c7 (number), and 2 more",
    );
    // an input shows what its incoming edge carries; an unwired input has no columns yet
    expect(tip("train", "dataset")).toBe("Dataset · Data table\n3 columns: age (number), income (number), city (string)");
    expect(label("train", "Dataset")).toBe(tip("train", "dataset"));
    expect(tip("train", "untrained_model")).toBe("Untrained model · Untrained model");
    act(() => {
      useValidation.getState().reset();
      useGraph.setState({ edges: [] });
    });
  });

  it("shows the status it is sent, and a status event re-renders only its node", () => {
    const nodes = Array.from({ length: 30 }, (_, i) => node(`n${i}`, "split_data", i * 260));
    useRunStatus.getState().attach({
      run: { id: 1, pipeline: 1, version: 1, status: "running", error: "", elapsed: 0 },
      nodes: nodes.map((n) => ({ node: n.id, status: "queued" as const })),
      last_seq: 0,
    });
    const { container } = render(<Flow nodes={nodes} types={countingTypes} />);
    const card = (id: string) => container.querySelector(`[data-testid="node"][data-node-id="${id}"]`);
    expect(card("n3")?.getAttribute("data-status")).toBe("queued");

    const before = new Map(renders);
    act(() => useRunStatus.getState().apply({ seq: 1, type: "node_started", node: "n3", status: "running" }));
    expect(card("n3")?.getAttribute("data-status")).toBe("running");
    const rerendered = nodes.map((n) => n.id).filter((id) => renders.get(id) !== before.get(id));
    expect(rerendered).toEqual(["n3"]);
  });

  it("says how far a running node got in words under its bar, rows done out of the total for a batch job", () => {
    useRunStatus.getState().attach({
      run: { id: 2, pipeline: 1, version: 1, status: "running", error: "", elapsed: 0 },
      nodes: [{ node: "batch", status: "running" as const }],
      last_seq: 0,
    });
    const { container } = render(<Flow nodes={[node("batch", "split_data")]} />);
    const text = () => container.querySelector('[data-node-id="batch"] [data-testid="node-progress"]');
    expect(text()).toBeNull(); // nothing said yet

    act(() =>
      useRunStatus.getState().apply({ seq: 1, type: "node_progress", node: "batch", progress: 0.4, message: "80,000 / 200,000 rows" }),
    );
    expect(text()?.textContent).toBe("80,000 / 200,000 rows");
    expect(container.querySelector('[data-node-id="batch"] [role="progressbar"]')?.getAttribute("aria-valuenow")).toBe("40");

    act(() => useRunStatus.getState().apply({ seq: 2, type: "node_finished", node: "batch", status: "completed" }));
    expect(text()).toBeNull();
  });
});
