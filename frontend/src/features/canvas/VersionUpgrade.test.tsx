import { calls, json, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import type { PipelineDocument } from "../../api/types";
import { module, modules, portTypes } from "../../test/fixtures";
import { renderWithProviders } from "../inspector/testing/render";
import { useCatalogue } from "./catalogueStore";
import { useGraph } from "./graphStore";
import { UpgradeDialog, VersionFlag } from "./VersionUpgrade";

const splitV1 = modules.find((m) => m.id === "split_data")!;
const splitV2 = module("split_data", {
  ...splitV1,
  version: 2,
  params_schema: {
    type: "object",
    properties: { regular_expression: { type: "string", title: "Regular expression", default: "" } },
  },
});

const DOC: PipelineDocument = {
  schema_version: 1,
  nodes: [{ id: "split", module: "split_data", version: 1, params: { fraction_of_rows_in_first_output_dataset: 0.7 } }],
  edges: [],
  parameters: {},
  layout: {},
};

beforeEach(() => {
  resetApi();
  useCatalogue.getState().setModules([...modules.filter((m) => m.id !== "split_data"), splitV2, splitV1]);
  useCatalogue.getState().setPortTypes(portTypes);
  useGraph.getState().load(DOC);
  route("POST", "/api/modules/split_data/upgrade/", () =>
    json({
      module: "split_data",
      from_version: 1,
      to_version: 2,
      params: { fraction_of_rows_in_first_output_dataset: 0.7 },
      changes: [{ param: "regular_expression", change: "added", old: null, new: "" }],
      problems: [],
      ports: [],
    }),
  );
});

describe("a node saved with an older module version", () => {
  it("is flagged, shows what the upgrade changes, and upgrades only when asked", async () => {
    renderWithProviders(
      <>
        <VersionFlag nodeId="split" module="split_data" version={1} />
        <UpgradeDialog />
      </>,
    );
    expect(screen.getByTestId("node-version")).toHaveTextContent("v1 · upgrade to v2");

    await userEvent.click(screen.getByRole("button", { name: "upgrade to v2" }));

    const preview = await screen.findByTestId("upgrade-preview");
    expect(preview.querySelector('tr[data-change="added"]')).toHaveTextContent('Regular expression (new)—""');
    const sent = calls.find((c) => c.url.pathname === "/api/modules/split_data/upgrade/")!;
    expect(JSON.parse(sent.body as string)).toEqual({ from_version: 1, params: { fraction_of_rows_in_first_output_dataset: 0.7 } });
    expect(useGraph.getState().nodes[0]!.data.version).toBe(1); // nothing changed before Upgrade

    await userEvent.click(screen.getByRole("button", { name: "Upgrade to version 2" }));

    const { module: id, version, params } = useGraph.getState().document().nodes[0]!;
    expect({ id, version, params }).toEqual({ id: "split_data", version: 2, params: { fraction_of_rows_in_first_output_dataset: 0.7 } });
    expect(screen.queryByTestId("upgrade-preview")).not.toBeInTheDocument();
    useGraph.getState().undo();
    expect(useGraph.getState().nodes[0]!.data.version).toBe(1);
  });

  it("is not flagged at the latest version", () => {
    renderWithProviders(<VersionFlag nodeId="split" module="split_data" version={2} />);
    expect(screen.queryByTestId("node-version")).not.toBeInTheDocument();
  });
});
