import { callsTo, json, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { useCurrentWorkspace } from "../../app/workspaceStore";
import { Palette } from "../palette";
import { renderWithProviders } from "../inspector/testing/render";
import { ComponentDialogs } from "./ComponentDialogs";
import { useComponentDialogs } from "./dialogStore";
import { EXAMPLE_SCRIPT, openNewScriptComponent } from "./ScriptComponentDialog";

beforeEach(() => {
  resetApi();
  useComponentDialogs.getState().close();
  useCurrentWorkspace.getState().setCurrent(3);
  route("GET", "/api/components/catalogue/", () => json({ components: [] }));
});

function open() {
  renderWithProviders(
    <>
      <Palette modules={[]} datasets={[]} datasetModules={[]} onAdd={() => {}} onNewScript={openNewScriptComponent} />
      <ComponentDialogs />
    </>,
  );
}

describe("New script component", () => {
  it("opens from the palette's Components section and posts the script with its spec", async () => {
    route("POST", "/api/components/", () => json({ id: 9, name: "Top rows", kind: "script", latest_version: 1 }, 201));
    open();
    await userEvent.click(screen.getByRole("button", { name: "New script component…" }));
    const dialog = await screen.findByRole("dialog", { name: "New script component" });
    expect(screen.getByLabelText("Script")).toHaveValue(EXAMPLE_SCRIPT);

    await userEvent.type(screen.getByLabelText("Name"), "Top rows");
    await userEvent.clear(screen.getByLabelText("Category"));
    await userEvent.type(screen.getByLabelText("Category"), "My tools");
    await userEvent.click(screen.getByRole("button", { name: "+ Output" }));
    await userEvent.clear(screen.getByLabelText("Output 2 name"));
    await userEvent.type(screen.getByLabelText("Output 2 name"), "rest");
    await userEvent.click(screen.getByRole("button", { name: "+ Parameter" }));
    await userEvent.clear(screen.getByLabelText("Parameter 1 default"));
    await userEvent.type(screen.getByLabelText("Parameter 1 default"), "5");
    await userEvent.click(screen.getByRole("button", { name: "+ Parameter" }));
    await userEvent.selectOptions(screen.getByLabelText("Parameter 2 type"), "choice");
    await userEvent.clear(screen.getByLabelText("Parameter 2 name"));
    await userEvent.type(screen.getByLabelText("Parameter 2 name"), "how");
    await userEvent.type(screen.getByLabelText("Parameter 2 default"), "head");
    await userEvent.type(screen.getByLabelText("Parameter 2 choices"), "head, tail");
    await userEvent.click(screen.getByRole("button", { name: "Create" }));

    await waitFor(() => expect(dialog).not.toBeInTheDocument());
    const [post] = callsTo("/api/components/");
    expect(post?.method).toBe("POST");
    expect(JSON.parse(post?.body ?? "{}")).toEqual({
      workspace: 3,
      name: "Top rows",
      description: "",
      message: "Created from the palette",
      document: {
        kind: "script",
        script: EXAMPLE_SCRIPT,
        spec: {
          category: "My tools",
          description: "",
          inputs: [{ name: "dataset", type: "table", optional: false, description: "" }],
          outputs: [
            { name: "result", type: "table", description: "" },
            { name: "rest", type: "table", description: "" },
          ],
          parameters: [
            { name: "rows", type: "integer", default: 5, description: "" },
            { name: "how", type: "choice", default: "head", choices: ["head", "tail"], description: "" },
          ],
        },
      },
    });
    // the palette's catalogue is loaded again, so the new module shows at once
    await waitFor(() => expect(callsTo("/api/components/catalogue/").length).toBeGreaterThan(0));
  });

  it("shows the server's problems at the fields they name and keeps the dialog open", async () => {
    route("POST", "/api/components/", () =>
      json(
        {
          detail: "Component 'Dup' has 2 problems to fix before it can be saved.",
          problems: [
            { code: "invalid_component", message: "Input 'dataset' has type 'model'; a script component's ports are table.", path: "spec.inputs[0].type" },
            { code: "invalid_component", message: "Parameter 'rows' default 'many' is not an integer.", path: "spec.parameters[0].default" },
          ],
        },
        400,
      ),
    );
    open();
    await userEvent.click(screen.getByRole("button", { name: "New script component…" }));
    await userEvent.type(await screen.findByLabelText("Name"), "Dup");
    await userEvent.click(screen.getByRole("button", { name: "+ Parameter" }));
    await userEvent.clear(screen.getByLabelText("Parameter 1 default"));
    await userEvent.type(screen.getByLabelText("Parameter 1 default"), "many");
    await userEvent.click(screen.getByRole("button", { name: "Create" }));

    const input = await screen.findByTestId("script-input");
    expect(input).toHaveTextContent("Input 'dataset' has type 'model'");
    expect(screen.getByTestId("script-parameter")).toHaveTextContent("default 'many' is not an integer");
    expect(screen.getByTestId("script-output")).not.toHaveTextContent("type");
    expect(JSON.parse(callsTo("/api/components/")[0]?.body ?? "{}").document.spec.parameters[0].default).toBe("many");
    expect(screen.getByRole("dialog", { name: "New script component" })).toBeInTheDocument();

    // a taken name is shown at the name
    route("POST", "/api/components/", () =>
      json({ detail: "Some fields are invalid.", fields: { name: ["This workspace already has a component named 'Dup'."] } }, 400),
    );
    await userEvent.click(screen.getByRole("button", { name: "Create" }));
    const name = (await screen.findByText("This workspace already has a component named 'Dup'.")).closest("label");
    expect(name).toContainElement(screen.getByLabelText("Name"));
    expect(screen.getByTestId("script-input")).not.toHaveTextContent("model");
  });
});
