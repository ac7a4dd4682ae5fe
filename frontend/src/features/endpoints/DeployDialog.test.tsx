import { callsTo, json, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { DeployButton, isServable } from "./DeployDialog";
import { endpointFixture } from "./testing/fixtures";
import { renderRouted } from "./testing/render";

function deployButton(props: Partial<Parameters<typeof DeployButton>[0]> = {}) {
  return renderRouted(
    <DeployButton servable canEdit pipelineId={12} pipelineName="Breast cancer — real-time inference" workspace={3} version={2} unsaved={false} {...props} />,
    { route: "/pipelines/12", path: "/pipelines/:pipelineId" },
  );
}

beforeEach(() => resetApi());

describe("Deploy", () => {
  it("is offered only for a pipeline with a Web Service Input and Output, to editors", () => {
    expect(isServable(["dataset", "web_service_input", "score_model", "web_service_output"])).toBe(true);
    expect(isServable(["dataset", "web_service_input", "score_model"])).toBe(false);
    expect(isServable(["web_service_image_input", "score_image_model", "web_service_output"])).toBe(true);

    const { unmount } = deployButton({ servable: false });
    expect(screen.queryByRole("button", { name: "Deploy" })).not.toBeInTheDocument();
    unmount();
    const viewer = deployButton({ canEdit: false });
    expect(screen.queryByRole("button", { name: "Deploy" })).not.toBeInTheDocument();
    viewer.unmount();
    deployButton({ version: null });
    expect(screen.getByRole("button", { name: "Deploy" })).toBeDisabled();
  });

  it("posts the saved version and opens the new endpoint's page", async () => {
    route("POST", "/api/endpoints/", () => json(endpointFixture({ id: 41 }), 201));
    deployButton();

    await userEvent.click(screen.getByRole("button", { name: "Deploy" }));
    const dialog = screen.getByRole("dialog", { name: "Deploy a real-time endpoint" });
    expect(within(dialog).getByRole("textbox", { name: "Name *" })).toHaveValue("breast-cancer-real-time");
    expect(within(dialog).getByRole("spinbutton", { name: "Pipeline version" })).toHaveValue(2);
    await userEvent.clear(within(dialog).getByRole("textbox", { name: "Name *" }));
    await userEvent.type(within(dialog).getByRole("textbox", { name: "Name *" }), "cancer-risk");
    await userEvent.type(within(dialog).getByRole("textbox", { name: "Description" }), "Scores biopsies");
    await userEvent.click(within(dialog).getByRole("button", { name: "Deploy" }));

    expect(await screen.findByTestId("location")).toHaveTextContent("/w/3/endpoints/41");
    expect(JSON.parse(callsTo("/api/endpoints/")[0]!.body ?? "")).toEqual({
      workspace: 3,
      name: "cancer-risk",
      description: "Scores biopsies",
      pipeline: 12,
      version: 2,
    });
  });

  it("shows the server's field error at its field, and problems of the pipeline below", async () => {
    route("POST", "/api/endpoints/", () =>
      json({ detail: "Some fields are invalid.", fields: { name: ["An endpoint named “cancer-risk” already exists in this workspace."] } }, 400),
    );
    deployButton({ unsaved: true });

    await userEvent.click(screen.getByRole("button", { name: "Deploy" }));
    const dialog = screen.getByRole("dialog", { name: "Deploy a real-time endpoint" });
    expect(within(dialog).getByText(/not saved in version 2/)).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole("button", { name: "Deploy" }));

    const name = within(dialog).getByRole("textbox", { name: "Name *" });
    expect(await within(dialog).findByText("An endpoint named “cancer-risk” already exists in this workspace.")).toHaveAttribute(
      "id",
      "deploy-name-error",
    );
    expect(name).toHaveAttribute("aria-invalid", "true");
    expect(name).toHaveAttribute("aria-describedby", "deploy-name-error");
    expect(screen.queryByTestId("location")).not.toBeInTheDocument();

    route("POST", "/api/endpoints/", () =>
      json(
        {
          detail: "This pipeline cannot be served.",
          problems: [{ code: "no_web_service_output", message: "Add a Web Service Output after Score Model.", node: null }],
        },
        422,
      ),
    );
    await userEvent.click(within(dialog).getByRole("button", { name: "Deploy" }));
    const alert = await within(dialog).findByRole("alert");
    expect(alert).toHaveTextContent("This pipeline cannot be served.");
    expect(alert).toHaveTextContent("Add a Web Service Output after Score Model.");
    expect(name).not.toHaveAttribute("aria-invalid");

    // a version that does not exist is shown at the version field
    route("POST", "/api/endpoints/", () => json({ detail: "Pipeline 'x' has no version 9.", problems: [] }, 422));
    await userEvent.click(within(dialog).getByRole("button", { name: "Deploy" }));
    expect(await within(dialog).findByText("Pipeline 'x' has no version 9.")).toHaveAttribute("id", "deploy-version-error");

    // the name taken meanwhile (409) is shown at the name field
    route("POST", "/api/endpoints/", () => json({ detail: "An endpoint named 'cancer-risk' already exists; choose another name." }, 409));
    await userEvent.click(within(dialog).getByRole("button", { name: "Deploy" }));
    expect(await within(dialog).findByText(/already exists; choose another name/)).toHaveAttribute("id", "deploy-name-error");
  });
});
