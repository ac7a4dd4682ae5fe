import { json, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { modules } from "../../test/fixtures";
import { renderWithProviders } from "../inspector/testing/render";
import { DiffList } from "./DiffList";
import { describeChange, describeDeclaration, formatValue, summaryText } from "./diffModel";
import { DIFF, LAYOUT_ONLY, NEW_DOC, OLD_DOC } from "./testing";

beforeEach(() => {
  resetApi();
  route("GET", "/api/modules/", () => json(modules));
});

describe("the diff as a list", () => {
  it("lists added, removed and changed nodes by name, each changed parameter old → new", async () => {
    renderWithProviders(<DiffList diff={DIFF} oldDoc={OLD_DOC} newDoc={NEW_DOC} />);

    expect(screen.getByText("1 node added · 1 node removed · 1 node changed · 3 edges rewired · 1 pipeline parameter changed · layout of 1 node")).toBeInTheDocument();
    const added = screen.getByRole("region", { name: "Nodes added" });
    expect(await within(added).findByText("Score Model")).toBeInTheDocument();
    expect(within(added).getByText("score")).toBeInTheDocument();
    const removed = screen.getByRole("region", { name: "Nodes removed" });
    expect(within(removed).getByText(/Split Data/)).toBeInTheDocument();
    expect(within(removed).getByText("split2")).toBeInTheDocument();

    const changed = screen.getByRole("region", { name: "Nodes changed" });
    const param = (name: string) => changed.querySelector(`[data-param="${name}"]`);
    expect(param("fraction")).toHaveTextContent("fraction: 0.5 → 0.7");
    expect(param("seed")).toHaveTextContent("seed: removed (was 0)");
    expect(param("stratify_by")).toHaveTextContent("stratify_by: set to “label” (was unset)");
  });

  it("shows the module default as the other side of a parameter added to or removed from the saved version", async () => {
    const split = {
      type: "object",
      properties: {
        fraction: { title: "Fraction", type: "number", default: 0.5 },
        seed: { title: "Random seed", type: "integer", default: 42 },
        stratify_by: { title: "Stratify by", anyOf: [{ type: "string" }, { type: "null" }], default: null },
      },
    };
    route("GET", "/api/modules/", () => json(modules.map((m) => (m.id === "split_data" ? { ...m, params_schema: split } : m))));
    renderWithProviders(<DiffList diff={DIFF} oldDoc={OLD_DOC} newDoc={NEW_DOC} />);
    const changed = screen.getByRole("region", { name: "Nodes changed" });
    await within(changed).findByText("Stratify by");
    const param = (name: string) => changed.querySelector(`[data-param="${name}"]`);
    expect(param("fraction")).toHaveTextContent("Fraction: 0.5 → 0.7");
    expect(param("seed")).toHaveTextContent("Random seed: 0 → 42 (default)");
    expect(param("stratify_by")).toHaveTextContent("Stratify by: null (default) → “label”");
  });

  it("lists rewired edges and pipeline-parameter changes", async () => {
    renderWithProviders(<DiffList diff={DIFF} oldDoc={OLD_DOC} newDoc={NEW_DOC} />);
    const edges = screen.getByRole("region", { name: "Edges rewired" });
    await within(edges).findByText(/Train Model\.trained_model → Score Model\.trained_model/);
    expect(within(edges).getByText(/Split Data\.results_dataset2 → Split Data\.dataset/).closest("li")).toHaveClass("diff__item--removed");
    const params = screen.getByRole("region", { name: "Pipeline parameters" });
    expect(params).toHaveTextContent("target: “diagnosis” → “label”");
  });

  it("folds layout-only changes away under one line, and says runs compute the same", async () => {
    renderWithProviders(<DiffList diff={LAYOUT_ONLY} oldDoc={OLD_DOC} newDoc={OLD_DOC} />);
    expect(screen.getByText(/only the canvas changed/)).toBeInTheDocument();
    const details = screen.getByText("Layout only: 2 nodes moved or restyled").closest("details") as HTMLDetailsElement;
    expect(details.open).toBe(false);
    await userEvent.click(screen.getByText("Layout only: 2 nodes moved or restyled"));
    expect(details.open).toBe(true);
    expect(within(details).getByText("moved")).toBeInTheDocument();
    expect(within(details).getByText("comment added")).toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Nodes changed" })).not.toBeInTheDocument();
  });

  it("asks for the node on the canvas when its name is clicked", async () => {
    const focused: string[] = [];
    renderWithProviders(<DiffList diff={DIFF} oldDoc={OLD_DOC} newDoc={NEW_DOC} onFocusNode={(id) => focused.push(id)} />);
    await userEvent.click(await screen.findByRole("button", { name: "Score Model score" }));
    expect(focused).toEqual(["score"]);
  });
});

describe("diff wording", () => {
  it("writes values as typed and says when nothing differs", () => {
    expect(formatValue("a")).toBe("“a”");
    expect(formatValue({ dataset_id: 3 })).toBe('{"dataset_id":3}');
    expect(formatValue(null)).toBe("null");
    expect(formatValue("x".repeat(100), 10)).toBe("“xxxxxxxx…");
    expect(describeChange({ name: "k", change: "changed", old: 1, new: 2 }).text).toBe("1 → 2");
    expect(summaryText({ ...LAYOUT_ONLY, summary: { ...LAYOUT_ONLY.summary, empty: true, layout_only: false, layout_changed: 0 } })).toBe(
      "No differences: the two versions are identical.",
    );
  });

  it("says when a field was bound to or unbound from a pipeline parameter, and what changed in a declaration", () => {
    expect(describeChange({ name: "k", change: "changed", old: 0.5, new: { $param: "fraction" } }).text).toBe(
      "bound to pipeline parameter fraction (was 0.5)",
    );
    expect(describeChange({ name: "k", change: "added", new: { $param: "seed" } }).text).toBe("bound to pipeline parameter seed");
    expect(describeChange({ name: "k", change: "added", new: { $param: "seed" } }, { value: 7 }).text).toBe(
      "bound to pipeline parameter seed (was the default 7)",
    );
    expect(describeChange({ name: "k", change: "added", new: 0.8 }, { value: 0.5 }).text).toBe("0.5 (default) → 0.8");
    expect(describeChange({ name: "k", change: "removed", old: { $param: "f" } }, { value: 0.5 }).text).toBe(
      "unbound from pipeline parameter f, now 0.5 (default)",
    );
    expect(describeChange({ name: "k", change: "changed", old: { $param: "fraction" }, new: 0.8 }).text).toBe(
      "unbound from pipeline parameter fraction, now 0.8",
    );
    const number = { type: "number", default: 0.5, description: "" };
    expect(describeDeclaration({ name: "fraction", change: "added", new: number }).text).toBe("declared: number, default 0.5");
    expect(describeDeclaration({ name: "fraction", change: "changed", old: number, new: { ...number, default: 0.8, description: "x" } }).text).toBe(
      "default 0.5 → 0.8, description changed",
    );
    expect(describeDeclaration({ name: "seed", change: "changed", old: number, new: { type: "integer", description: "" } }).text).toBe(
      "type “number” → “integer”, default removed (was 0.5)",
    );
    expect(describeDeclaration({ name: "seed", change: "removed", old: { type: "integer", description: "" } }).text).toBe(
      "removed (was integer, no default)",
    );
  });
});
