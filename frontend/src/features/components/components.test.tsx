import { callsTo, json, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { act, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import type { Module, PipelineDocument } from "../../api/types";
import { useCurrentWorkspace } from "../../app/workspaceStore";
import { module, modules, portTypes } from "../../test/fixtures";
import { useCatalogue } from "../canvas/catalogueStore";
import { useGraph } from "../canvas/graphStore";
import { renderWithProviders } from "../inspector/testing/render";
import { ComponentUpdateBadge, ComponentVersionLine } from "./ComponentCard";
import { ComponentDialogs } from "./ComponentDialogs";
import { useComponentDialogs } from "./dialogStore";
import type { ComponentEntry } from "./types";

const entry = (version: number, params: Record<string, unknown> = {}): ComponentEntry =>
  ({
    ...module("component:7", {
      name: "Split and train",
      category: "Components",
      version,
      inputs: [{ name: "dataset", label: "dataset", type: "table", optional: false, doc: "" } as never],
      outputs: [{ name: "model", label: "model", type: "trained_model", optional: false, doc: "" } as never],
      params_schema: { type: "object", properties: params },
    }),
    component: { id: 7, kind: "graph", latest_version: 2 },
  }) as ComponentEntry;

const pipeline: PipelineDocument = {
  schema_version: 1,
  nodes: [
    { id: "ds", module: "dataset", version: 1, params: {} },
    { id: "split", module: "split_data", version: 1, params: {} },
    { id: "prep", module: "component:7", version: 1, params: { fraction: 0.5, gone: 1 }, link: "latest" },
  ],
  edges: [{ source: { node: "ds", port: "dataset" }, target: { node: "split", port: "dataset" } }],
  parameters: {},
  layout: { ds: { x: 0, y: 0 }, split: { x: 0, y: 150 }, prep: { x: 300, y: 0 } },
};

beforeEach(() => {
  resetApi();
  useCatalogue.getState().setModules(modules);
  useCatalogue.getState().setPortTypes(portTypes);
  useCatalogue.getState().setComponents([entry(1, { fraction: {}, gone: {} }), entry(2, { fraction: {} })] as Module[]);
  useGraph.getState().load(pipeline);
  useComponentDialogs.getState().close();
  useCurrentWorkspace.getState().setCurrent(3);
});

describe("a linked component node behind the latest version", () => {
  it("offers the update, shows the diff, and Accept moves it to the latest version (undoably)", async () => {
    route("GET", "/api/components/7/diff/", () =>
      json({ interface: { parameters: { removed: ["gone"] } }, graph: null }),
    );
    renderWithProviders(
      <>
        <ComponentVersionLine version={1} link="latest" kind="graph" />
        <ComponentUpdateBadge nodeId="prep" module="component:7" version={1} link="latest" />
        <ComponentDialogs />
      </>,
    );
    expect(screen.getByText("Component · v1")).toBeInTheDocument();
    await userEvent.click(screen.getByTestId("component-update"));
    const diff = await screen.findByTestId("component-diff");
    expect(diff).toHaveTextContent("removed parameter gone");
    expect(callsTo("/api/components/7/diff/")[0]?.url.search).toBe("?from=1&to=2");

    await userEvent.click(screen.getByRole("button", { name: "Accept version 2" }));
    const node = useGraph.getState().document().nodes.find((n) => n.id === "prep");
    expect(node).toMatchObject({ version: 2, link: "latest", params: { fraction: 0.5 } }); // what v2 no longer has is dropped
    useGraph.getState().undo();
    expect(useGraph.getState().document().nodes.find((n) => n.id === "prep")?.version).toBe(1);
  });

  it("Pin keeps the version and stops offering the update", async () => {
    route("GET", "/api/components/7/diff/", () => json({ interface: {}, graph: null }));
    const { rerender } = renderWithProviders(<ComponentDialogs />);
    act(() => useComponentDialogs.getState().show({ kind: "update", nodeId: "prep" }));
    await userEvent.click(await screen.findByRole("button", { name: "Pin to version 1" }));
    expect(useGraph.getState().document().nodes.find((n) => n.id === "prep")).toMatchObject({ version: 1, link: "pinned" });
    rerender(<></>);
    renderWithProviders(
      <>
        <ComponentVersionLine version={1} link="pinned" kind="graph" />
        <ComponentUpdateBadge nodeId="prep" module="component:7" version={1} link="pinned" />
      </>,
    );
    expect(screen.getByText("Component · v1 · pinned")).toBeInTheDocument();
    expect(screen.queryByTestId("component-update")).not.toBeInTheDocument();
  });
});

describe("Create component", () => {
  it("proposes the ports from the crossing edges, sends the group request, and the canvas becomes the answer", async () => {
    const grouped: PipelineDocument = {
      schema_version: 1,
      nodes: [
        { id: "ds", module: "dataset", version: 1, params: {} },
        { id: "prep", module: "component:7", version: 1, params: {}, link: "latest" },
        { id: "split_data-abcd", module: "component:9", version: 1, params: {}, link: "latest" },
      ],
      edges: [{ source: { node: "ds", port: "dataset" }, target: { node: "split_data-abcd", port: "data" } }],
      parameters: {},
      layout: { ds: { x: 0, y: 0 }, prep: { x: 300, y: 0 }, "split_data-abcd": { x: 0, y: 150 } },
    };
    route("POST", "/api/components/group/", () => json({ component: { id: 9 }, version: { number: 1 }, document: grouped }, 201));
    route("GET", "/api/components/catalogue/", () => json({ components: [] }));
    renderWithProviders(<ComponentDialogs />);
    act(() => useComponentDialogs.getState().show({ kind: "create", nodeIds: ["split"] }));

    const inputs = await screen.findAllByTestId("component-input");
    expect(inputs).toHaveLength(1);
    expect(inputs[0]).toHaveTextContent("Split Data · Dataset");
    expect(inputs[0]).toHaveTextContent("now fed by Dataset · Dataset");
    const create = screen.getByRole("button", { name: "Create component" });
    expect(create).toBeDisabled(); // no name yet
    await userEvent.type(screen.getByLabelText("Component name"), "Halves");
    await userEvent.clear(screen.getByLabelText("Input 1 name"));
    await userEvent.type(screen.getByLabelText("Input 1 name"), "data");
    await userEvent.click(create);

    await waitFor(() => expect(useGraph.getState().nodes.map((n) => n.id)).toEqual(["ds", "prep", "split_data-abcd"]));
    const body = JSON.parse(callsTo("/api/components/group/")[0]?.body ?? "{}");
    expect(body).toMatchObject({
      workspace: 3,
      node_ids: ["split"],
      name: "Halves",
      inputs: [{ name: "data", targets: [{ node: "split", port: "dataset" }] }],
      // nothing uses Split Data's outputs yet: both are proposed
      outputs: [
        { name: "results_dataset1", source: { node: "split", port: "results_dataset1" } },
        { name: "results_dataset2", source: { node: "split", port: "results_dataset2" } },
      ],
      parameters: [],
    });
    expect(body.document.nodes.map((n: { id: string }) => n.id)).toEqual(["ds", "split", "prep"]);
    expect(useGraph.getState().nodes.find((n) => n.id === "split_data-abcd")?.selected).toBe(true);
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();

    useGraph.getState().undo(); // an ordinary edit: undo brings the modules back
    expect(useGraph.getState().nodes.map((n) => n.id)).toEqual(["ds", "split", "prep"]);
  });

  it("says what the server refused and changes nothing", async () => {
    route("POST", "/api/components/group/", () => json({ detail: "A component named 'Halves' already exists in this workspace." }, 409));
    renderWithProviders(<ComponentDialogs />);
    act(() => useComponentDialogs.getState().show({ kind: "create", nodeIds: ["split"] }));
    await userEvent.type(await screen.findByLabelText("Component name"), "Halves");
    await userEvent.click(screen.getByRole("button", { name: "Create component" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("already exists");
    expect(useGraph.getState().nodes.map((n) => n.id)).toEqual(["ds", "split", "prep"]);
  });
});
