import { act, render } from "@testing-library/react";
import { ReactFlowProvider, useReactFlow, type ReactFlowInstance } from "@xyflow/react";
import { beforeAll, describe, expect, it } from "vitest";
import { modules, portTypes } from "../../test/fixtures";
import { mockReactFlow } from "../../test/reactflow";
import { Canvas, FAR_ZOOM } from "./Canvas";
import { useCatalogue } from "./catalogueStore";
import { useGraph } from "./graphStore";

beforeAll(() => {
  mockReactFlow();
  useCatalogue.getState().setModules(modules);
  useCatalogue.getState().setPortTypes(portTypes);
});

let flow: ReactFlowInstance | null = null;
function Grab() {
  flow = useReactFlow();
  return null;
}

describe("the canvas zoomed out", () => {
  it("draws modules' text as bars below FAR_ZOOM and as text again when zoomed back in", async () => {
    useGraph.getState().load({
      schema_version: 1,
      nodes: [{ id: "split", module: "split_data", version: 1, params: {} }],
      edges: [],
      parameters: {},
      layout: {},
    });
    const { container } = render(
      <ReactFlowProvider>
        <div style={{ width: 1200, height: 800 }}>
          <Canvas readOnly={false} />
        </div>
        <Grab />
      </ReactFlowProvider>,
    );
    const canvas = container.querySelector(".canvas") as HTMLElement;
    await act(async () => {
      await flow?.setViewport({ x: 0, y: 0, zoom: 1 });
    });
    expect(canvas.classList.contains("canvas--far")).toBe(false);
    await act(async () => {
      await flow?.setViewport({ x: 0, y: 0, zoom: FAR_ZOOM - 0.05 });
    });
    expect(canvas.classList.contains("canvas--far")).toBe(true);
    expect(container.querySelector('[data-node-id="split"]')).not.toBeNull(); // still mounted, same card
    await act(async () => {
      await flow?.setViewport({ x: 0, y: 0, zoom: FAR_ZOOM });
    });
    expect(canvas.classList.contains("canvas--far")).toBe(false);
  });
});
