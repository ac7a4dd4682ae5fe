import { callsTo, json, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { renderRouted } from "../endpoints/testing/render";
import { PublishButton, PublishRunButton, suggestEndpointName } from "./PublishDialog";
import { endpointFixture, listFixture } from "./testing/fixtures";

const SOURCE = { workspace: 3, pipelineId: 12, pipelineName: "Breast cancer training", version: 3, canEdit: true };

function designer(props: Partial<Parameters<typeof PublishButton>[0]> = {}) {
  return renderRouted(<PublishButton {...SOURCE} {...props} />, { route: "/pipelines/12", path: "/pipelines/:pipelineId" });
}

beforeEach(() => {
  resetApi();
  route("GET", "/api/pipeline-endpoints/", {
    count: 2,
    next: null,
    previous: null,
    results: [listFixture(), listFixture({ id: 8, name: "other-pipeline", pipeline: 99 })],
  });
});

describe("Publish", () => {
  it("is offered to editors once a version is saved", () => {
    const viewer = designer({ canEdit: false });
    expect(screen.queryByRole("button", { name: "Publish" })).not.toBeInTheDocument();
    viewer.unmount();
    designer({ version: null });
    expect(screen.getByRole("button", { name: "Publish" })).toBeDisabled();
    expect(suggestEndpointName("Breast cancer — training (v2)")).toBe("breast-cancer-training-v2");
  });

  it("publishes the saved version as a new pipeline endpoint and opens it", async () => {
    route("POST", "/api/pipeline-endpoints/", () => json(endpointFixture({ id: 41 }), 201));
    designer();

    await userEvent.click(screen.getByRole("button", { name: "Publish" }));
    const dialog = screen.getByRole("dialog", { name: "Publish as a pipeline endpoint" });
    expect(within(dialog).getByRole("textbox", { name: "Name *" })).toHaveValue("breast-cancer-training");
    await userEvent.type(within(dialog).getByRole("textbox", { name: "Description" }), "Nightly");
    await userEvent.click(within(dialog).getByRole("button", { name: "Publish" }));

    expect(await screen.findByTestId("location")).toHaveTextContent("/w/3/pipeline-endpoints/41");
    expect(JSON.parse(callsTo("/api/pipeline-endpoints/")[1]!.body!)).toEqual({
      workspace: 3,
      name: "breast-cancer-training",
      description: "Nightly",
      version: 3,
      pipeline: 12,
    });
  });

  it("publishes as the next version of an endpoint of the same pipeline, made the default", async () => {
    route("POST", "/api/pipeline-endpoints/5/versions/", () => json(endpointFixture(), 201));
    designer();

    await userEvent.click(screen.getByRole("button", { name: "Publish" }));
    const dialog = screen.getByRole("dialog");
    await userEvent.click(await within(dialog).findByRole("radio", { name: /new version of an existing one/ }));
    const select = within(dialog).getByRole("combobox", { name: "Pipeline endpoint" });
    expect(within(select).getAllByRole("option").map((o) => o.textContent)).toEqual(["nightly (default v1, 2 versions)"]);
    await userEvent.click(within(dialog).getByRole("button", { name: "Publish" }));

    expect(await screen.findByTestId("location")).toHaveTextContent("/w/3/pipeline-endpoints/5");
    expect(JSON.parse(callsTo("/api/pipeline-endpoints/5/versions/")[0]!.body!)).toEqual({ version: 3, make_default: true });
  });

  it("shows a taken name at the name field and publishes nothing", async () => {
    route("POST", "/api/pipeline-endpoints/", () =>
      json({ detail: "Some fields are invalid.", fields: { name: ["A pipeline endpoint named 'breast-cancer-training' already exists."] } }, 400),
    );
    designer();

    await userEvent.click(screen.getByRole("button", { name: "Publish" }));
    await userEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Publish" }));

    expect(await screen.findByText("A pipeline endpoint named 'breast-cancer-training' already exists.")).toBeInTheDocument();
    expect(within(screen.getByRole("dialog")).getByRole("textbox", { name: "Name *" })).toHaveAttribute("aria-invalid", "true");
  });
});

describe("Publish from this run", () => {
  it("publishes the run's version with its values as the defaults", async () => {
    route("POST", "/api/pipeline-endpoints/", () => json(endpointFixture({ id: 42 }), 201));
    renderRouted(
      <PublishRunButton {...SOURCE} run={{ id: 77, parameterValues: { fraction: 0.25, training_data: { dataset_id: 4, version: 2 } } }} />,
      { route: "/runs/77", path: "/runs/:runId" },
    );

    await userEvent.click(screen.getByRole("button", { name: "Publish from this run" }));
    const dialog = screen.getByRole("dialog", { name: "Publish from run #77" });
    expect(within(dialog).getByTestId("publish-defaults")).toHaveTextContent("fraction = 0.25");
    expect(within(dialog).getByTestId("publish-defaults")).toHaveTextContent("training_data = dataset #4 (v2)");
    await userEvent.click(within(dialog).getByRole("button", { name: "Publish" }));

    expect(await screen.findByTestId("location")).toHaveTextContent("/w/3/pipeline-endpoints/42");
    expect(JSON.parse(callsTo("/api/pipeline-endpoints/")[1]!.body!)).toEqual({
      workspace: 3,
      name: "breast-cancer-training",
      description: "",
      run: 77,
    });
  });

  it("is not offered without edit rights", () => {
    renderRouted(<PublishRunButton {...SOURCE} canEdit={false} run={{ id: 77, parameterValues: {} }} />, { route: "/runs/77", path: "/runs/:runId" });
    expect(screen.queryByRole("button", { name: "Publish from this run" })).not.toBeInTheDocument();
  });
});
