import { callsTo, json, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { renderWithProviders } from "../inspector/testing/render";
import { CloneDialog } from "./CloneDialog";
import { ImportDialog } from "./ImportDialog";
import { DesignerShareButtons, ImportButton, PipelineRowActions } from "./PipelineActions";

const ME = {
  id: 1,
  username: "olivia",
  workspaces: [
    { id: 3, name: "Team", role: "editor" },
    { id: 4, name: "Research", role: "owner" },
    { id: 5, name: "Finance", role: "viewer" },
  ],
};

const problem = (message: string, partial: object = {}) => ({ code: "x", message, node: null, port: null, param: null, column: null, path: null, ...partial });

function created(partial: object = {}) {
  return {
    id: 31,
    workspace: 4,
    name: "Churn (copy)",
    description: "",
    created_by: "olivia",
    created_at: "2026-11-20T10:00:00Z",
    updated_at: "2026-11-20T10:00:00Z",
    head_version: 1,
    has_draft: false,
    head: { number: 1, message: "", author: "olivia", created_at: "2026-11-20T10:00:00Z", base_number: null, restored_from: null, pipeline: 31, document: { nodes: [], edges: [] } },
    validation: { ok: true, problems: [], schemas: {} },
    ...partial,
  };
}

function file(text = '{"format": "tessera.pipeline"}') {
  return new File([text], "churn-v3.tessera.json", { type: "application/json" });
}

beforeEach(() => {
  resetApi();
  route("GET", "/api/auth/me/", ME);
  route("GET", "/api/auth/csrf/", {});
  document.cookie = "csrftoken=t0k";
});

describe("import", () => {
  it("lists every problem when the server refuses the file, and creates nothing", async () => {
    route("POST", "/api/pipelines/import/", () =>
      json(
        {
          detail: "The file uses 2 modules or module versions that this server does not have; nothing was imported.",
          problems: [
            problem("Module 'gradient_boost' version 3 is not installed.", { node: "gb", code: "unknown_module" }),
            problem("Module 'split_data' version 9 is not installed.", { node: "split", code: "unknown_module_version" }),
            problem("Parameter 'fraction' must be below 1.", { node: "split", param: "fraction" }),
          ],
        },
        400,
      ),
    );
    renderWithProviders(<ImportDialog workspace={3} onClose={() => undefined} />);
    await userEvent.upload(screen.getByLabelText("Export file"), file());
    await userEvent.click(await screen.findByRole("button", { name: "Import" }));

    const report = await screen.findByTestId("io-refused");
    expect(report).toHaveTextContent("Refused: nothing was imported.");
    expect(report).toHaveTextContent("uses 2 modules or module versions that this server does not have");
    const items = within(within(report).getByRole("list", { name: "Why it was refused" })).getAllByRole("listitem");
    expect(items.map((i) => i.textContent)).toEqual([
      "node gb: Module 'gradient_boost' version 3 is not installed.",
      "node split: Module 'split_data' version 9 is not installed.",
      "node split · parameter fraction: Parameter 'fraction' must be below 1.",
    ]);
    expect(screen.queryByTestId("io-created")).not.toBeInTheDocument();
  });

  it("shows what was created, the problems left to fix and a link to open it", async () => {
    route("POST", "/api/pipelines/import/", () =>
      json(created({ id: 44, workspace: 3, name: "Churn", validation: { ok: false, problems: [problem("Pick a dataset of this workspace.", { node: "ds", param: "dataset" })], schemas: {} } }), 201),
    );
    renderWithProviders(<ImportDialog workspace={3} onClose={() => undefined} />);
    // only workspaces where the user is an editor are offered
    const select = await screen.findByRole("combobox");
    expect((await within(select).findAllByRole("option")).map((o) => o.textContent)).toEqual(["Team", "Research"]);
    await userEvent.upload(screen.getByLabelText("Export file"), file());
    await userEvent.type(screen.getByPlaceholderText("Default: the name in the file"), "Churn");
    await userEvent.click(screen.getByRole("button", { name: "Import" }));

    const report = await screen.findByTestId("io-created");
    expect(report).toHaveTextContent("Imported as “Churn” in Team (version 1)");
    expect(report).toHaveTextContent("1 problem to fix before it can run");
    expect(within(report).getByRole("list", { name: "Remaining problems" })).toHaveTextContent("node ds · parameter dataset: Pick a dataset of this workspace.");
    expect(within(report).getByRole("link", { name: "Open “Churn”" })).toHaveAttribute("href", "/pipelines/44");

    const call = callsTo("/api/pipelines/import/")[0]!;
    expect(call.contentType).toMatch(/^multipart\/form-data/);
    expect(call.body).toContain('name="workspace"\r\n\r\n3');
    expect(call.body).toContain('name="name"\r\n\r\nChurn');
    expect(call.body).toContain('name="file"; filename=');
  });

  it("is not offered to viewers", async () => {
    renderWithProviders(<ImportButton workspace={5} canEdit={false} />);
    expect(screen.queryByRole("button", { name: "Import…" })).not.toBeInTheDocument();
  });
});

describe("clone and export", () => {
  it("clones into a workspace where the user is an editor", async () => {
    route("POST", "/api/pipelines/12/clone/", () => json(created(), 201));
    renderWithProviders(<CloneDialog pipeline={{ id: 12, name: "Churn", workspace: 3 }} version={3} onClose={() => undefined} />);
    const select = await screen.findByRole("combobox");
    expect((await within(select).findAllByRole("option")).map((o) => o.textContent)).toEqual(["Team (this workspace)", "Research"]);
    expect(screen.getByRole("textbox")).toHaveValue("Churn (copy)");
    await userEvent.selectOptions(select, "4");
    await userEvent.click(screen.getByRole("button", { name: "Clone" }));

    const report = await screen.findByTestId("io-created");
    expect(report).toHaveTextContent("Cloned as “Churn (copy)” in Research");
    expect(report).toHaveTextContent("ready to run");
    expect(JSON.parse(callsTo("/api/pipelines/12/clone/")[0]!.body ?? "{}")).toEqual({ workspace: 4, name: "Churn (copy)", version: 3 });
  });

  it("downloads the export file from the pipelines list, and disables clone without an editor role anywhere", async () => {
    route("GET", "/api/auth/me/", { ...ME, workspaces: [{ id: 5, name: "Finance", role: "viewer" }] });
    renderWithProviders(<PipelineRowActions pipeline={{ id: 12, name: "Churn", workspace: 5 }} />);
    expect(screen.getByRole("link", { name: "Export Churn" })).toHaveAttribute("href", "/api/pipelines/12/export/");
    expect(screen.getByRole("link", { name: "Export Churn" })).toHaveAttribute("download");
    await screen.findByTitle("You are not an editor in any workspace");
    expect(screen.getByRole("button", { name: "Clone Churn" })).toBeDisabled();
  });

  it("puts Clone, Export and Export as code under the designer's Share menu, and a clone started there goes on once it closes", async () => {
    renderWithProviders(<DesignerShareButtons pipelineId={12} name="Churn" workspace={3} version={2} />);
    const toggle = screen.getByRole("button", { name: "Share" });
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    expect(screen.queryByRole("menu")).toBeNull(); // hidden: not in the accessibility tree

    await userEvent.click(toggle);
    const menu = screen.getByRole("menu", { name: "Share" });
    expect(within(menu).getAllByRole("menuitem").map((i) => i.textContent)).toEqual(["Clone", "Export", "Export as code"]);
    expect(within(menu).getByRole("menuitem", { name: "Export Churn" })).toHaveAttribute("href", "/api/pipelines/12/export/?version=2");
    await screen.findByTitle("Copy version 2 into a new pipeline");

    await userEvent.click(within(menu).getByRole("menuitem", { name: "Clone Churn" }));
    expect(screen.queryByRole("menu")).toBeNull();
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    expect(await screen.findByRole("dialog")).toBeInTheDocument();
    expect(screen.getByRole("textbox")).toHaveValue("Churn (copy)");

    await userEvent.keyboard("{Escape}");
    await userEvent.click(toggle);
    expect(screen.getByRole("menu", { name: "Share" })).toBeInTheDocument();
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("menu")).toBeNull();
  });
});
