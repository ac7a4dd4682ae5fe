/**
 * A node's "Compute" choice in its panel (the operator's targets, the default first) and, once it ran, where:
 * the target, pandas or Dask with its partitions and scheduler, and the Dask dashboard's link.
 */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ReactFlowProvider } from "@xyflow/react";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ComputeTarget, PipelineDocument } from "../../api/types";
import { module, portTypes } from "../../test/fixtures";
import { mockReactFlow } from "../../test/reactflow";
import { diffOps, applyOp } from "../collab/ops";
import { reconcile } from "../collab/reconcile";
import { useRunStatus } from "../runs/runStore";
import { useCatalogue } from "./catalogueStore";
import { useGraph } from "./graphStore";
import { NodePanel } from "./NodePanel";
import { useValidation } from "./validationStore";

const target = (name: string, partial: Partial<ComputeTarget>): ComputeTarget =>
  ({
    name,
    queue: "cpu",
    cluster: "local",
    dask: "local",
    path: "auto",
    threshold_bytes: 2 ** 30,
    partition_rows: null,
    workers: 2,
    threads_per_worker: 1,
    memory_limit: "2GiB",
    dashboard: null,
    description: "",
    ...partial,
  }) as ComputeTarget;

const TARGETS = [
  target("cpu", {}),
  target("big", { cluster: "remote", dask: "tcp://dask:8786", path: "dask" }),
  target("plain", { cluster: "none", dask: null }),
];

function doc(compute?: string): PipelineDocument {
  return {
    schema_version: 1,
    nodes: [
      { id: "norm", module: "normalize_data", version: 1, params: {}, ...(compute ? { compute } : {}) },
      { id: "clip", module: "clip_values", version: 1, params: {} },
    ],
    edges: [],
    parameters: {},
    layout: {},
  };
}

beforeAll(() => {
  mockReactFlow();
  useCatalogue
    .getState()
    .setModules([
      module("normalize_data", { name: "Normalize Data", partition_parallel: true }),
      module("clip_values", { name: "Clip Values", partition_parallel: false }),
    ]);
  useCatalogue.getState().setPortTypes(portTypes);
  useCatalogue.getState().setComputeTargets(TARGETS);
});

beforeEach(() => {
  useValidation.getState().reset();
  useRunStatus.getState().clear();
});

const panel = () =>
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <ReactFlowProvider>
        <NodePanel readOnly={false} />
      </ReactFlowProvider>
    </QueryClientProvider>,
  );
const computeOf = (id: string) => useGraph.getState().document().nodes.find((n) => n.id === id)?.compute;

describe("choosing where a node runs", () => {
  it("offers the default and every declared target, and the choice goes into the pipeline document", async () => {
    useGraph.getState().load(doc());
    useGraph.getState().selectOnly(["norm"]);
    panel();
    const select = screen.getByLabelText("Compute");

    expect(within(select).getAllByRole("option").map((o) => o.textContent)).toEqual([
      "Default (cpu: local Dask cluster, 2 × 2GiB from 1 GiB)",
      "cpu: local Dask cluster, 2 × 2GiB from 1 GiB",
      "big: Dask cluster, always",
      "plain: pandas only",
    ]);
    expect(screen.getByText("Runs partition-parallel on the Dask cluster when its table inputs reach 1 GiB.")).toBeInTheDocument();

    await userEvent.selectOptions(select, "big");

    expect(computeOf("norm")).toBe("big");
    expect(screen.getByText("Runs partition-parallel on the Dask cluster.")).toBeInTheDocument();
    await userEvent.selectOptions(select, "");
    expect(computeOf("norm")).toBeUndefined();
  });

  it("warns that a module without a Dask path refuses a large table there, and names an undeclared target", async () => {
    useGraph.getState().load({ ...doc(), nodes: [...doc().nodes.slice(0, 1), { id: "clip", module: "clip_values", version: 1, compute: "gpu" }] });
    useGraph.getState().selectOnly(["clip"]);
    panel();

    expect(screen.getByLabelText("Compute")).toHaveValue("gpu");
    expect(screen.getByText("“gpu” is not a compute target of this server: choose another.")).toBeInTheDocument();

    await userEvent.selectOptions(screen.getByLabelText("Compute"), "big");
    expect(screen.getByText(/has no Dask path: a table large enough for the cluster is refused/)).toHaveTextContent(
      "Partition and Sample",
    );
  });

  it("travels to co-editors as one op, and a teammate's choice arrives on the canvas", () => {
    const before = doc();
    const ops = diffOps(before, doc("big"));
    expect(ops).toEqual([{ kind: "set_compute", node: "norm", value: "big" }]);
    expect(applyOp(before, ops[0]!).nodes[0]).toMatchObject({ id: "norm", compute: "big" });
    expect(applyOp(doc("big"), { kind: "set_compute", node: "norm", value: null }).nodes[0]!.compute).toBeUndefined();

    useGraph.getState().load(before);
    const view = { nodes: useGraph.getState().nodes, edges: useGraph.getState().edges, parameters: {} };
    expect(reconcile(view, doc("big")).nodes.find((n) => n.id === "norm")?.data.compute).toBe("big");
  });
});

describe("where a node ran", () => {
  it("shows the target, the Dask path with its partitions and scheduler, and links the dashboard", async () => {
    useGraph.getState().load(doc("big"));
    useGraph.getState().selectOnly(["norm"]);
    useRunStatus.getState().attach({
      run: { id: 7, pipeline: 1, version: 1, status: "completed", error: "", elapsed: 3 },
      nodes: [
        {
          node: "norm",
          status: "completed",
          compute: { target: "big", path: "dask", scheduler: "tcp://10.0.0.5:8786", dashboard: "http://10.0.0.5:8787/status", partitions: 8 },
        },
        { node: "clip", status: "completed", compute: { target: "cpu", path: "pandas" } },
      ],
      last_seq: 0,
    });
    panel();
    await userEvent.click(screen.getByRole("tab", { name: "Outputs + logs" }));

    expect(screen.getByText("big · Dask, 8 partitions on tcp://10.0.0.5:8786")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Dask dashboard" })).toHaveAttribute("href", "http://10.0.0.5:8787/status");
  });

  it("shows pandas without a link, and follows the node's finish event", async () => {
    useGraph.getState().load(doc());
    useGraph.getState().selectOnly(["clip"]);
    useRunStatus.getState().attach({
      run: { id: 8, pipeline: 1, version: 1, status: "running", error: "", elapsed: 1 },
      nodes: [{ node: "clip", status: "running", compute: { target: "cpu" } }],
      last_seq: 0,
    });
    panel();
    await userEvent.click(screen.getByRole("tab", { name: "Outputs + logs" }));
    expect(screen.getByText("cpu")).toBeInTheDocument();

    act(() => useRunStatus.getState().apply({ seq: 1, type: "node_finished", run: 8, node: "clip", compute: { target: "cpu", path: "pandas" } }));

    expect(screen.getByText("cpu · pandas")).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Dask dashboard" })).not.toBeInTheDocument();
  });
});
